/**
 * A process killed mid-write: the journal lets the next run (and --check)
 * find it and roll the folder back to the previous generation.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { JOURNAL, LOCK, checkOut, recoverOut, writeOut } from "../../writer/index.js";
import { ROOT, tempDir } from "../helpers.js";
import { gen, snapshot } from "../support/writer-files.js";

test("a process killed mid-write: the next run restores the previous generation first", async () => {
  const dir = tempDir();
  const out = join(dir, "out");
  writeOut(gen(1, { "old.yml": "o\n" }), out);
  writeFileSync(join(out, "mine.txt"), "mine");
  const before = snapshot(out);
  const filesJson = join(dir, "files.json");
  writeFileSync(filesJson, JSON.stringify(gen(2, { "new.yml": "n\n" })));
  const child = spawn(process.execPath, [join(ROOT, "dist/test/support/pausing-writer.js"), out, filesJson, "2"], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      if (d.toString().includes("paused")) resolve();
    });
    child.on("exit", (code) => reject(new Error(`writer exited early (${code})`)));
  });
  child.kill("SIGKILL");
  await new Promise((r) => child.on("exit", r));
  // Mid-write state: some files new, some old, a journal recording it, and the dead writer's lock.
  assert.ok(existsSync(join(out, JOURNAL)));
  assert.is(readFileSync(join(out, LOCK), "utf8"), `${child.pid}\n`);
  assert.ok((await checkOut(gen(1, { "old.yml": "o\n" }), out)).some((d) => d.path === JOURNAL), "--check flags the interrupted write");
  const restored = recoverOut(out);
  assert.ok(restored.length >= 2);
  assert.equal(snapshot(out), { ...before, [LOCK]: `${child.pid}\n` });
  // And a normal run after the kill reaches the new generation cleanly.
  writeOut(gen(2, { "new.yml": "n\n" }), out);
  assert.is(readFileSync(join(out, "a.yml"), "utf8"), "a: 2\n");
  assert.is(readFileSync(join(out, "mine.txt"), "utf8"), "mine");
  assert.not.ok(existsSync(join(out, "old.yml")));
  assert.not.ok(existsSync(join(out, LOCK)), "the dead writer's lock was taken over and released");
});

test.run();
