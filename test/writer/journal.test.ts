/**
 * A process killed mid-write: the journal lets the next run (and --check)
 * find it and roll the folder back to the previous generation.
 */
import { spawn } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { JOURNAL, LOCK, checkOut, recoverOut, writeOut } from "../../writer/index.js";
import { ROOT, tempDir } from "../helpers.js";
import { gen, snapshot } from "../support/writer-files.js";
import { assertRefused, generate, generatedOut, plantJournal, sha } from "../support/hostile-out.js";

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
  const { restored } = recoverOut(out);
  assert.ok(restored.length >= 2);
  assert.equal(snapshot(out), { ...before, [LOCK]: `${child.pid}\n` });
  // And a normal run after the kill reaches the new generation cleanly.
  writeOut(gen(2, { "new.yml": "n\n" }), out);
  assert.is(readFileSync(join(out, "a.yml"), "utf8"), "a: 2\n");
  assert.is(readFileSync(join(out, "mine.txt"), "utf8"), "mine");
  assert.not.ok(existsSync(join(out, "old.yml")));
  assert.not.ok(existsSync(join(out, LOCK)), "the dead writer's lock was taken over and released");
});

/** Every entry under `dir` with what it is: links are listed, never followed. */
function listing(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const n of readdirSync(join(dir, rel))) {
      const r = rel === "" ? n : `${rel}/${n}`;
      const st = lstatSync(join(dir, r));
      if (st.isSymbolicLink()) out[r] = `-> ${readlinkSync(join(dir, r))}`;
      else if (st.isDirectory()) walk(r);
      else out[r] = sha(readFileSync(join(dir, r)));
    }
  };
  walk("");
  return out;
}

const STAGE = ".dioptra-stage-abc123";
/** A stage folder holding `copies` as the previous copies of files (what a rollback would put back). */
function plantStage(out: string, copies: Record<string, string>): void {
  for (const [path, content] of Object.entries(copies)) {
    mkdirSync(dirname(join(out, STAGE, ".backup", path)), { recursive: true });
    writeFileSync(join(out, STAGE, ".backup", path), content);
  }
  mkdirSync(join(out, STAGE), { recursive: true });
}

test("a planted recovery record is reported and left alone unless every path is plain, inside out/, known, and its copies prove themselves (shipped bin)", () => {
  const secret = "DIOPTRA_DEPLOY_SECRET_KEY=known-to-the-planter\n";
  const cases: [string, (out: string, elsewhere: string) => void][] = [
    ["a stage outside out/", (out, elsewhere) => {
      mkdirSync(join(elsewhere, ".backup"));
      writeFileSync(join(elsewhere, ".backup", "README.md"), "planted\n");
      plantJournal(out, { stage: "../elsewhere", entries: [{ path: "README.md", before: sha("planted\n"), after: sha(readFileSync(join(out, "README.md"))) }] });
    }],
    ["a path outside out/", (out) => {
      plantStage(out, {});
      plantJournal(out, { stage: STAGE, entries: [{ path: "../elsewhere/victim.txt", before: null, after: sha("keep\n") }] });
    }],
    ["an absolute path", (out, elsewhere) => {
      plantStage(out, {});
      plantJournal(out, { stage: STAGE, entries: [{ path: join(elsewhere, "victim.txt"), before: null, after: sha("keep\n") }] });
    }],
    ["a path through a link in out/", (out, elsewhere) => {
      symlinkSync(elsewhere, join(out, "via"));
      plantStage(out, {});
      plantJournal(out, { stage: STAGE, entries: [{ path: "via/victim.txt", before: null, after: sha("keep\n") }] });
    }],
    ["staged content over a file the user added", (out) => {
      writeFileSync(join(out, "notes.txt"), "mine\n");
      plantStage(out, { "notes.txt": "planted\n" });
      plantJournal(out, { stage: STAGE, entries: [{ path: "notes.txt", before: sha("planted\n"), after: sha("whatever\n") }] });
    }],
    ["staged content for a secrets file not there yet", (out) => {
      plantStage(out, { ".env": secret });
      plantJournal(out, { stage: STAGE, entries: [{ path: ".env", before: sha(secret), after: null }] });
    }],
    ["a stage not named as the writer names it", (out) => {
      mkdirSync(join(out, "mine", ".backup"), { recursive: true });
      writeFileSync(join(out, "mine", ".backup", "README.md"), "planted\n");
      plantJournal(out, { stage: "mine", entries: [{ path: "README.md", before: sha("planted\n"), after: sha(readFileSync(join(out, "README.md"))) }] });
    }],
  ];
  for (const [what, plant] of cases) {
    // --force changes what the writer may replace, never what a rollback may touch.
    for (const flags of what.startsWith("staged content over") ? [[], ["--force"]] : [[]]) {
      const { out, elsewhere } = generatedOut();
      plant(out, elsewhere);
      const before = listing(out);
      const outside = listing(elsewhere);
      const r = generate(out, ...flags);
      assert.equal(listing(elsewhere), outside, `${what}: nothing outside out/ changed`);
      assert.equal(listing(out), before, `${what}: out/ left as it was, the record included`);
      assertRefused(r, /\.dioptra-journal\.json is not a record of a write dioptra-deploy can roll back \(.+\); nothing was rolled back, removed or written/, what);
    }
  }
});

test("journals and manifests are read with a bound: a giant one is reported, not read (shipped bin)", () => {
  const { out } = generatedOut();
  writeFileSync(join(out, JOURNAL), "");
  truncateSync(join(out, JOURNAL), 64 * 1024 * 1024); // sparse: no disk used
  const started = Date.now();
  const r = generate(out);
  assertRefused(r, /\.dioptra-journal\.json is not a record .*\(it holds 67108864 bytes, over the 4194304 a journal may\)/);
  assert.ok(Date.now() - started < 30_000);
});

test.run();
