/**
 * `dioptra-deploy set`: edits in place (comments and untouched bytes kept),
 * adds missing properties, follows the DSL's types for values, refuses bad
 * keys and values without touching the file; and locateSetting, which the
 * CLI uses to point at the line of a bad setting.
 */
import { chmodSync, copyFileSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadConfig } from "../app/load-config.js";
import { locateSetting } from "../config-edit/config-ast.js";
import { ROOT, runCli, tempDir } from "./helpers.js";

const COMMENTED = join(ROOT, "test", "import", "commented.config.ts");
const HEAD = 'import { deployment } from "dioptra-deploy";\n\n';

interface Result {
  code: number;
  out: string;
  err: string;
  before: string;
  after: string;
  file: string;
}

/** Writes `text` (or copies the commented config) to a fresh folder and runs the shipped CLI's `set` on it. */
async function set(text: string | undefined, ...args: string[]): Promise<Result> {
  const dir = tempDir("dd-set-");
  const file = join(dir, "deployment.config.ts");
  if (text === undefined) copyFileSync(COMMENTED, file);
  else writeFileSync(file, text);
  const before = readFileSync(file, "utf8");
  const r = runCli(["set", ...args, "--config", file]);
  assert.equal(readdirSync(dir), ["deployment.config.ts"], "no temporary file is left behind");
  return { code: r.status ?? -1, out: r.stdout.trimEnd(), err: r.stderr.trimEnd(), before, after: readFileSync(file, "utf8"), file };
}

/** Asserts that `after` is `before` with exactly these replacements, each applied once. */
function assertEdited(r: Result, ...edits: [string, string][]): void {
  assert.is(r.code, 0, r.err);
  let expected = r.before;
  for (const [from, to] of edits) {
    assert.ok(expected.includes(from), `the config contains ${JSON.stringify(from)}`);
    expected = expected.replace(from, to);
  }
  assert.fixture(r.after, expected);
}

test("changes a stated value and keeps every comment and untouched byte", async () => {
  const r = await set(undefined, "nginx.serverName=dioptra.lab.org", "workers.tensorflowCpu=3", "datasetsDirectory=/srv/data");
  assertEdited(
    r,
    ['serverName: "dioptra.vision.example.org"', 'serverName: "dioptra.lab.org"'],
    ["tensorflowCpu: 2,", "tensorflowCpu: 3,"],
    ['datasetsDirectory: "/srv/datasets"', 'datasetsDirectory: "/srv/data"'],
  );
  assert.match(r.out, /nginx\.serverName = "dioptra\.lab\.org" \(was "dioptra\.vision\.example\.org"\)/);
});

test("adds missing properties, nested ones included, in the layout of their object", async () => {
  const r = await set(
    undefined,
    "nginx.exposePortsOnLocalhostOnly=false",
    "systemd.requiredMounts=[\"a.mount\",\"b.mount\"]",
    "postgres.tag=16",
    "workers.tensorflowGpu=0",
  );
  assertEdited(
    r,
    ['{ serverName: "dioptra.vision.example.org" }', '{ serverName: "dioptra.vision.example.org", exposePortsOnLocalhostOnly: false }'],
    [
      "      workers: { 1: { gpus: [0] }, 2: { gpus: [1] } },\n    },\n",
      "      workers: { 1: { gpus: [0] }, 2: { gpus: [1] } },\n    },\n    tensorflowGpu: 0,\n",
    ],
    ['  datasetsDirectory: "/srv/datasets",\n', '  datasetsDirectory: "/srv/datasets",\n  systemd: { requiredMounts: ["a.mount", "b.mount"] },\n  postgres: { tag: "16" },\n'],
  );
  const d = await loadConfig(r.file);
  assert.equal(d.toSpec().postgres.tag, "16");
  assert.equal(d.toSpec().systemd.requiredMounts, ["a.mount", "b.mount"]);
});

test("a pool written as an object: the bare key and .count both set its count", async () => {
  for (const key of ["workers.pytorchGpu", "workers.pytorchGpu.count"]) {
    const r = await set(undefined, `${key}=3`);
    assertEdited(r, ["      count: 2,", "      count: 3,"]);
  }
});

test("a pool written as a number: .count sets the number, other keys turn it into a pool", async () => {
  assertEdited(await set(undefined, "workers.tensorflowCpu.count=5"), ["tensorflowCpu: 2,", "tensorflowCpu: 5,"]);
  assertEdited(await set(undefined, "workers.tensorflowCpu.workers.2.mounts=[]"), ["tensorflowCpu: 2,", "tensorflowCpu: { count: 2, workers: { 2: { mounts: [] } } },"]);
  // An unstated pool starts from the template's default count.
  assertEdited(await set(HEAD + "export default deployment({ workers: {} });\n", "workers.pytorchCpu.mounts=[]"), ["workers: {}", "workers: { pytorchCpu: { count: 1, mounts: [] } }"]);
});

test("values: JSON when it parses, else text, but a setting typed string gets a string", async () => {
  const cases: [string, string][] = [
    ["name=123", 'name: "123"'],
    ["tag=1.0", 'tag: "1.0"'],
    ["postgres.tag=16", 'postgres: { tag: "16" }'],
    ["nginx.httpPort=8080", "nginx: { httpPort: 8080 }"],
    ['nginx.certificate="provided"', 'nginx: { certificate: "provided" }'],
    ['pgadmin.defaultEmail="ops@lab.example.org"', 'pgadmin: { defaultEmail: "ops@lab.example.org" }'],
    ["datasetsDirectory=/srv/data", 'datasetsDirectory: "/srv/data"'],
    ['images.restapi={"tag":"1.0.2"}', 'images: { restapi: { tag: "1.0.2" } }'],
  ];
  for (const [arg, written] of cases) {
    const r = await set(HEAD + "export default deployment({});\n", arg);
    assertEdited(r, ["deployment({})", `deployment({ ${written} })`]);
  }
});

test("single quotes, no trailing commas and four-space indents are kept for inserted text", async () => {
  const text = "import { deployment } from 'dioptra-deploy';\n\nexport default deployment({\n    name: 'x',\n    nginx: {\n        httpPort: 8080\n    }\n});\n";
  assertEdited(await set(text, "nginx.serverName=a.example.org", "tag=v2"), ["        httpPort: 8080\n", "        httpPort: 8080,\n        serverName: 'a.example.org'\n"], ["    }\n});", "    },\n    tag: 'v2'\n});"]);
});

test("inserts after a trailing line comment, not into it", async () => {
  const text = HEAD + "export default deployment({\n  name: \"x\" // the name\n});\n";
  assertEdited(await set(text, "tag=v2"), ['  name: "x" // the name\n', '  name: "x", // the name\n  tag: "v2"\n']);
});

test("a long new value is written over several lines", async () => {
  const r = await set(HEAD + "export default deployment({\n  name: \"x\",\n});\n", 'customContainers.metrics-exporter={"image":"registry.example.org/exporter:2.1","dependsOn":{"db":"healthy"},"ports":[{"host":9187,"container":9187}]}');
  assertEdited(r, [
    '  name: "x",\n',
    '  name: "x",\n  customContainers: {\n    "metrics-exporter": {\n      image: "registry.example.org/exporter:2.1",\n      dependsOn: { db: "healthy" },\n      ports: [{ host: 9187, container: 9187 }],\n    },\n  },\n',
  ]);
});

test("the config shapes set understands: deployment(), a const, builder calls, a props variable", async () => {
  assertEdited(await set(HEAD + "export default deployment();\n", "tag=v2"), ["deployment()", 'deployment({ tag: "v2" })']);
  assertEdited(await set(HEAD + "const d = deployment({ tag: \"v1\" });\nexport default d;\n", "tag=v2"), ['tag: "v1"', 'tag: "v2"']);
  assertEdited(await set(HEAD + "const props = { tag: \"v1\" };\nexport default deployment(props);\n", "tag=v2"), ['tag: "v1"', 'tag: "v2"']);
  assertEdited(
    await set(HEAD + 'export default deployment({}).addContainer("web", { image: "web:1" });\n', "customContainers.web.image=web:2", "tag=v2"),
    ['image: "web:1"', 'image: "web:2"'],
    ["deployment({})", 'deployment({ tag: "v2" })'],
  );
});

test("a shared const is edited where it is declared; a missing list starts at index 0", async () => {
  const text = HEAD + "const workers = { tensorflowCpu: 2 };\n\nexport default deployment({ workers });\n";
  assertEdited(await set(text, "workers.tensorflowCpu=3"), ["tensorflowCpu: 2", "tensorflowCpu: 3"]);
  assertEdited(await set(text, "systemd.requiredMounts.0=mnt-data.mount"), ["deployment({ workers })", 'deployment({ workers, systemd: { requiredMounts: ["mnt-data.mount"] } })']);
  const listed = HEAD + 'export default deployment({ systemd: { requiredMounts: ["a.mount"] } });\n';
  assertEdited(await set(listed, "systemd.requiredMounts.1=b.mount"), ['["a.mount"]', '["a.mount", "b.mount"]']);
  assertEdited(await set(listed, "systemd.requiredMounts.0=c.mount"), ['["a.mount"]', '["c.mount"]']);
});

test("set through the shipped CLI from the config's folder, --config defaulting to deployment.config.ts", async () => {
  const dir = tempDir("dd-set-");
  const file = join(dir, "deployment.config.ts");
  writeFileSync(file, HEAD + "export default deployment({});\n");
  const r = runCli(["set", "workers.tensorflowGpu=2"], { cwd: dir });
  assert.is(r.status, 0, r.stderr);
  assert.match(readFileSync(file, "utf8"), /deployment\(\{ workers: \{ tensorflowGpu: 2 \} \}\)/);
});

test("the file keeps its permissions", async () => {
  const dir = tempDir("dd-set-");
  const file = join(dir, "deployment.config.ts");
  writeFileSync(file, HEAD + "export default deployment({});\n");
  chmodSync(file, 0o640);
  assert.is(runCli(["set", "tag=v2", "--config", file]).status, 0);
  assert.is(statSync(file).mode & 0o777, 0o640);
});

test("--unset removes stated settings with the comments that describe them, every other byte kept", async () => {
  const r = await set(undefined, "--unset", "nginx.serverName", "--unset", "datasetsDirectory", "--unset", "workers.pytorchGpu.workers.1", "--unset", "name");
  assertEdited(
    r,
    ['  name: "Vision Lab", // shown in the deployment README\n', ""],
    ['  nginx: { serverName: "dioptra.vision.example.org" },\n', "  nginx: {},\n"],
    ["workers: { 1: { gpus: [0] }, 2: { gpus: [1] } },", "workers: { 2: { gpus: [1] } },"],
    ['  /* Datasets live on the NAS. */\n  datasetsDirectory: "/srv/datasets",\n', ""],
  );
  assert.match(r.out, /nginx\.serverName removed, so its default applies \(was "dioptra\.vision\.example\.org"\)/);
  const spec = (await loadConfig(r.file)).toSpec();
  assert.is(spec.nginx.serverName, "dioptra.example.org");
  assert.is(spec.datasetsDirectory, undefined);
});

test("--unset of a pool's count unsets a pool that is only a count; a list entry moves the rest up", async () => {
  const r = await set(
    `${HEAD}export default deployment({\n  workers: {\n    tensorflowGpu: { count: 3 },\n    pytorchCpu: 2,\n  },\n  systemd: { requiredMounts: ["a.mount", "b.mount", "c.mount"] },\n});\n`,
    "--unset", "workers.tensorflowGpu.count", "--unset", "workers.pytorchCpu.count", "--unset", "systemd.requiredMounts.0",
  );
  assert.is(r.code, 0, r.err);
  assert.is(r.after, `${HEAD}export default deployment({\n  workers: {},\n  systemd: { requiredMounts: ["b.mount", "c.mount"] },\n});\n`);
  assert.match(r.out, /systemd\.requiredMounts\.0 removed from its list \(was "a\.mount"\)/);
});

test("--unset of the last entry in a file without trailing commas leaves none", async () => {
  const r = await set(`${HEAD}export default deployment({\n  nginx: {\n    serverName: "a.org",\n    tls: false\n  }\n});\n`, "--unset", "nginx.tls");
  assert.is(r.code, 0, r.err);
  assert.is(r.after, `${HEAD}export default deployment({\n  nginx: {\n    serverName: "a.org"\n  }\n});\n`);
});

test("--unset of entries sharing a line with others or with the closer", async () => {
  const r = await set(`${HEAD}export default deployment({\n  nginx: {\n    serverName: "a.org",\n    tls: false },\n  name: "x", tag: "v1",\n});\n`, "--unset", "nginx.tls", "--unset", "name");
  assert.is(r.code, 0, r.err);
  assert.is(r.after, `${HEAD}export default deployment({\n  nginx: {\n    serverName: "a.org" },\n  tag: "v1",\n});\n`);
});

test("--unset of what the file does not state changes nothing; set and --unset mix", async () => {
  const none = await set(undefined, "--unset", "postgres.tag");
  assert.is(none.code, 0, none.err);
  assert.is(none.after, none.before);
  assert.match(none.out, /already so/);
  const both = await set(undefined, "tag=v2", "--unset", "workers.tensorflowCpu");
  assertEdited(both, ["    tensorflowCpu: 2,\n", ""], ['  datasetsDirectory: "/srv/datasets",\n', '  datasetsDirectory: "/srv/datasets",\n  tag: "v2",\n']);
});

const REJECTED: [args: string[], code: number, message: RegExp][] = [
  [["nginx.servername=dioptra.lab.org"], 1, /:12:\d+ {2}nginx\.servername=dioptra\.lab\.org: unknown setting .*did you mean nginx\.serverName\?/],
  [["workers.tensorflowGpu=-1"], 1, /workers\.tensorflowGpu=-1: must be a whole number ≥ 0, got -1/],
  [["workers.pytorchGpu=-1"], 1, /:17:\d+ {2}workers\.pytorchGpu=-1: workers\.pytorchGpu\.count: must be a whole number ≥ 0, got -1/],
  [["nginx.httpPort=abc"], 1, /nginx\.httpPort=abc: must be a port number from 1 to 65535, got "abc"/],
  [["nginx.httpPort=0"], 1, /nginx\.httpPort=0: must be a port number/],
  [["nginx.tls=yes"], 1, /nginx\.tls=yes: must be true or false, got "yes"/],
  [["datasetsDirectory=data/sets"], 1, /datasetsDirectory=data\/sets: "data\/sets" is not a usable datasets directory/],
  [["nginx.serverName=a b"], 1, /nginx\.serverName=a b: "a b" is not a single host name/],
  [["frobnicate=1"], 1, /frobnicate=1: unknown setting/],
  [["workers.pytorchGpu.workers.3.gpus=[2]"], 1, /workers\.pytorchGpu\.workers\.3: is not a worker of this pool/],
  // A good value after a bad one is not written either.
  [["tag=v2", "nginx.httpPort=abc"], 1, /nginx\.httpPort=abc/],
  [["workers.pytorchGpu.mounts.0.source=/srv/other"], 1, /`models` \(line 18\), which set cannot edit; edit the file by hand/],
  [[], 2, /no KEY=VALUE or --unset KEY given/],
  [["tag"], 2, /"tag" is not KEY=VALUE/],
  [["a..b=1"], 2, /is not KEY=VALUE/],
  [["tag=v2", "--nope"], 2, /unknown flag --nope/],
  [["--unset", "nginx.servername"], 1, /--unset nginx\.servername: nginx\.servername: unknown setting .*did you mean nginx\.serverName\?/],
  [["--unset", "workers.pytorchGpu.count"], 1, /--unset workers\.pytorchGpu\.count: workers\.pytorchGpu\.count: must be a whole number/],
  [["--unset", "workers.pytorchGpu.mounts.0.source"], 1, /--unset workers\.pytorchGpu\.mounts\.0\.source: workers\.pytorchGpu\.mounts\.0\.source: /],
  [["--unset", "tag", "tag=v2"], 2, /tag is both set and unset/],
  [["--unset", "a..b"], 2, /--unset "a\.\.b": not a setting path/],
];

for (const [args, code, message] of REJECTED) {
  test(`refused, file byte-identical: set ${args.join(" ") || "(nothing)"}`, async () => {
    const r = await set(undefined, ...args);
    assert.is(r.code, code, r.err);
    assert.match(r.err, message);
    assert.is(r.after, r.before);
  });
}

test("a missing config is a usage error", async () => {
  const r = runCli(["set", "tag=v2", "--config", join(tempDir(), "nope.ts")]);
  assert.is(r.status, 2);
  assert.match(r.stderr, /config file .*nope\.ts not found/);
});

test("an edit that would not take effect is refused (the edited copy is loaded and compared)", async () => {
  // The literal says "a", but the code changes it afterwards: editing the literal would change nothing.
  const text = HEAD + 'const props = { name: "a" };\nprops.name = "b";\nexport default deployment(props);\n';
  const r = await set(text, "name=c");
  assert.is(r.code, 1);
  assert.match(r.err, /name=c: the edited config does not give that value/);
  assert.is(r.after, r.before);
});

test("a value the DSL's types reject is refused by the type check (raw Compose is only checked at generate)", async () => {
  const r = await set(undefined, "overrides.services.vision-lab-restapi.cpus=[1]");
  assert.is(r.code, 1);
  assert.match(r.err, /the edited config would not type-check:\n {2}.*deployment\.config\.ts \(edited\):\d+:\d+ {2}TS\d+: /);
  assert.is(r.after, r.before);
});

test("a config that does not load is reported, not edited", async () => {
  const r = await set(HEAD + "export default deployment({ name: });\n", "tag=v2");
  assert.is(r.code, 1);
  assert.match(r.err, /error: /);
  assert.is(r.after, r.before);
});

test("setting a value it already has changes nothing", async () => {
  const r = await set(undefined, "workers.tensorflowCpu=2");
  assert.is(r.code, 0);
  assert.is(r.after, r.before);
});

/** Line and column (1-based) of the first occurrence of `needle` in the commented config. */
function positionOf(needle: string): { line: number; column: number } {
  const text = readFileSync(COMMENTED, "utf8");
  const i = text.indexOf(needle);
  assert.ok(i >= 0, needle);
  const before = text.slice(0, i).split("\n");
  return { line: before.length, column: before.at(-1)!.length + 1 };
}

test("locateSetting: the property that states a setting, else its nearest stated ancestor", () => {
  const cases: [string, string][] = [
    ["name", "name:"],
    ["nginx.serverName", "serverName:"],
    ["workers.pytorchGpu.count", "count: 2"],
    ["workers.pytorchGpu.workers.2.gpus", "gpus: [1]"],
    ["workers.pytorchGpu.workers.2.gpus.0", "1] }"],
    ["workers.pytorchGpu.mounts.0", "models]"],
    ["workers.pytorchGpu.mounts.0.source", "models]"],
    ["workers.tensorflowCpu.count", "tensorflowCpu:"],
    ["nginx.httpPort", "nginx:"],
    ["postgres.tag", "deployment({"],
    ["", "deployment({"],
  ];
  for (const [path, needle] of cases) assert.equal(locateSetting(COMMENTED, path), positionOf(needle), path);
});

test("locateSetting: other config shapes, and undefined when there is nothing to point at", () => {
  const dir = tempDir("dd-locate-");
  const write = (name: string, body: string) => {
    writeFileSync(join(dir, name), HEAD + body);
    return join(dir, name);
  };
  const viaConst = write("a.ts", 'const d = deployment({\n  customContainers: {\n    web: { image: "w:1", ports: [{ host: 8080, container: 80 }] },\n  },\n});\nexport default d;\n');
  assert.equal(locateSetting(viaConst, "customContainers.web.ports.0.host"), { line: 5, column: 36 });
  assert.equal(locateSetting(viaConst, "customContainers.web.ports.1.host"), { line: 5, column: 26 });
  const builder = write("b.ts", 'export default deployment({})\n  .addContainer("web", { image: "w:1" });\n');
  assert.equal(locateSetting(builder, "customContainers.web.image"), { line: 4, column: 26 });
  assert.equal(locateSetting(builder, "customContainers.web"), { line: 3, column: 16 });
  assert.is(locateSetting(write("c.ts", "export default 1;\n"), "name"), undefined);
  assert.is(locateSetting(join(dir, "missing.ts"), "name"), undefined);
});

test.run();
