/** The CLI contract: exit codes, messages, --check, --out, determinism across working directories. */
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { FIXTURES, ROOT, listFiles, runCli, tempDir } from "./helpers.js";

const DEFAULT_CONFIG = join(FIXTURES, "default", "deployment.config.ts");

function configIn(dir: string, body: string): string {
  const p = join(dir, "deployment.config.ts");
  writeFileSync(p, body);
  return p;
}

test("generate: exit 0, writes the files and a manifest", () => {
  const out = join(tempDir(), "out");
  const r = runCli(["generate", "--config", DEFAULT_CONFIG, "--out", out]);
  assert.is(r.status, 0, r.stderr);
  assert.ok(listFiles(out).includes("docker-compose.yml"));
  assert.ok(listFiles(out).includes(".dioptra-manifest.json"));
  assert.match(r.stdout, /written/);
});

test("--check: exit 0 when up to date, 1 with a unified diff when stale, writes nothing", () => {
  const out = join(tempDir(), "out");
  assert.is(runCli(["generate", "--config", DEFAULT_CONFIG, "--out", out]).status, 0);
  assert.is(runCli(["generate", "--config", DEFAULT_CONFIG, "--out", out, "--check"]).status, 0);
  const compose = join(out, "docker-compose.yml");
  const edited = readFileSync(compose, "utf8").replace("restart: always", "restart: \"no\"");
  writeFileSync(compose, edited);
  const r = runCli(["generate", "--config", DEFAULT_CONFIG, "--out", out, "--check"]);
  assert.is(r.status, 1);
  assert.match(r.stdout, /^--- a\/docker-compose\.yml/m);
  assert.match(r.stdout, /^-\s+restart: "no"$/m);
  assert.match(r.stdout, /^\+\s+restart: always$/m);
  assert.match(r.stderr, /docker-compose\.yml: changed/);
  assert.is(readFileSync(compose, "utf8"), edited, "--check must not write");
});

test("--check reports missing and stale generated files", () => {
  const out = join(tempDir(), "out");
  runCli(["generate", "--config", DEFAULT_CONFIG, "--out", out]);
  const two = configIn(tempDir(), 'import { deployment } from "dioptra-deploy";\nexport default deployment({ name: "other" });\n');
  const r = runCli(["generate", "--config", two, "--out", out, "--check"]);
  assert.is(r.status, 1);
  assert.match(r.stderr, /envs\/other-db\.env: missing/);
  assert.match(r.stderr, /envs\/dioptra-deployment-db\.env: stale/);
});

test("a check on a folder that does not exist reports every file missing", () => {
  const r = runCli(["generate", "--config", DEFAULT_CONFIG, "--out", join(tempDir(), "nope"), "--check"]);
  assert.is(r.status, 1);
  assert.match(r.stderr, /docker-compose\.yml: missing/);
});

test("validation error: exit 1, one line per problem naming the setting, no stack trace", () => {
  const dir = tempDir();
  const cfg = configIn(dir, 'import { deployment } from "dioptra-deploy";\nexport default deployment({\n  workers: { tensorflowGpu: -1 },\n  nginx: { httpPort: 0 },\n});\n');
  const out = join(dir, "out");
  const r = runCli(["generate", "--config", cfg, "--out", out]);
  assert.is(r.status, 1);
  // Each problem points at the property that set it, not at the deployment() call.
  assert.match(r.stderr, /deployment\.config\.ts:3:\d+ {2}workers\.tensorflowGpu: must be a whole number ≥ 0, got -1/);
  assert.match(r.stderr, /deployment\.config\.ts:4:\d+ {2}nginx\.httpPort: must be a port number from 1 to 65535, got 0/);
  assert.not.match(r.stderr, /\n\s+at /, "no stack trace");
  assert.not.ok(existsSync(out), "nothing written");
});

test("usage errors exit 2: unknown flag, unknown command, missing config", () => {
  for (const args of [["generate", "--nope"], ["frobnicate"], ["generate", "--config", "/no/such/deployment.config.ts"], []]) {
    const r = runCli(args);
    assert.is(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, /^error: /);
    assert.not.match(r.stderr, /\n\s+at /);
  }
});

test("a config that throws or has a syntax error: exit 1 with its location", () => {
  const dir = tempDir();
  const thrower = configIn(dir, 'import { deployment } from "dioptra-deploy";\nconst n: number = 1;\nif (n) throw new Error("boom");\nexport default deployment({});\n');
  let r = runCli(["generate", "--config", thrower, "--out", join(dir, "out")]);
  assert.is(r.status, 1);
  assert.match(r.stderr, /deployment\.config\.ts:3:\d+ .*threw: boom/);
  const broken = configIn(dir, 'import { deployment } from "dioptra-deploy";\nexport default deployment({ name: "x" ;\n');
  r = runCli(["generate", "--config", broken, "--out", join(dir, "out")]);
  assert.is(r.status, 1);
  assert.match(r.stderr, /deployment\.config\.ts:2:\d+ {2}Expected/);
  const noExport = configIn(dir, "export const x = 1;\n");
  r = runCli(["generate", "--config", noExport, "--out", join(dir, "out")]);
  assert.is(r.status, 1);
  assert.match(r.stderr, /must end with `export default deployment/);
});

test("type errors in the config: exit 1 with compiler diagnostics at file:line:col", () => {
  const dir = tempDir();
  const cfg = configIn(dir, 'import { deployment } from "dioptra-deploy";\nexport default deployment({\n  nginx: { servername: "x" },\n  workers: { tensorflowGpu: "2" },\n});\n');
  const r = runCli(["generate", "--config", cfg, "--out", join(dir, "out")]);
  assert.is(r.status, 1);
  assert.match(r.stderr, /deployment\.config\.ts:3:\d+ {2}TS2561: .*'servername' does not exist/);
  assert.match(r.stderr, /deployment\.config\.ts:4:\d+ {2}TS2322: Type 'string' is not assignable/);
  assert.not.ok(existsSync(join(dir, "out")));
});

test("same config, same bytes, from any working directory", () => {
  const a = join(tempDir(), "out");
  const b = join(tempDir(), "out");
  assert.is(runCli(["generate", "--config", DEFAULT_CONFIG, "--out", a]).status, 0);
  const cwd = tempDir();
  assert.is(runCli(["generate", "--config", DEFAULT_CONFIG, "--out", b], { cwd }).status, 0);
  const files = listFiles(a);
  assert.equal(listFiles(b), files);
  for (const f of files) assert.ok(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), f);
});

test("a config anywhere in the project imports the DSL by package name", () => {
  const dir = join(ROOT, "test", `.tmp-config-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  try {
    cpSync(DEFAULT_CONFIG, join(dir, "deployment.config.ts"));
    const r = runCli(["generate", "--config", join(dir, "deployment.config.ts"), "--out", join(tempDir(), "out")], { cwd: dir });
    assert.is(r.status, 0, r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a read-only parent folder: exit 1 with a clear message", () => {
  if (process.getuid?.() === 0) return; // root ignores permissions; covered by the missing-parent case
  const parent = tempDir();
  chmodSync(parent, 0o555);
  const r = runCli(["generate", "--config", DEFAULT_CONFIG, "--out", join(parent, "out")]);
  chmodSync(parent, 0o755);
  assert.is(r.status, 1);
  assert.match(r.stderr, /not writable/);
});

test("a missing parent folder: exit 1 with a clear message", () => {
  const r = runCli(["generate", "--config", DEFAULT_CONFIG, "--out", join(tempDir(), "no", "such", "out")]);
  assert.is(r.status, 1);
  assert.match(r.stderr, /error: cannot write .*: its parent folder .* does not exist/);
});

test("the committed out/ is what deployment.config.ts generates", () => {
  const r = runCli(["generate", "--check"]);
  assert.is(r.status, 0, `${r.stdout}\n${r.stderr}`);
});

test.run();
