/**
 * Loaded with `node --require` by the bench: reports the process's peak memory (KiB) and CPU
 * time (µs) on exit, on fd 3. CommonJS, so that measuring a run does not start Node's ES
 * module loader, which the CLI itself does not need.
 */
import fs = require("node:fs");

process.on("exit", () => {
  try {
    const r = process.resourceUsage();
    fs.writeSync(3, `${r.maxRSS} ${r.userCPUTime + r.systemCPUTime}\n`);
  } catch {
    // fd 3 is not open: not run by the bench.
  }
});
