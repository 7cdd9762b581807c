/**
 * `dioptra-deploy import`: every fixture's cruft.json (and its variables as a
 * flat file and as a replay file) becomes a config that generates the
 * reference's files; invalid variables, existing outputs and bad input files
 * are refused without writing anything.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "yaml";
import { synth } from "../generators/index.js";
import { loadConfig } from "../cli/load-config.js";
import { typecheckConfig } from "../cli/typecheck-config.js";
import { FIXTURES, ROOT, composeConfig, fixtureNames, haveTool, normalizeCompose, runCli, synthConfig, tempDir, withoutMarker } from "./helpers.js";

interface Result {
  code: number;
  out: string;
  err: string;
  dir: string;
  config: string;
}

/** Runs the shipped CLI's `import` into a fresh folder (or `config`), with `input` written there as JSON when it is not a path. */
async function importVars(input: string | object, options: { config?: string; args?: string[] } = {}): Promise<Result> {
  const dir = tempDir("dd-import-");
  const file = typeof input === "string" ? input : join(dir, "vars.json");
  if (typeof input !== "string") writeFileSync(file, JSON.stringify(input));
  const config = options.config ?? join(dir, "out", "deployment.config.ts");
  const r = runCli(["import", ...(options.args ?? ["--cruft", file, "--out", config])]);
  return { code: r.status ?? -1, out: r.stdout.trimEnd(), err: r.stderr.trimEnd(), dir, config };
}

const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;

/** Configs imported from the fixtures' cruft.json, type-checked together at the end (one compiler run). */
const imported: string[] = [];

for (const name of fixtureNames()) {
  const fixture = join(FIXTURES, name);

  test(`${name}: cruft.json imports to a config that generates the reference's files`, async () => {
    // Type-checked in one go by a later test, rather than also by each import.
    const r = await importVars(join(fixture, "cruft.json"));
    imported.push(r.config);
    assert.is(r.code, 0, r.err);
    assert.is(r.err, "", "no warnings");
    const text = readFileSync(r.config, "utf8");
    assert.match(text, /^\/\*\*\n \* Dioptra deployment imported by `dioptra-deploy import` from the cookiecutter\n \* template https:\/\/github\.com\/usnistgov\/dioptra/);
    assert.match(text.replace(/\n \* /g, " "), /at commit 63a29ea96070c40e843662f20a21d96848f9aebc/);
    assert.match(text, /^import \{ deployment \} from "dioptra-deploy";$/m);

    // Everything generated equals what the fixture's hand-written config generates, which the
    // parity tests compare with the reference render file by file.
    const ours = new Map(synth((await loadConfig(r.config)).toSpec()).map((f) => [f.path, f.content]));
    const theirs = new Map((await synthConfig(join(fixture, "deployment.config.ts"))).map((f) => [f.path, f.content]));
    assert.equal([...ours.keys()].sort(), [...theirs.keys()].sort());
    for (const [path, content] of theirs) assert.fixture(ours.get(path)!, content, path);

    // And directly: docker-compose.yml as data, the env files exactly. (docker-compose config of these
    // very bytes against the reference is parity.test's, and takes a second per run.)
    const ref = join(fixture, "reference");
    assert.equal(normalizeCompose(parse(ours.get("docker-compose.yml")!)), normalizeCompose(parse(readFileSync(join(ref, "docker-compose.yml"), "utf8"))));
    for (const env of readdirSync(join(ref, "envs"))) assert.fixture(withoutMarker(ours.get(`envs/${env}`) ?? ""), readFileSync(join(ref, "envs", env), "utf8"), env);
  });

  test(`${name}: the flat variables and a replay file give the same deployment`, async () => {
    const expected = (await loadConfig(join(fixture, "deployment.config.ts"))).toSpec();
    const vars = readJson(join(fixture, "cookiecutter.json"));
    for (const input of [join(fixture, "cookiecutter.json"), { cookiecutter: vars }]) {
      const r = await importVars(input);
      assert.is(r.code, 0, r.err);
      assert.match(readFileSync(r.config, "utf8").replace(/\n \* /g, " "), /from the cookiecutter variables in (cookiecutter|vars)\.json\./);
      assert.equal((await loadConfig(r.config)).toSpec(), expected);
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
  assert.match(readFileSync(defaults.config, "utf8"), /\nexport default deployment\(\{\}\);\n$/);
  assert.match(defaults.out, /every setting at the template's default/);
});

test("values as cookiecutter stores them: strings for numbers and booleans, any case", async () => {
  const r = await importVars(
    { num_tensorflow_gpu_workers: "2", nginx_expose_ports_on_localhost_only: "FALSE", __restapi_http_port: "8080", systemd_required_mounts: "a.mount  b.mount", __project_slug: "dioptra-deployment" },
    {},
  );
  assert.is(r.code, 0, r.err);
  assert.is(r.err, "");
  const props = (await loadConfig(r.config)).props;
  assert.equal(props, { nginx: { exposePortsOnLocalhostOnly: false, httpPort: 8080 }, workers: { tensorflowGpu: 2 }, systemd: { requiredMounts: ["a.mount", "b.mount"] } });
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
  assert.is((await importVars(vars, { args: ["--cruft", vars, "--out", config, "--force"] })).code, 1);
  assert.is(readFileSync(config, "utf8"), "// mine\n");
  const good = join(dir, "good.json");
  writeFileSync(good, JSON.stringify({ num_tensorflow_cpu_workers: "2" }));
  const forced = await importVars(good, { args: ["--cruft", good, "--out", config, "--force"] });
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
  if (!haveTool("docker-compose")) return;
  // The generated files describe the deployment the reference render plus the override file did.
  const ours = tempDir("dd-import-out-");
  for (const f of synth((await loadConfig(config)).toSpec())) {
    mkdirSync(join(ours, f.path, ".."), { recursive: true });
    writeFileSync(join(ours, f.path), f.content);
  }
  const theirs = tempDir("dd-import-ref-");
  cpSync(join(FIXTURES, "datasets-dir", "reference"), theirs, { recursive: true });
  cpSync(OVERRIDE, join(theirs, "docker-compose.override.yml"));
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
