/**
 * `dioptra-deploy import`: every fixture's cruft.json (template commit
 * 63a29ea9, so Dioptra 1.0; and its variables as a flat file and as a replay
 * file, with --dioptra 1.0) becomes a config that generates what the
 * fixture's config does and, less the deliberate differences, the 1.0
 * template's render (../shared/reference/renders); the release comes from
 * the commit, the file's git history or --dioptra; invalid variables,
 * existing outputs and bad input files are refused without writing anything.
 */
import type { Deployment } from "../dsl/deployment.js";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "yaml";
import { synth } from "../generators/index.js";
import { loadConfig } from "../app/load-config.js";
import { typecheckConfig } from "../app/typecheck-config.js";
import { FIXTURES, ROOT, composeConfig, fixtureNames, haveTool, normalizeCompose, runCli, sharedRender, synthConfig, tempDir, withoutMarker } from "./helpers.js";
import { deliberate, withoutRedisUri, type Doc } from "./support/deliberate.js";

interface Result {
  code: number;
  out: string;
  err: string;
  dir: string;
  config: string;
}

/**
 * Runs the shipped CLI's `import` into a fresh folder (or `config`), with
 * `input` written there as JSON when it is not a path. `dioptra` adds
 * `--dioptra <release>`; plain variables record no template commit, so for
 * an object it defaults to "1.0" (the template these variables are from).
 */
async function importVars(input: string | object, options: { config?: string; args?: string[]; dioptra?: string } = {}): Promise<Result> {
  const dir = tempDir("dd-import-");
  const file = typeof input === "string" ? input : join(dir, "vars.json");
  if (typeof input !== "string") writeFileSync(file, JSON.stringify(input));
  const config = options.config ?? join(dir, "out", "deployment.config.ts");
  const dioptra = options.dioptra ?? (typeof input === "string" ? undefined : "1.0");
  const r = runCli(["import", ...(options.args ?? ["--cruft", file, "--out", config, ...(dioptra === undefined ? [] : ["--dioptra", dioptra])])]);
  return { code: r.status ?? -1, out: r.stdout.trimEnd(), err: r.stderr.trimEnd(), dir, config };
}

/** The line import prints first, naming the release it chose and why. */
const RELEASE_LINE_1_0 = "importing as Dioptra 1.0: template commit 63a29ea9 is Dioptra 1.0's (2024-08-09)";
const RELEASE_LINE_FLAG = (r: string) => `importing as Dioptra ${r}: --dioptra`;

/** What import printed on stderr after its release line. */
const afterReleaseLine = (err: string) => err.split("\n").filter((l) => !l.startsWith("importing as Dioptra ")).join("\n");

const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;

/** Configs imported from the fixtures' cruft.json, type-checked together at the end (one compiler run). */
const imported: string[] = [];

for (const name of fixtureNames()) {
  const fixture = join(FIXTURES, name);

  test(`${name}: cruft.json imports as Dioptra 1.0 to a config that generates the fixture's files and the render's`, async () => {
    // Type-checked in one go by a later test, rather than also by each import.
    const r = await importVars(join(fixture, "cruft.json"));
    imported.push(r.config);
    assert.is(r.code, 0, r.err);
    assert.is(r.err, RELEASE_LINE_1_0, "the release line and no warnings");
    const text = readFileSync(r.config, "utf8");
    assert.match(text, /^export default deployment\(\{\n  dioptra: "1\.0",\n/m);
    assert.match(text, /^\/\*\*\n \* Dioptra deployment imported by `dioptra-deploy import` from the cookiecutter\n \* template https:\/\/github\.com\/usnistgov\/dioptra/);
    assert.match(text.replace(/\n \* /g, " "), /at commit 63a29ea96070c40e843662f20a21d96848f9aebc/);
    assert.match(text, /^import \{ deployment \} from "dioptra-deploy";$/m);

    // Everything generated equals what the fixture's hand-written config generates, which the
    // parity tests compare with the reference render file by file.
    const ours = new Map(synth((await loadConfig(r.config)).toSpec()).map((f) => [f.path, f.content]));
    const theirs = new Map((await synthConfig(join(fixture, "deployment.config.ts"))).map((f) => [f.path, f.content]));
    assert.equal([...ours.keys()].sort(), [...theirs.keys()].sort());
    for (const [path, content] of theirs) assert.fixture(ours.get(path)!, content, path);

    // And directly: docker-compose.yml as data (less the deliberate differences), the env files exactly.
    // (docker-compose config of these very bytes against the render is parity.test's, and takes a second per run.)
    const ref = sharedRender("dioptra-1.0", name);
    if (ref === undefined) return;
    const rendered = deliberate((await loadConfig(r.config)).toSpec(), parse(readFileSync(join(ref, "docker-compose.yml"), "utf8")) as Doc, false);
    assert.equal(normalizeCompose(parse(ours.get("docker-compose.yml")!)), normalizeCompose(rendered));
    for (const env of readdirSync(join(ref, "envs"))) assert.fixture(withoutMarker(ours.get(`envs/${env}`) ?? ""), withoutRedisUri(readFileSync(join(ref, "envs", env), "utf8")), env);
  });

  test(`${name}: the flat variables and a replay file give the same deployment`, async () => {
    // Targets are compared by their settings: their methods are closures made anew by each resolution.
    const data = (d: Deployment) => {
      const s = d.toSpec();
      return { ...s, targets: s.targets.map((t) => [t.key, t.settings]) };
    };
    const expected = data(await loadConfig(join(fixture, "deployment.config.ts")));
    const vars = readJson(join(fixture, "cookiecutter.json"));
    for (const input of [join(fixture, "cookiecutter.json"), { cookiecutter: vars }]) {
      const r = await importVars(input, { dioptra: "1.0" });
      assert.is(r.code, 0, r.err);
      assert.is(r.err, RELEASE_LINE_FLAG("1.0"));
      assert.match(readFileSync(r.config, "utf8").replace(/\n \* /g, " "), /from the cookiecutter variables in (cookiecutter|vars)\.json\./);
      assert.equal(data(await loadConfig(r.config)), expected);
    }
  });
}

test("every config imported from a fixture type-checks", () => {
  assert.is(imported.length, fixtureNames().length);
  assert.equal(typecheckConfig(imported), []);
});

test("the written file states only what differs from the defaults, in the DSL's order, formatted by prettier", async () => {
  const r = await importVars(join(FIXTURES, "name-and-systemd", "cruft.json"));
  assert.is(r.code, 0, r.err);
  assert.fixture(readFileSync(r.config, "utf8"), readFileSync(join(ROOT, "test", "import", "name-and-systemd.expected.ts.txt"), "utf8"));
  const defaults = await importVars({ deployment_name: "Dioptra deployment", num_tensorflow_cpu_workers: "1", nginx_expose_ports_on_localhost_only: "True", datasets_directory: "" });
  assert.match(readFileSync(defaults.config, "utf8"), /\nexport default deployment\(\{\n  dioptra: "1\.0",\n\}\);\n$/);
  assert.match(defaults.out, /every setting at the template's default/);
});

test("values as cookiecutter stores them: strings for numbers and booleans, any case", async () => {
  const r = await importVars(
    { num_tensorflow_gpu_workers: "2", nginx_expose_ports_on_localhost_only: "FALSE", __restapi_http_port: "8080", systemd_required_mounts: "a.mount  b.mount", __project_slug: "dioptra-deployment" },
    {},
  );
  assert.is(r.code, 0, r.err);
  assert.is(r.err, RELEASE_LINE_FLAG("1.0"));
  const props = (await loadConfig(r.config)).props;
  assert.equal(props, { dioptra: "1.0", nginx: { exposePortsOnLocalhostOnly: false, httpPort: 8080 }, workers: { tensorflowGpu: 2 }, systemd: { requiredMounts: ["a.mount", "b.mount"] } });
});

test("unknown variables: a warning naming each, and the import goes on", async () => {
  const r = await importVars({ num_tensorflow_cpu_workers: "2", favourite_colour: "blue", gpu_vendor: "nvidia" });
  assert.is(r.code, 0, r.err);
  assert.match(r.err, /^warning: unknown template variable favourite_colour \(ignored\)$/m);
  assert.match(r.err, /^warning: unknown template variable gpu_vendor \(ignored\)$/m);
  assert.match(readFileSync(r.config, "utf8"), /workers: \{ tensorflowCpu: 2 \}/);
});

const INVALID: [variable: string, value: string, message: RegExp][] = [
  ["num_tensorflow_gpu_workers", "two", /must be a whole number of workers/],
  ["num_pytorch_cpu_workers", "-1", /must be 0 or more/],
  ["nginx_expose_ports_on_localhost_only", "maybe", /must be "True" or "False"/],
  ["datasets_directory", "data/sets", /is not a usable datasets directory/],
  ["nginx_server_name", "dioptra lab.org", /is not a single host name/],
  ["nginx_server_name", "dioptra.org;evil", /is not a single host name/],
  ["container_registry", "Not A Registry", /is not a registry host/],
  ["container_tag", "1.0 beta", /is not a valid image tag/],
  ["__restapi_http_port", "eighty", /must be a port number/],
  ["deployment_name", "", /must not be empty/],
];

for (const [variable, value, message] of INVALID) {
  test(`invalid ${variable}=${JSON.stringify(value)}: exit 1, names the variable and value, writes nothing`, async () => {
    const r = await importVars({ num_tensorflow_cpu_workers: "2", [variable]: value });
    assert.is(r.code, 1);
    const line = r.err.split("\n").find((l) => l.includes(variable)) ?? "";
    assert.ok(line.includes(`${variable}: ${JSON.stringify(value)}: `), r.err);
    assert.match(line, message);
    assert.match(r.err, /^error: nothing written: 1 invalid template variable$/m);
    assert.not.ok(existsSync(join(r.dir, "out")), "nothing written");
  });
}

test("--out refuses an existing file unless --force; --force replaces it", async () => {
  const dir = tempDir("dd-import-");
  const config = join(dir, "deployment.config.ts");
  writeFileSync(config, "// mine\n");
  const refused = await importVars({ num_tensorflow_cpu_workers: "2" }, { config });
  assert.is(refused.code, 1);
  assert.match(refused.err, /deployment\.config\.ts already exists; pass --force to replace it/);
  assert.is(readFileSync(config, "utf8"), "// mine\n");
  // An invalid input does not replace it either, even with --force.
  const vars = join(dir, "bad.json");
  writeFileSync(vars, JSON.stringify({ num_tensorflow_cpu_workers: "two" }));
  assert.is((await importVars(vars, { args: ["--cruft", vars, "--out", config, "--force", "--dioptra", "1.0"] })).code, 1);
  assert.is(readFileSync(config, "utf8"), "// mine\n");
  const good = join(dir, "good.json");
  writeFileSync(good, JSON.stringify({ num_tensorflow_cpu_workers: "2" }));
  const forced = await importVars(good, { args: ["--cruft", good, "--out", config, "--force", "--dioptra", "1.0"] });
  assert.is(forced.code, 0, forced.err);
  assert.match(readFileSync(config, "utf8"), /tensorflowCpu: 2/);
  assert.equal(readdirSync(dir).sort(), ["bad.json", "deployment.config.ts", "good.json"], "no staging file left");
});

test("usage errors exit 2, bad file contents exit 1, and nothing is written", async () => {
  const dir = tempDir("dd-import-");
  const out = join(dir, "deployment.config.ts");
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const cases: [args: string[], code: number, message: RegExp][] = [
    [[], 2, /--cruft FILE is required/],
    [["--cruft", file("a.json", "{}")], 2, /--out CONFIG\.ts is required/],
    [["--cruft", join(dir, "missing.json"), "--out", out], 2, /cannot read .*missing\.json: no such file/],
    [["--cruft", dir, "--out", out], 2, /cannot read /],
    [["--cruft", file("b.json", "{"), "--out", out, "--nope"], 2, /unknown flag --nope/],
    [["--cruft", file("c.json", "{ not json"), "--out", out], 1, /c\.json is not valid JSON/],
    [["--cruft", file("d.json", "[1, 2]"), "--out", out], 1, /d\.json must hold a JSON object/],
    [["--cruft", file("e.json", JSON.stringify({ template: "https://github.com/usnistgov/dioptra", commit: "abc" })), "--out", out], 1, /looks like a \.cruft\.json but has no context\.cookiecutter/],
  ];
  for (const [args, code, message] of cases) {
    const r = await importVars("", { args });
    assert.is(r.code, code, `${args.join(" ")}: ${r.err}`);
    assert.match(r.err, message);
    assert.match(r.err, /^error: /);
    assert.not.ok(existsSync(out), `${args.join(" ")}: nothing written`);
  }
});

const OVERRIDE = join(ROOT, "test", "import", "docker-compose.override.yml");

/** A `docker-compose config` document with what legitimately differs taken out: mount syntax (long or short) and volume names. */
function comparable(yamlText: string): unknown {
  const doc = parse(yamlText) as { services: Record<string, { volumes?: unknown[] }>; volumes?: Record<string, { name?: string }> };
  for (const svc of Object.values(doc.services)) {
    svc.volumes = svc.volumes?.map((v) => {
      if (typeof v === "string") return v.split(":").length === 2 ? `${v}:rw` : v;
      const m = v as { source: string; target: string; read_only?: boolean };
      return `${m.source}:${m.target}:${m.read_only ? "ro" : "rw"}`;
    });
  }
  for (const v of Object.values(doc.volumes ?? {})) delete v.name;
  return normalizeCompose(doc);
}

test("--compose: an override file becomes typed mounts, GPUs, volumes and containers, and the same deployment", async () => {
  const cruft = join(FIXTURES, "datasets-dir", "cruft.json");
  const config = join(tempDir(), "deployment.config.ts");
  const r = await importVars(cruft, { args: ["--cruft", cruft, "--compose", OVERRIDE, "--out", config] });
  assert.is(r.code, 0, r.err);
  const text = readFileSync(config, "utf8");
  assert.match(text, /^import \{\n  bindMount,\n  deployment,\n  envFile,\n  fromEnv,\n  nfsVolume,\n  volumeMount,\n\} from "dioptra-deploy";$/m);
  assert.match(text, /tensorflowCpu: \{\n\s+count: 2,\n\s+mounts: \[\n\s+bindMount\("\/mnt\/models", "\/models"\),\n\s+volumeMount\("dioptra-scratch", "\/scratch", \{ readOnly: false \}\),/);
  assert.match(text, /tensorflowGpu: \{ count: 1, workers: \{ 1: \{ gpus: \[2, 3\] \} \} \}/);
  assert.match(text, /waitFor: \["db", "nas\.lab\.example\.org:2049"\]/);
  assert.match(text, /DB_PASSWORD: fromEnv\("POSTGRES_USER_DIOPTRA_PASSWORD"\)/);
  for (const kept of ["dioptra-deployment-pytorchcpu-01.cpus", "dioptra-deployment-restapi.mem_limit", "metrics-exporter.environment.DATA_URL", "metrics-exporter.logging"]) {
    assert.match(r.err, new RegExp(`^warning: .*docker-compose\\.override\\.yml: services\\.${kept.replaceAll(".", "\\.")} is kept as raw Compose in overrides`, "m"));
  }
  assert.equal(typecheckConfig([config]), [], "the written config type-checks");
  const render = sharedRender("dioptra-1.0", "datasets-dir");
  if (render === undefined || !haveTool("docker-compose")) return;
  // The generated files describe the deployment the render plus the override file did (less the deliberate differences).
  const ours = tempDir("dd-import-out-");
  for (const f of synth((await loadConfig(config)).toSpec())) {
    mkdirSync(join(ours, f.path, ".."), { recursive: true });
    writeFileSync(join(ours, f.path), f.content);
  }
  const theirs = tempDir("dd-import-ref-");
  cpSync(render, theirs, { recursive: true });
  // Env files are compared exactly (less RQ_REDIS_URI, now in .env) above; here ours are inlined on both sides.
  cpSync(join(ours, "envs"), join(theirs, "envs"), { recursive: true });
  // JSON is YAML that every Compose reader parses the same way.
  writeFileSync(join(theirs, "docker-compose.yml"), JSON.stringify(deliberate((await loadConfig(config)).toSpec(), parse(readFileSync(join(render, "docker-compose.yml"), "utf8")) as Doc, false)));
  // The user's own services become custom containers, which run with least privilege (cap_drop ALL, no-new-privileges).
  const override = parse(readFileSync(OVERRIDE, "utf8")) as Doc;
  const generated = parse(readFileSync(join(ours, "docker-compose.yml"), "utf8")) as Doc;
  for (const [name, svc] of Object.entries(override.services)) {
    for (const k of ["security_opt", "cap_drop", "cap_add", "read_only", "tmpfs"]) {
      const v = generated.services[name]?.[k];
      if (v !== undefined && svc[k] === undefined) svc[k] = v;
    }
  }
  writeFileSync(join(theirs, "docker-compose.override.yml"), JSON.stringify(override));
  const files = ["docker-compose.yml", "docker-compose.override.yml"];
  assert.equal(comparable(composeConfig(ours, files)), comparable(composeConfig(theirs, files)));
});

test("--compose: what cannot be imported is an error naming it, and nothing is written", async () => {
  const cruft = join(FIXTURES, "default", "cruft.json");
  const cases: [yaml: string, code: number, message: RegExp][] = [
    ["services:\n  builder:\n    build: .\n", 1, /services\.builder: has no image/],
    ["services:\n  dioptra-deployment-tfcpu-02:\n    cpus: 1\n", 1, /services\.dioptra-deployment-tfcpu-02: is a worker the template variables do not create/],
    ["networks:\n  other: {}\n", 1, /: networks: top-level key has no place in the config/],
    ["services:\n  dioptra-deployment-tfcpu-01:\n    volumes: [\"/data:models:ro\"]\n", 1, /workers\.tensorflowCpu\.mounts\.0\.target: "models" is not a container path/],
    ["services: [\n", 1, /is not valid YAML/],
  ];
  for (const [yaml, code, message] of cases) {
    const dir = tempDir("dd-import-");
    writeFileSync(join(dir, "override.yml"), yaml);
    const out = join(dir, "deployment.config.ts");
    const r = await importVars(cruft, { args: ["--cruft", cruft, "--compose", join(dir, "override.yml"), "--out", out] });
    assert.is(r.code, code, `${yaml}: ${r.err}`);
    assert.match(r.err, message);
    assert.match(r.err, /override\.yml/);
    assert.not.ok(existsSync(out), "nothing written");
  }
  const missing = await importVars(cruft, { args: ["--cruft", cruft, "--compose", "/no/such/override.yml", "--out", join(tempDir(), "c.ts")] });
  assert.is(missing.code, 2);
  assert.match(missing.err, /cannot read \/no\/such\/override\.yml/);
});

// ---------------------------------------------------------------- which release

/** A .cruft.json at `commit`, written into `dir`, recording 1.0's default image coordinates explicitly. */
function cruftAt(dir: string, commit: string): string {
  const data = readJson(join(FIXTURES, "default", "cruft.json"));
  const cookiecutter = { container_registry: "", container_tag: "dev", postgres_container_tag: "15" };
  const file = join(dir, ".cruft.json");
  writeFileSync(file, JSON.stringify({ ...data, commit, context: { cookiecutter } }, null, 2));
  return file;
}

const UNKNOWN_COMMIT = "0123456789abcdef0123456789abcdef01234567";

/** Commits `file` in a fresh git repository around it, dated `date` (author and committer). */
function commitDated(dir: string, file: string, date: string): void {
  const env = { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date, GIT_CONFIG_NOSYSTEM: "1", HOME: dir };
  for (const args of [["init", "-q"], ["add", "--", file], ["-c", "user.name=Test", "-c", "user.email=test@example.org", "commit", "-q", "-m", "deployment"]]) {
    const r = spawnSync("git", args, { cwd: dir, env, encoding: "utf8" });
    assert.is(r.status, 0, `git ${args.join(" ")}: ${r.stderr}`);
  }
}

test("a .cruft.json at the 2026 template commit (5ff20c18) imports as Dioptra 1.1", async () => {
  const dir = tempDir("dd-import-");
  const cruft = cruftAt(dir, "5ff20c18a38f64aff02f78b52bb588ba711b560f");
  const r = await importVars(cruft);
  assert.is(r.code, 0, r.err);
  assert.is(r.err, "importing as Dioptra 1.1: template commit 5ff20c18 is Dioptra 1.1's (2026-04-06)");
  // The variables are 1.0's defaults, which differ from 1.1's: they are stated.
  assert.equal((await loadConfig(r.config)).props, { dioptra: "1.1", registry: "", tag: "dev", postgres: { tag: "15" } });
});

test("the 1.1 template's own default .cruft.json (../shared) imports to deployment({ dioptra: \"1.1\" })", async () => {
  const render = sharedRender("dioptra-1.1", "default");
  if (render === undefined) return;
  const r = await importVars(join(render, "cruft.json"));
  assert.is(r.code, 0, r.err);
  assert.is(r.err, "importing as Dioptra 1.1: template commit 5ff20c18 is Dioptra 1.1's (2026-04-06)");
  assert.match(readFileSync(r.config, "utf8"), /\nexport default deployment\(\{\n  dioptra: "1\.1",\n\}\);\n$/);
  assert.match(r.out, /every setting at the template's default/);
});

test("an unknown commit in a file without git history: exit 2, naming --dioptra, nothing written", async () => {
  const dir = tempDir("dd-import-");
  const cruft = cruftAt(dir, UNKNOWN_COMMIT);
  const r = await importVars(cruft);
  assert.is(r.code, 2);
  assert.match(r.err, /template commit 01234567 is not one this tool knows \(63a29ea9 is 1\.0, 5ff20c18 is 1\.1\) and the file has no git history to date it; pass --dioptra 1\.0 or --dioptra 1\.1/);
  assert.match(r.err, /^usage: /m);
  assert.not.ok(existsSync(join(r.dir, "out")), "nothing written");
});

for (const [date, release] of [["2024-09-01T12:00:00+00:00", "1.0"], ["2026-05-01T12:00:00+00:00", "1.1"]] as const) {
  test(`an unknown commit in a git repository, last changed ${date.slice(0, 10)}: imports as Dioptra ${release}, the release whose template is closest in time`, async () => {
    const dir = tempDir("dd-import-git-");
    const cruft = cruftAt(dir, UNKNOWN_COMMIT);
    commitDated(dir, cruft, date);
    const r = await importVars(cruft);
    assert.is(r.code, 0, r.err);
    assert.is(r.err, `importing as Dioptra ${release}: template commit 01234567 is not one this tool knows; .cruft.json last changed on ${date.slice(0, 10)}, closest to Dioptra ${release}'s template`);
    assert.is((await loadConfig(r.config)).props.dioptra, release);
  });
}

test("--dioptra overrides the release the commit names; an unknown release is a usage error", async () => {
  const cruft = join(FIXTURES, "default", "cruft.json");
  const r = await importVars(cruft, { dioptra: "1.1" });
  assert.is(r.code, 0, r.err);
  assert.is(r.err, RELEASE_LINE_FLAG("1.1"));
  assert.is((await loadConfig(r.config)).props.dioptra, "1.1");
  const bad = await importVars(cruft, { dioptra: "2.0" });
  assert.is(bad.code, 2);
  assert.match(bad.err, /--dioptra "2\.0" is not a release this tool deploys \(1\.0, 1\.1\)/);
  assert.not.ok(existsSync(join(bad.dir, "out")), "nothing written");
});

test("flat variables and replay files record no commit: without --dioptra, exit 2 naming it", async () => {
  for (const input of [{ num_tensorflow_cpu_workers: "2" }, { cookiecutter: { num_tensorflow_cpu_workers: "2" } }]) {
    const dir = tempDir("dd-import-");
    const file = join(dir, "vars.json");
    writeFileSync(file, JSON.stringify(input));
    const r = await importVars(file);
    assert.is(r.code, 2, r.err);
    assert.match(r.err, /does not say which template commit it came from \(a replay file or plain variables\); pass --dioptra 1\.0 or --dioptra 1\.1/);
    assert.not.ok(existsSync(join(r.dir, "out")), "nothing written");
  }
});

test("import from the working directory with relative paths, as a user types it", async () => {
  const dir = tempDir("dd-import-");
  cpSync(join(FIXTURES, "datasets-dir", "cruft.json"), join(dir, ".cruft.json"));
  cpSync(OVERRIDE, join(dir, "docker-compose.override.yml"));
  const r = runCli(["import", "--cruft", ".cruft.json", "--compose", "docker-compose.override.yml", "--out", "deployment.config.ts"], { cwd: dir });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^deployment\.config\.ts: written .*; next: npx dioptra-deploy generate --config deployment\.config\.ts$/m);
  assert.match(readFileSync(join(dir, "deployment.config.ts"), "utf8"), /bindMount\("\/mnt\/models", "\/models"\)/);
});

test.run();
