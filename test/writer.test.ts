/**
 * The writer owns out/: it never touches files a user added, removes only
 * files its manifest proves it generated, and a failure or a kill at any
 * point of a write leaves (or, for a kill, the next run restores) the
 * previous generation exactly.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { OutFile } from "../files/out-file.js";
import { JOURNAL, LOCK, MANIFEST, WriteConflictError, checkOut, recoverOut, writeOut } from "../generators/write.js";
import { ROOT, listFiles, runCli, tempDir } from "./helpers.js";

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

test("a file in the way that the manifest does not list: refused, nothing written; adopt keeps the original in the backup folder", () => {
  const out = join(tempDir(), "out");
  mkdirSync(join(out, "sub"), { recursive: true });
  writeFileSync(join(out, "a.yml"), "mine: 1\n");
  writeFileSync(join(out, "sub", "b.env"), "B=1\n"); // what we would write: nothing to lose, so not in the way
  const before = snapshot(out);
  let refused: unknown;
  assert.throws(() => {
    try {
      writeOut(gen(1), out);
    } catch (e) {
      refused = e;
      throw e;
    }
  });
  assert.ok(refused instanceof WriteConflictError);
  assert.equal(refused.conflicts.map((c) => [c.path, c.kind]), [["a.yml", "foreign"]]);
  assert.match(refused.message, /^nothing written: 1 file not generated by dioptra-deploy \(--adopt/);
  assert.equal(snapshot(out), before, "nothing written");
  assert.not.ok(existsSync(join(out, LOCK)), "the lock is released after a refusal");
  const r = writeOut(gen(1), out, { adopt: true });
  assert.equal(r.backedUp, ["a.yml"]);
  assert.match(r.backup!, /^\.dioptra-backup\/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$/);
  assert.is(readFileSync(join(out, r.backup!, "a.yml"), "utf8"), "mine: 1\n");
  assert.is(readFileSync(join(out, "a.yml"), "utf8"), "a: 1\n");
  // Adopted: the next run knows the file as ours.
  assert.equal(writeOut(gen(2), out).written.includes("a.yml"), true);
});

test("a generated file edited by hand: refused with its diff; force keeps the edit in the backup folder", () => {
  const out = join(tempDir(), "out");
  writeOut(gen(1), out);
  writeFileSync(join(out, "sub", "b.env"), "B=1\nMINE=1\n");
  const before = snapshot(out);
  let refused: WriteConflictError | undefined;
  try {
    writeOut(gen(2), out, { adopt: true }); // adopt is for files that are not ours: not enough here
  } catch (e) {
    refused = e as WriteConflictError;
  }
  assert.ok(refused instanceof WriteConflictError);
  assert.equal(refused.conflicts.map((c) => [c.path, c.kind]), [["sub/b.env", "edited"]]);
  assert.match(refused.conflicts[0]!.diff, /^-MINE=1$/m);
  assert.match(refused.conflicts[0]!.diff, /^\+B=2$/m);
  assert.match(refused.message, /1 generated file edited by hand \(--force/);
  assert.equal(snapshot(out), before);
  const r = writeOut(gen(2), out, { force: true });
  assert.is(readFileSync(join(out, r.backup!, "sub", "b.env"), "utf8"), "B=1\nMINE=1\n");
  assert.is(readFileSync(join(out, "sub", "b.env"), "utf8"), "B=2\n");
  // An edit that already says what would be written loses nothing: no refusal.
  writeFileSync(join(out, "a.yml"), "a: 3\n");
  assert.equal(writeOut(gen(3), out).backedUp, []);
});

test("a docker-compose.override.yml we did not generate is reported: Compose would load it", () => {
  const out = join(tempDir(), "out");
  writeOut(gen(1), out);
  writeFileSync(join(out, "docker-compose.override.yml"), "services: {}\n");
  const r = writeOut(gen(2), out);
  assert.ok(r.warnings.some((w) => /^docker-compose\.override\.yml was not generated by dioptra-deploy, yet docker compose loads it/.test(w)), r.warnings.join("\n"));
  assert.is(readFileSync(join(out, "docker-compose.override.yml"), "utf8"), "services: {}\n");
  // Ours and still generated: no warning.
  const ours = writeOut(gen(2, { "docker-compose.override.yml": "services: {}\n" }), join(tempDir(), "out"));
  assert.equal(ours.warnings, []);
});

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
