/**
 * Test support: runs writeOut with a hook that, after step N, says so on
 * stdout and then hangs, so a test can SIGKILL the process mid-write, or
 * run a second writer against the same folder. With a resume file, it goes
 * on once that file exists (and prints "done" when the write is over).
 * Usage: node pausing-writer.js <outDir> <files.json> <N> [resumeFile]
 */
import { existsSync, readFileSync } from "node:fs";
import type { FileToWrite } from "../../writer/index.js";
import { writeOut } from "../../writer/index.js";

const [outDir, filesJson, n, resume] = process.argv.slice(2);
const files = JSON.parse(readFileSync(filesJson!, "utf8")) as FileToWrite[];
const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
writeOut(files, outDir!, {
  hook: (step) => {
    if (step !== Number(n)) return;
    process.stdout.write("paused\n");
    const until = Date.now() + 60_000;
    if (resume === undefined) sleep(60_000);
    else while (!existsSync(resume) && Date.now() < until) sleep(20);
  },
});
process.stdout.write("done\n");
