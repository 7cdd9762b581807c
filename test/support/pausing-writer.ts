/**
 * Test support: runs writeOut with a hook that, after step N, says so on
 * stdout and then hangs, so a test can SIGKILL the process mid-write.
 * Usage: node pausing-writer.js <outDir> <files.json> <N>
 */
import { readFileSync } from "node:fs";
import type { OutFile } from "../../generators/out-file.js";
import { writeOut } from "../../generators/write.js";

const [outDir, filesJson, n] = process.argv.slice(2);
const files = JSON.parse(readFileSync(filesJson!, "utf8")) as OutFile[];
writeOut(files, outDir!, (step) => {
  if (step === Number(n)) {
    process.stdout.write("paused\n");
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
  }
});
