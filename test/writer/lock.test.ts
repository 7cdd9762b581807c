/**
 * One writer at a time: a second one fails clearly and writes nothing.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { LOCK, writeOut } from "../../writer/index.js";
import { ROOT, runCli, tempDir } from "../helpers.js";
import { gen } from "../support/writer-files.js";

test("two writers at once, in two processes: the second fails clearly and writes nothing; the first completes", async () => {
  const dir = tempDir();
  const out = join(dir, "out");
  writeOut(gen(1), out);
  const filesJson = join(dir, "files.json");
  writeFileSync(filesJson, JSON.stringify(gen(2, { "new.yml": "n\n" })));
  const resume = join(dir, "resume");
  const first = spawn(process.execPath, [join(ROOT, "dist/test/support/pausing-writer.js"), out, filesJson, "2", resume], { stdio: ["ignore", "pipe", "pipe"] });
  let firstOut = "";
  first.stdout.on("data", (d: Buffer) => (firstOut += d.toString()));
  first.stderr.on("data", (d: Buffer) => (firstOut += d.toString()));
  const exited = new Promise<number | null>((r) => first.on("exit", r));
  while (!firstOut.includes("paused")) {
    if (first.exitCode !== null) assert.unreachable(`the first writer exited early: ${firstOut}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const second = runCli(["generate", "--config", join(ROOT, "test", "fixtures", "default", "deployment.config.ts"), "--out", out]);
  assert.is(second.status, 1, second.stderr);
  assert.match(second.stderr, new RegExp(`^error: another dioptra-deploy \\(pid ${first.pid}\\) is writing .*out; wait for it to finish \\(if no such process runs, remove .*out/\\.dioptra-lock\\)$`, "m"));
  assert.not.match(second.stderr, /ENOENT|\n\s+at /);
  writeFileSync(resume, "");
  assert.is(await exited, 0, firstOut);
  assert.is(readFileSync(join(out, "new.yml"), "utf8"), "n\n");
  assert.is(readFileSync(join(out, "a.yml"), "utf8"), "a: 2\n");
  assert.not.ok(existsSync(join(out, "docker-compose.yml")), "the second writer wrote nothing");
  assert.not.ok(existsSync(join(out, LOCK)));
});

test.run();
