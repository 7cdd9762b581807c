/**
 * The backup folder and the staging folders sit in out/, so they arrive by
 * git like everything else: a link at their names never sends a copy, a
 * write or a removal outside out/ (the shipped bin, with --force and --adopt).
 */
import { appendFileSync, lstatSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { BACKUP_DIR, JOURNAL, MANIFEST } from "../../writer/index.js";
import { assertRefused, generate, generatedOut, snapshot } from "../support/hostile-out.js";

test("a symbolic link at the backup folder's path: --force and --adopt refuse, nothing is written, nothing lands outside", () => {
  for (const flag of ["--force", "--adopt"]) {
    const { out, elsewhere } = generatedOut();
    appendFileSync(join(out, "README.md"), "mine\n");
    if (flag === "--adopt") rmSync(join(out, MANIFEST)); // every file is then not ours: adopt's case
    symlinkSync(elsewhere, join(out, BACKUP_DIR));
    const before = readFileSync(join(out, "README.md"), "utf8");
    const r = generate(out, flag);
    assertRefused(r, /\.dioptra-backup is a symbolic link; dioptra-deploy writes only real files and folders/, flag);
    assert.equal(snapshot(elsewhere), { "victim.txt": "keep\n" }, flag);
    assert.is(readFileSync(join(out, "README.md"), "utf8"), before, `${flag}: nothing written`);
  }
});

test("symbolic links at a staging folder's name and at the journal's temporary file: nothing outside changes; the stage-named link is reported and left alone", () => {
  const { out, elsewhere } = generatedOut();
  symlinkSync(elsewhere, join(out, ".dioptra-stage-abc123"));
  symlinkSync(join(elsewhere, "victim.txt"), join(out, `${JOURNAL}.tmp`));
  appendFileSync(join(out, "README.md"), "mine\n");
  const r = generate(out, "--force");
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, /\.dioptra-stage-abc123 is not a staging folder dioptra-deploy made; left alone/);
  assert.ok(lstatSync(join(out, ".dioptra-stage-abc123")).isSymbolicLink());
  assert.equal(snapshot(elsewhere), { "victim.txt": "keep\n" });
  assert.not.match(readFileSync(join(out, "README.md"), "utf8"), /mine/, "the write went ahead");
});

test.run();
