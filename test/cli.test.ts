/** The CLI contract: exit codes, messages, --check, --out, determinism across working directories. */
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CLI, FIXTURES, ROOT, haveTool, listFiles, runCli, tempDir } from "./helpers.js";

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

test("a check on a folder that does not exist says so in one line", () => {
  const r = runCli(["generate", "--config", DEFAULT_CONFIG, "--out", join(tempDir(), "nope"), "--check"]);
  assert.is(r.status, 1);
  assert.is(r.stdout, "");
  assert.match(r.stderr, /^error: .*nope\/ does not exist: nothing was generated there yet; run `npx dioptra-deploy generate --config .* --out .*nope`\n$/);
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

test("a setting that cannot be placed in the config's text is reported at the deployment() call", () => {
  const dir = tempDir();
  const cfg = configIn(dir, 'import { deployment } from "dioptra-deploy";\nconst props = JSON.parse(\'{"tag":"bad tag"}\');\nexport default deployment(props);\n');
  const r = runCli(["generate", "--config", cfg, "--out", join(dir, "out")]);
  assert.is(r.status, 1);
  assert.match(r.stderr, /deployment\.config\.ts:3:16 {2}tag: "bad tag" is not a valid image tag/);
});

/** The config cache's entry for `config` (node_modules/.cache/dioptra-deploy/<key>.json). */
function cacheEntryOf(config: string): { format?: string } | undefined {
  const dir = join(ROOT, "node_modules", ".cache", "dioptra-deploy");
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".json"))) {
    const entry = JSON.parse(readFileSync(join(dir, name), "utf8")) as { format?: string; inputs?: { path: string }[] };
    if (entry.inputs?.[0]?.path === config) return entry;
  }
  return undefined;
}

test("configs load as CommonJS; one with top-level await or import.meta stays an ES module, and both generate the same files", () => {
  const dir = tempDir();
  // A project of ES modules, as `npm init` + "type": "module" makes; the type check then allows top-level await.
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  const plain = configIn(dir, 'import { deployment } from "dioptra-deploy";\nexport default deployment({ workers: { tensorflowCpu: 2 } });\n');
  const esm = join(dir, "esm.config.ts");
  writeFileSync(
    esm,
    'import { deployment } from "dioptra-deploy";\nconst count = await Promise.resolve(2);\nconst here = new URL(".", import.meta.url);\nexport default deployment({ workers: { tensorflowCpu: here.protocol === "file:" ? count : 0 } });\n',
  );
  for (const [cfg, out] of [[plain, "out-plain"], [esm, "out-esm"]] as const) {
    const r = runCli(["generate", "--config", cfg, "--out", join(dir, out)]);
    assert.is(r.status, 0, r.stderr);
  }
  assert.is(cacheEntryOf(plain)?.format, "cjs");
  assert.is(cacheEntryOf(esm)?.format, "esm");
  // The manifests differ only in the config each names (one output folder belongs to one config).
  const same = (f: string, text: string) => (f === ".dioptra-manifest.json" ? text.replace(/^ {2}"config": .*\n/m, "") : text);
  for (const f of listFiles(join(dir, "out-plain"))) assert.is(same(f, readFileSync(join(dir, "out-esm", f), "utf8")), same(f, readFileSync(join(dir, "out-plain", f), "utf8")), f);
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

test("the command a user runs is named everywhere: npx dioptra-deploy generate", () => {
  const out = join(tempDir(), "out");
  assert.is(runCli(["generate", "--config", DEFAULT_CONFIG, "--out", out]).status, 0);
  assert.match(readFileSync(join(out, "docker-compose.yml"), "utf8"), /^# Generated by dioptra-deploy .* run `npx dioptra-deploy generate`\.$/m);
  const readme = readFileSync(join(out, "README.md"), "utf8");
  assert.match(readme, /npx dioptra-deploy generate --check/);
  assert.not.match(readme, /npm run generate/);
  writeFileSync(join(out, "docker-compose.yml"), "x: 1\n");
  assert.match(runCli(["generate", "--config", DEFAULT_CONFIG, "--out", out, "--check"]).stderr, /run `npx dioptra-deploy generate --config \S+ --out \S+ --force` \(a file was edited by hand/m);
});

test("--check shows the files' diffs, not the manifest's hashes: the manifest is one entry of the summary", () => {
  const out = join(tempDir(), "out");
  assert.is(runCli(["generate", "--config", DEFAULT_CONFIG, "--out", out]).status, 0);
  const other = configIn(tempDir(), 'import { deployment } from "dioptra-deploy";\nexport default deployment({ name: "other", nginx: { serverName: "lab.example.org" } });\n');
  const r = runCli(["generate", "--config", other, "--out", out, "--check"]);
  assert.is(r.status, 1);
  assert.not.match(r.stdout, /sha256|dioptra-manifest/);
  assert.match(r.stdout, /^\+.*lab\.example\.org/m);
  assert.match(r.stderr, /\.dioptra-manifest\.json: changed/);
});

test("--help for the tool and each command: exit 0, every flag described; --version", () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
  for (const args of [["--version"], ["-V"]]) {
    const r = runCli(args);
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout, `${pkg.version}\n`);
  }
  const top = runCli(["--help"]);
  assert.is(top.status, 0);
  for (const c of ["generate", "import", "set"]) assert.match(top.stdout, new RegExp(`^  ${c} +\\S`, "m"));
  const flags: Record<string, string[]> = {
    generate: ["--config FILE", "--out DIR", "--check", "--adopt", "--force", "--debug", "-h, --help"],
    import: ["--cruft FILE", "--out CONFIG.ts", "--compose FILE", "--force", "--debug", "-h, --help"],
    set: ["KEY=VALUE", "--config FILE", "--unset KEY", "--debug", "-h, --help"],
  };
  for (const [command, expected] of Object.entries(flags)) {
    for (const help of ["--help", "-h"]) {
      const r = runCli([command, help]);
      assert.is(r.status, 0, `${command} ${help}: ${r.stderr}`);
      assert.is(r.stderr, "");
      assert.match(r.stdout, new RegExp(`^usage: dioptra-deploy ${command} `));
      for (const f of expected) assert.match(r.stdout, new RegExp(`^  ${f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}  +\\S`, "m"), `${command}: ${f} described`);
    }
  }
  // Help wins over other arguments, and nothing runs.
  const r = runCli(["set", "name=x", "--config", "/no/such.ts", "--help"]);
  assert.is(r.status, 0);
  assert.match(r.stdout, /^usage: dioptra-deploy set/);
});

test("usage errors name the flag without Node's hint, and point at --help", () => {
  for (const command of ["generate", "import", "set"]) {
    const r = runCli([command, "--frobnicate"]);
    assert.is(r.status, 2);
    assert.match(r.stderr, /^error: unknown flag --frobnicate$/m);
    assert.not.match(r.stderr, /positional argument|To specify/);
    assert.match(r.stderr, new RegExp(`^usage: dioptra-deploy ${command} `, "m"));
    assert.match(r.stderr, new RegExp(`dioptra-deploy ${command} --help\` lists every flag`));
  }
});

/** Runs the CLI on a pseudo-terminal (util-linux `script`): what a user sees in a terminal. */
function inTerminal(args: readonly string[], env: NodeJS.ProcessEnv): string {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a}'`).join(" ");
  const r = spawnSync("script", ["-qec", command, "/dev/null"], { env, encoding: "utf8" });
  return r.stdout;
}

test("colours on a terminal for errors and the --check diff; none with NO_COLOR, none in a pipe", () => {
  const out = join(tempDir(), "out");
  assert.is(runCli(["generate", "--config", DEFAULT_CONFIG, "--out", out]).status, 0);
  writeFileSync(join(out, "docker-compose.yml"), readFileSync(join(out, "docker-compose.yml"), "utf8").replace("restart: always", 'restart: "no"'));
  const args = ["generate", "--config", DEFAULT_CONFIG, "--out", out, "--check"];
  const piped = runCli(args);
  assert.not.match(piped.stdout + piped.stderr, /\u001b\[/, "no escape codes in a pipe");
  if (!haveTool("script", ["--version"])) return;
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: "xterm" };
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  const tty = inTerminal(args, env);
  assert.match(tty, /\u001b\[31m-\s+restart: "no"\u001b\[0m/, "removed lines red");
  assert.match(tty, /\u001b\[32m\+\s+restart: always\u001b\[0m/, "added lines green");
  assert.match(tty, /\u001b\[1m\u001b\[31merror:\u001b\[0m\u001b\[0m .* is stale/, "error: in red");
  const plain = inTerminal(args, { ...env, NO_COLOR: "1" });
  assert.match(plain, /is stale/);
  assert.not.match(plain, /\u001b\[/, "NO_COLOR turns colours off");
});

test("type errors and validation errors in one report, in file order", () => {
  const dir = tempDir();
  const cfg = configIn(
    dir,
    'import { deployment } from "dioptra-deploy";\nexport default deployment({\n  workers: { tensorflowGpu: -1 },\n  nginx: { servername: "x", httpPort: 0 },\n  postgres: { tag: 16 },\n});\n',
  );
  const r = runCli(["generate", "--config", cfg, "--out", join(dir, "out")]);
  assert.is(r.status, 1);
  const lines = r.stderr.trimEnd().split("\n");
  assert.match(lines[0]!, /deployment\.config\.ts:3:\d+ {2}workers\.tensorflowGpu: must be a whole number ≥ 0, got -1$/);
  // A problem both checks see is reported once, by the compiler (servername: an unknown setting, too).
  assert.not.match(r.stderr, /unknown setting/);
  assert.match(lines[1]!, /deployment\.config\.ts:4:\d+ {2}TS2561: .*'servername' does not exist/);
  assert.match(lines[2]!, /deployment\.config\.ts:4:\d+ {2}nginx\.httpPort: must be a port number/);
  assert.match(lines[3]!, /deployment\.config\.ts:5:\d+ {2}TS2322: Type 'number' is not assignable to type 'string'/);
  assert.match(lines[4]!, /^error: .*deployment\.config\.ts: 4 problems; nothing written$/);
  assert.is(lines.length, 5, r.stderr);
  assert.not.ok(existsSync(join(dir, "out")));
});

/** A project folder (package.json) holding the config, for --out checks. */
function project(): { dir: string; config: string } {
  const dir = tempDir();
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  mkdirSync(join(dir, "deploy"));
  cpSync(DEFAULT_CONFIG, join(dir, "deploy", "deployment.config.ts"));
  return { dir, config: join(dir, "deploy", "deployment.config.ts") };
}

test("--out may not be the root, the project folder, the config's folder or a parent of them", () => {
  const p = project();
  const cases: [cwd: string, out: string, code: number, message: RegExp][] = [
    [p.dir, ".", 1, /^error: refusing to write into .*: it is the project folder/],
    [join(p.dir, "deploy"), ".", 1, /^error: refusing to write into .*: it is the config's folder/],
    [join(p.dir, "deploy"), "..", 1, /^error: refusing to write into .*: it is the project folder/],
    [p.dir, "..", 1, /it is a parent of the config's folder/],
    [p.dir, "/", 1, /the file system's root/],
    [p.dir, "", 2, /--out needs a folder name/],
  ];
  for (const [cwd, out, code, message] of cases) {
    const r = runCli(["generate", "--config", p.config, "--out", out], { cwd });
    assert.is(r.status, code, `--out ${JSON.stringify(out)} from ${cwd}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  assert.equal(readdirSync(p.dir).sort(), ["deploy", "package.json"]);
  assert.equal(readdirSync(join(p.dir, "deploy")), ["deployment.config.ts"], "nothing written");
  assert.is(runCli(["generate", "--config", p.config], { cwd: p.dir }).status, 0, "out/ under the project is fine");
});

test("files in out/ that generate did not write: refused one line each; --adopt backs them up and says where", () => {
  const out = join(tempDir(), "out");
  mkdirSync(join(out, "envs"), { recursive: true });
  writeFileSync(join(out, "docker-compose.yml"), "mine: 1\n");
  writeFileSync(join(out, "envs", "dioptra-deployment-db.env"), "MINE=1\n");
  const r = runCli(["generate", "--config", DEFAULT_CONFIG, "--out", out]);
  assert.is(r.status, 1);
  const lines = r.stderr.trimEnd().split("\n");
  assert.match(lines[0]!, /out\/docker-compose\.yml: exists and was not generated by dioptra-deploy$/);
  assert.match(lines[1]!, /out\/envs\/dioptra-deployment-db\.env: exists and was not generated by dioptra-deploy$/);
  assert.match(lines[2]!, /^error: nothing written: 2 files not generated by dioptra-deploy \(--adopt keeps a backup and takes them over\)$/);
  assert.equal(listFiles(out), ["docker-compose.yml", "envs/dioptra-deployment-db.env"]);
  const adopted = runCli(["generate", "--config", DEFAULT_CONFIG, "--out", out, "--adopt"]);
  assert.is(adopted.status, 0, adopted.stderr);
  const backup = /kept the originals of docker-compose\.yml, envs\/dioptra-deployment-db\.env in (.*\.dioptra-backup\/[^/]+)\/$/m.exec(adopted.stdout)?.[1];
  assert.ok(backup, adopted.stdout);
  assert.is(readFileSync(join(backup!, "docker-compose.yml"), "utf8"), "mine: 1\n");
  assert.is(readFileSync(join(backup!, "envs", "dioptra-deployment-db.env"), "utf8"), "MINE=1\n");
});

test("a generated file edited by hand: refused with its diff; --force backs it up", () => {
  const out = join(tempDir(), "out");
  assert.is(runCli(["generate", "--config", DEFAULT_CONFIG, "--out", out]).status, 0);
  const env = join(out, "envs", "dioptra-deployment-db.env");
  const generated = readFileSync(env, "utf8");
  writeFileSync(env, `${generated}EDITED=1\n`);
  const r = runCli(["generate", "--config", DEFAULT_CONFIG, "--out", out, "--adopt"]);
  assert.is(r.status, 1);
  assert.match(r.stdout, /^-EDITED=1$/m);
  assert.match(r.stderr, /envs\/dioptra-deployment-db\.env: edited by hand since it was generated/);
  assert.match(r.stderr, /^error: nothing written: 1 generated file edited by hand \(--force keeps a backup and replaces them\)$/m);
  assert.is(readFileSync(env, "utf8"), `${generated}EDITED=1\n`);
  const forced = runCli(["generate", "--config", DEFAULT_CONFIG, "--out", out, "--force"]);
  assert.is(forced.status, 0, forced.stderr);
  assert.is(readFileSync(env, "utf8"), generated);
  const backup = /in (.*\.dioptra-backup\/[^/]+)\/$/m.exec(forced.stdout)?.[1];
  assert.is(readFileSync(join(backup!, "envs", "dioptra-deployment-db.env"), "utf8"), `${generated}EDITED=1\n`);
});

test.run();
