/**
 * The writer owns out/: it never touches files a user added, removes only
 * files its manifest proves it generated, and a failure or a kill at any
 * point of a write leaves (or, for a kill, the next run restores) the
 * previous generation exactly.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { OutFile } from "../generators/out-file.js";
import { JOURNAL, MANIFEST, checkOut, recoverOut, writeOut } from "../generators/write.js";
import { ROOT, listFiles, tempDir } from "./helpers.js";

const gen = (n: number, extra: Record<string, string> = {}): OutFile[] => [
  { path: "a.yml", content: `a: ${n}\n`, mode: 0o644 },
  { path: "sub/b.env", content: `B=${n}\n`, mode: 0o644 },
  { path: "sub/deep/c.sh", content: `#!/bin/sh\necho ${n}\n`, mode: 0o755 },
  ...Object.entries(extra).map(([path, content]) => ({ path, content, mode: 0o644 as const })),
];

/** Every file and its bytes, for before/after comparisons. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(listFiles(dir).map((f) => [f, readFileSync(join(dir, f), "utf8")]));
}

test("writes files with their modes and a manifest", () => {
  const out = join(tempDir(), "out");
  const r = writeOut(gen(1), out);
  assert.equal([...r.written].sort(), [MANIFEST, "a.yml", "sub/b.env", "sub/deep/c.sh"]);
  assert.is(statSync(join(out, "sub/deep/c.sh")).mode & 0o777, 0o755);
  assert.is(statSync(join(out, "a.yml")).mode & 0o777, 0o644);
  const manifest = JSON.parse(readFileSync(join(out, MANIFEST), "utf8")) as { files: { path: string }[] };
  assert.equal(manifest.files.map((f) => f.path), ["a.yml", "sub/b.env", "sub/deep/c.sh"]);
});

test("files a user added are never touched, even in generated folders", () => {
  const out = join(tempDir(), "out");
  writeOut(gen(1), out);
  writeFileSync(join(out, "notes.txt"), "mine");
  writeFileSync(join(out, "sub", "mine.env"), "X=1");
  writeFileSync(join(out, ".env"), "SECRET=1");
  writeOut(gen(2), out);
  writeOut(gen(3, { "other.yml": "x\n" }), out);
  writeOut([], out);
  assert.is(readFileSync(join(out, "notes.txt"), "utf8"), "mine");
  assert.is(readFileSync(join(out, "sub", "mine.env"), "utf8"), "X=1");
  assert.is(readFileSync(join(out, ".env"), "utf8"), "SECRET=1");
});

test("files no longer generated are removed, with folders they leave empty", () => {
  const out = join(tempDir(), "out");
  writeOut(gen(1, { "extra/x.yml": "x\n" }), out);
  const r = writeOut(gen(1), out);
  assert.equal(r.removed, ["extra/x.yml"]);
  assert.not.ok(existsSync(join(out, "extra")));
});

test("a no-longer-generated file the user edited is kept, with a warning", () => {
  const out = join(tempDir(), "out");
  writeOut(gen(1, { "extra.yml": "x\n" }), out);
  writeFileSync(join(out, "extra.yml"), "x: edited\n");
  const r = writeOut(gen(1), out);
  assert.equal(r.removed, []);
  assert.ok(r.warnings.some((w) => w.includes("extra.yml") && w.includes("edited by hand")));
  assert.is(readFileSync(join(out, "extra.yml"), "utf8"), "x: edited\n");
});

test("a damaged or missing manifest deletes nothing", () => {
  for (const damage of ["{not json", ""]) {
    const out = join(tempDir(), "out");
    writeOut(gen(1, { "old.yml": "x\n" }), out);
    if (damage === "") writeFileSync(join(out, MANIFEST), "");
    else writeFileSync(join(out, MANIFEST), damage);
    const r = writeOut(gen(2), out);
    assert.equal(r.removed, []);
    assert.ok(existsSync(join(out, "old.yml")));
    assert.is(readFileSync(join(out, "a.yml"), "utf8"), "a: 2\n");
  }
});

test("manifest entries outside the folder are ignored", () => {
  const root = tempDir();
  const out = join(root, "out");
  writeOut(gen(1), out);
  writeFileSync(join(root, "victim"), "keep");
  const m = JSON.parse(readFileSync(join(out, MANIFEST), "utf8")) as { files: unknown[] };
  m.files.push({ path: "../victim", sha256: "x", mode: 420 }, { path: "/etc/hostname", sha256: "x", mode: 420 });
  writeFileSync(join(out, MANIFEST), JSON.stringify(m));
  writeOut(gen(2), out);
  assert.is(readFileSync(join(root, "victim"), "utf8"), "keep");
});

test("unchanged files are not rewritten", () => {
  const out = join(tempDir(), "out");
  writeOut(gen(1), out);
  const ino = statSync(join(out, "a.yml")).ino;
  const r = writeOut(gen(1), out);
  assert.equal(r.written, []);
  assert.is(statSync(join(out, "a.yml")).ino, ino);
});

test("a user's folder where a file should go: clear error, nothing changed", () => {
  const out = join(tempDir(), "out");
  writeOut(gen(1), out);
  const before = snapshot(out);
  mkdirSync(join(out, "new.yml"));
  assert.throws(() => writeOut(gen(2, { "new.yml": "x\n" }), out), /is not a regular file/);
  assert.equal(snapshot(out), before);
});

for (const step of [1, 2, 3, 5]) {
  test(`a failure after step ${step} of a write leaves the previous generation intact`, () => {
    const out = join(tempDir(), "out");
    writeOut(gen(1, { "old.yml": "o\n" }), out);
    writeFileSync(join(out, "mine.txt"), "mine");
    const before = snapshot(out);
    assert.throws(
      () =>
        writeOut(gen(2, { "new.yml": "n\n" }), out, (s) => {
          if (s === step) throw new Error("injected failure");
        }),
      /injected failure/,
    );
    assert.equal(snapshot(out), before);
    assert.not.ok(existsSync(join(out, JOURNAL)));
    assert.equal(readdirSync(out).filter((n) => n.startsWith(".dioptra-stage")), []);
  });
}

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
  // Mid-write state: some files new, some old, and a journal recording it.
  assert.ok(existsSync(join(out, JOURNAL)));
  assert.ok((await checkOut(gen(1, { "old.yml": "o\n" }), out)).some((d) => d.path === JOURNAL), "--check flags the interrupted write");
  const restored = recoverOut(out);
  assert.ok(restored.length >= 2);
  assert.equal(snapshot(out), before);
  // And a normal run after the kill reaches the new generation cleanly.
  writeOut(gen(2, { "new.yml": "n\n" }), out);
  assert.is(readFileSync(join(out, "a.yml"), "utf8"), "a: 2\n");
  assert.is(readFileSync(join(out, "mine.txt"), "utf8"), "mine");
  assert.not.ok(existsSync(join(out, "old.yml")));
});

test.run();
