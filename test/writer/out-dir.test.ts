/**
 * Which folder may be written: never through a symbolic link, never the
 * root, the project or the config's folder.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { LOCK, MANIFEST, writeOut } from "../../writer/index.js";
import { tempDir } from "../helpers.js";
import { gen, snapshot } from "../support/writer-files.js";

test("a symbolic link anywhere from out/ down is refused before anything is written, folders included", () => {
  const cases: [string, (out: string, elsewhere: string) => void][] = [
    ["a folder", (out, elsewhere) => {
      rmSync(join(out, "sub"), { recursive: true });
      symlinkSync(elsewhere, join(out, "sub"));
    }],
    ["a nested folder", (out, elsewhere) => {
      rmSync(join(out, "sub", "deep"), { recursive: true });
      symlinkSync(elsewhere, join(out, "sub", "deep"));
    }],
    ["a file", (out, elsewhere) => {
      writeFileSync(join(elsewhere, "a.yml"), "theirs\n");
      rmSync(join(out, "a.yml"));
      symlinkSync(join(elsewhere, "a.yml"), join(out, "a.yml"));
    }],
    ["the manifest", (out, elsewhere) => {
      writeFileSync(join(elsewhere, "m.json"), readFileSync(join(out, MANIFEST)));
      rmSync(join(out, MANIFEST));
      symlinkSync(join(elsewhere, "m.json"), join(out, MANIFEST));
    }],
  ];
  for (const [what, link] of cases) {
    const root = tempDir();
    const out = join(root, "out");
    const elsewhere = join(root, "elsewhere");
    mkdirSync(elsewhere);
    writeOut(gen(1, { "sub/old.yml": "o\n" }), out);
    link(out, elsewhere);
    const outside = snapshot(elsewhere);
    assert.throws(() => writeOut(gen(2), out), /is a symbolic link; dioptra-deploy writes only real files and folders/, what);
    assert.equal(snapshot(elsewhere), outside, `${what}: nothing written or removed through the link`);
    assert.not.ok(existsSync(join(out, LOCK)), what);
  }
  // The output folder itself.
  const root = tempDir();
  mkdirSync(join(root, "real"));
  symlinkSync(join(root, "real"), join(root, "out"));
  assert.throws(() => writeOut(gen(1), join(root, "out")), /out is a symbolic link/);
  assert.equal(readdirSync(join(root, "real")), []);
});

test("the output folder may not be the root, a protected folder or a parent of one", () => {
  const project = tempDir();
  mkdirSync(join(project, "config"));
  const protect = [{ path: project, what: "the project folder" }, { path: join(project, "config"), what: "the config's folder" }];
  for (const [outDir, message] of [
    ["/", /the file system's root/],
    [project, /it is the project folder/],
    [join(project, "config"), /it is the config's folder/],
    [join(project, "config", ".."), /it is the project folder/],
    [join(project, ".."), /it is a parent of the project folder/],
  ] as const) {
    assert.throws(() => writeOut(gen(1), outDir, { protect }), message, outDir);
  }
  assert.equal(readdirSync(project), ["config"], "nothing written");
  writeOut(gen(1), join(project, "out"), { protect });
  assert.ok(existsSync(join(project, "out", "a.yml")));
});

test.run();
