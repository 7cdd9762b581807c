/** Loaded with `node --import` by the bench: reports the process's peak memory (KiB) and CPU time (µs) on exit, on fd 3. */
import { writeSync } from "node:fs";

process.on("exit", () => {
  try {
    const r = process.resourceUsage();
    writeSync(3, `${r.maxRSS} ${r.userCPUTime + r.systemCPUTime}\n`);
  } catch {
    // fd 3 is not open: not run by the bench.
  }
});
