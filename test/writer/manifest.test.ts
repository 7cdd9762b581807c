/**
 * The manifest decides what may be replaced or removed: a damaged one
 * removes nothing, and entries naming paths outside the folder are ignored.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { MANIFEST, WriteConflictError, writeOut } from "../../writer/index.js";
import { tempDir } from "../helpers.js";
import { gen, snapshot } from "../support/writer-files.js";

test("a damaged or missing manifest deletes nothing and overwrites nothing without --adopt", () => {
  for (const damage of ["{not json", "", undefined]) {
    const out = join(tempDir(), "out");
    writeOut(gen(1, { "old.yml": "x\n" }), out);
    if (damage === undefined) rmSync(join(out, MANIFEST));
    else writeFileSync(join(out, MANIFEST), damage);
    const before = snapshot(out);
    assert.throws(() => writeOut(gen(2), out), (e: unknown) => e instanceof WriteConflictError && e.conflicts.length === 3);
    assert.equal(snapshot(out), before);
    const r = writeOut(gen(2), out, { adopt: true });
    assert.equal(r.removed, []);
    assert.ok(existsSync(join(out, "old.yml")));
    assert.is(readFileSync(join(out, "a.yml"), "utf8"), "a: 2\n");
    assert.is(readFileSync(join(out, r.backup!, "a.yml"), "utf8"), "a: 1\n");
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

test.run();
