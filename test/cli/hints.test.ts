/**
 * Every command the CLI's messages tell the user to run, run as printed:
 * the command is taken from the message (the text between backticks after
 * "run", or after "next:"), run by a shell in the folder the user was in,
 * and must do what the message says it would. `npx dioptra-deploy` becomes
 * this build's launcher, as the repository is not installed into itself
 * (test/package.test.ts runs the printed commands through the real npx).
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CLI, FIXTURES, runCli, tempDir } from "../helpers.js";

const DEFAULT_CONFIG = join(FIXTURES, "default", "deployment.config.ts");

/** The command a message prints after "run `…`" or "next: …". */
function printedCommand(message: string): string {
  const m = /run `([^`]+)`/.exec(message) ?? /next: (.+)$/m.exec(message);
  assert.ok(m, `a command in: ${message}`);
  return m![1]!.trim();
}

/** Runs a printed command with a POSIX shell in `cwd`, with this build standing in for npx's. */
function runPrinted(command: string, cwd: string) {
  assert.match(command, /npx dioptra-deploy /, "the hint names the installed command");
  const line = command.replaceAll("npx dioptra-deploy", `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)}`);
  const env = { ...process.env };
  delete env.FORCE_COLOR;
  return spawnSync("sh", ["-c", line], { cwd, env, encoding: "utf8" });
}

/** A project folder with a config in a subfolder whose name needs quoting. */
function project(): { dir: string; config: string } {
  const dir = tempDir("dd-hints-");
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  mkdirSync(join(dir, "lab deploy"));
  cpSync(DEFAULT_CONFIG, join(dir, "lab deploy", "lab.config.ts"));
  return { dir, config: "lab deploy/lab.config.ts" };
}

test("--check on a missing out/: one line, and its command writes out/ so the check passes", () => {
  const p = project();
  const r = runCli(["generate", "--config", p.config, "--check"], { cwd: p.dir });
  assert.is(r.status, 1);
  assert.is(r.stdout, "");
  assert.is(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.match(r.stderr, /^error: lab deploy\/out\/ does not exist/);
  assert.is(runPrinted(printedCommand(r.stderr), p.dir).status, 0);
  assert.is(runCli(["generate", "--config", p.config, "--check"], { cwd: p.dir }).status, 0, "up to date after the printed command");
});

test("--check after a config change: plain generate, which then passes the check", () => {
  const p = project();
  assert.is(runCli(["generate", "--config", p.config], { cwd: p.dir }).status, 0);
  const file = join(p.dir, p.config);
  writeFileSync(file, readFileSync(file, "utf8").replace('dioptra: "1.0",', 'dioptra: "1.0", nginx: { serverName: "dioptra.lab.example.org" },'));
  const r = runCli(["generate", "--config", p.config, "--check"], { cwd: p.dir });
  assert.is(r.status, 1);
  const command = printedCommand(r.stderr);
  assert.not.match(command, /--force|--adopt/, "nothing was edited by hand");
  assert.is(runPrinted(command, p.dir).status, 0);
  assert.is(runCli(["generate", "--config", p.config, "--check"], { cwd: p.dir }).status, 0);
});

test("--check after a hand edit: the command has --force (plain generate would refuse), keeps a backup, and the check passes", () => {
  const p = project();
  assert.is(runCli(["generate", "--config", p.config], { cwd: p.dir }).status, 0);
  const readme = join(p.dir, "lab deploy", "out", "README.md");
  writeFileSync(readme, `${readFileSync(readme, "utf8")}my notes\n`);
  const r = runCli(["generate", "--config", p.config, "--check"], { cwd: p.dir });
  assert.match(r.stderr, /1 file differs \(README\.md: changed\)/, "singular");
  const command = printedCommand(r.stderr);
  assert.match(command, /--force/);
  assert.is(runCli(["generate", "--config", p.config], { cwd: p.dir }).status, 1, "without the flag generate refuses, as the hint foresaw");
  const done = runPrinted(command, p.dir);
  assert.is(done.status, 0, done.stderr);
  assert.match(done.stdout, /kept the originals of README\.md/);
  assert.is(runCli(["generate", "--config", p.config, "--check"], { cwd: p.dir }).status, 0);
});

test("import's next: generates the imported config into an out/ beside it", () => {
  const dir = tempDir("dd-hints-import-");
  const r = runCli(["import", "--cruft", join(FIXTURES, "datasets-dir", "cruft.json"), "--out", "old lab/deployment.config.ts"], { cwd: dir });
  assert.is(r.status, 0, r.stderr);
  const command = printedCommand(r.stdout);
  assert.match(command, /--out 'old lab\/out'/);
  const done = runPrinted(command, dir);
  assert.is(done.status, 0, done.stderr);
  assert.match(readFileSync(join(dir, "old lab", "out", "docker-compose.yml"), "utf8"), /dioptra-deployment-restapi/);
  rmSync(dir, { recursive: true, force: true });
});

test("new's next: the command names the folder, quoted", () => {
  const dir = tempDir("dd-hints-new-");
  const r = runCli(["new", "my lab"], { cwd: dir });
  assert.is(r.status, 0, r.stderr);
  assert.match(printedCommand(r.stdout), /^cd 'my lab' && npm install && npx dioptra-deploy generate$/);
  // Run in the package test, where npm install can install it; here the folder must be what cd expects.
  assert.ok(readFileSync(join(dir, "my lab", "deployment.config.ts"), "utf8").includes("export default deployment("));
  const again = runCli(["new", "my lab"], { cwd: dir });
  assert.is(again.status, 1, "new never overwrites");
  assert.match(again.stderr, /deployment\.config\.ts: exists/);
  rmSync(dir, { recursive: true, force: true });
});

test.run();
