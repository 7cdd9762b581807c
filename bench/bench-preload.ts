/** Loaded with `node --import` by the bench: reports the process's peak memory on exit, on fd 3. */
import { writeSync } from "node:fs";

process.on("exit", () => {
  try {
    writeSync(3, `${process.resourceUsage().maxRSS}\n`);
  } catch {
    // fd 3 is not open: not run by the bench.
  }
});
