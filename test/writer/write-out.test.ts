/**
 * The writer owns out/: it never touches files a user added, removes only
 * files its manifest proves it generated, and a failure at any point of a
 * write leaves the previous generation exactly.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { JOURNAL, MANIFEST, writeOut } from "../../writer/index.js";
import { tempDir } from "../helpers.js";
import { gen, snapshot } from "../support/writer-files.js";

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
        writeOut(gen(2, { "new.yml": "n\n" }), out, {
          hook: (s) => {
            if (s === step) throw new Error("injected failure");
          },
        }),
      /injected failure/,
    );
    assert.equal(snapshot(out), before);
    assert.not.ok(existsSync(join(out, JOURNAL)));
    assert.equal(readdirSync(out).filter((n) => n.startsWith(".dioptra-stage")), []);
  });
}

test.run();
