/**
 * import executes nothing from the folder it reads: a `.cruft.json` inside a
 * git repository whose own configuration runs a program for every way git
 * could be asked about it (fsmonitor, hooks, ssh, aliases, pager, editor,
 * external diff, signature checks) is imported by the shipped CLI, and no
 * program runs. A control run of the `git log` that import used to date an
 * unknown commit shows the repository is armed.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { FIXTURES, runCli, tempDir } from "../helpers.js";

const UNKNOWN_COMMIT = "0123456789abcdef0123456789abcdef01234567";

/** A program that leaves `ran-<name>` in `marks` when run (and, for gpg, signs so that git will verify). */
function trap(bin: string, marks: string, name: string): string {
  const path = join(bin, name);
  const sign = name === "gpg" ? `case "$*" in *-bsau*) cat >/dev/null; echo "[GNUPG:] SIG_CREATED " >&2; printf -- '-----BEGIN PGP SIGNATURE-----\\n\\nAAAA\\n-----END PGP SIGNATURE-----\\n'; exit 0;; esac\n` : "";
  writeFileSync(path, `#!/bin/sh\n${sign}touch ${JSON.stringify(join(marks, `ran-${name}`))}\nexit 0\n`);
  chmodSync(path, 0o755);
  return path;
}

/** An old deployment folder: a git repository, armed, holding a signed commit of `.cruft.json` at `commit`. */
function hostileDeployment(commit: string): { dir: string; cruft: string; marks: string; git: (...args: string[]) => ReturnType<typeof spawnSync> } {
  const root = tempDir("dd-hostile-git-");
  const dir = join(root, "old-deployment");
  const bin = join(root, "bin");
  const marks = join(root, "marks");
  for (const d of [dir, bin, marks, join(dir, "hooks")]) mkdirSync(d, { recursive: true });
  const env = { ...process.env, GIT_CONFIG_NOSYSTEM: "1", HOME: root };
  const git = (...args: string[]) => spawnSync("git", args, { cwd: dir, env, encoding: "utf8" });
  assert.is(git("init", "-q").status, 0);
  const cruft = join(dir, ".cruft.json");
  const data = JSON.parse(readFileSync(join(FIXTURES, "default", "cruft.json"), "utf8")) as Record<string, unknown>;
  writeFileSync(cruft, JSON.stringify({ ...data, commit }, null, 2));
  const settings: [string, string][] = [
    ["core.fsmonitor", trap(bin, marks, "fsmonitor")],
    ["core.hooksPath", join(dir, "hooks")],
    ["core.sshCommand", trap(bin, marks, "ssh")],
    ["core.pager", trap(bin, marks, "pager")],
    ["core.editor", trap(bin, marks, "editor")],
    ["core.askPass", trap(bin, marks, "askpass")],
    ["diff.external", trap(bin, marks, "diff")],
    ["alias.log", `!${trap(bin, marks, "alias")}`],
    ["gpg.program", trap(bin, marks, "gpg")],
    ["log.showSignature", "true"],
    ["user.signingKey", "lab"],
    ["commit.gpgSign", "true"],
    ["user.name", "Lab"],
    ["user.email", "lab@example.org"],
  ];
  for (const [key, value] of settings) assert.is(git("config", key, value).status, 0, key);
  for (const hook of ["post-checkout", "post-commit", "pre-commit", "post-index-change"]) trap(join(dir, "hooks"), marks, hook);
  assert.is(git("add", ".cruft.json").status, 0);
  const c = git("commit", "-q", "-m", "old deployment");
  assert.is(c.status, 0, String(c.stderr));
  // Setting the trap ran some of it (the signature, the commit hooks): start counting from here.
  for (const m of readdirSync(marks)) rmSync(join(marks, m));
  return { dir, cruft, marks, git };
}

test("import of a .cruft.json in a hostile git repository runs no program: an unknown commit asks for --dioptra", () => {
  const h = hostileDeployment(UNKNOWN_COMMIT);
  const out = join(h.dir, "..", "config", "deployment.config.ts");
  const asked = runCli(["import", "--cruft", h.cruft, "--out", out], { env: { HOME: join(h.dir, "..") } });
  assert.is(asked.status, 2, asked.stderr);
  assert.match(asked.stderr, "template commit 01234567 is not one this tool knows (63a29ea9 is 1.0, 5ff20c18 is 1.1); pass --dioptra 1.0 or --dioptra 1.1");
  assert.not.ok(existsSync(out));
  const told = runCli(["import", "--cruft", h.cruft, "--out", out, "--dioptra", "1.0"], { env: { HOME: join(h.dir, "..") } });
  assert.is(told.status, 0, told.stderr);
  assert.ok(existsSync(out));
  assert.equal(readdirSync(h.marks), [], "import ran a program from the repository's git configuration");
});

test("a known commit in the same repository: imported, and still no program runs", () => {
  const h = hostileDeployment("63a29ea9");
  const out = join(h.dir, "..", "config", "deployment.config.ts");
  const r = runCli(["import", "--cruft", h.cruft, "--out", out], { env: { HOME: join(h.dir, "..") } });
  assert.is(r.status, 0, r.stderr);
  assert.equal(readdirSync(h.marks), []);
});

test("the trap is armed: the git log import used to run to date a commit runs the repository's program", () => {
  const h = hostileDeployment(UNKNOWN_COMMIT);
  const r = h.git("log", "-1", "--format=%cI", "--", ".cruft.json");
  assert.is(r.status, 0, String(r.stderr));
  assert.ok(readdirSync(h.marks).length > 0, "git log ran nothing: the hostile configuration proves nothing");
});

test.run();
