/**
 * The direct YAML emitter (targets/compose/serialize.ts) against the
 * `yaml` library serializer it replaced (targets/compose/yaml-lib.ts):
 * for random documents and random configs, the emitter writes the library's
 * bytes or hands the document to the library, and what ships reads back, in
 * PyYAML (docker-compose 1.29's reader, YAML 1.1), `yaml` as YAML 1.1 and
 * `yaml` as YAML 1.2, as the same data as the library's text and as the model.
 */
import { spawnSync } from "node:child_process";
import * as fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Document, parse } from "yaml";
import { deployment } from "../dsl/deployment.js";
import type { DeploymentProps } from "../dsl/props.js";
import { initCompose, mainCompose } from "../targets/compose/lower.js";
import { emitYamlForTest, YAML11_IMPLICIT, yamlBody } from "../targets/compose/serialize.js";
import type { ComposeFile } from "../targets/compose/types.js";
import { libYamlBody } from "../targets/compose/yaml-lib.js";
import { canonical } from "../targets/compose/yaml-style.js";
import { synth } from "../generators/index.js";
import { buildModel } from "../model/build.js";
import { haveTool } from "./helpers.js";

const SEED = Number(process.env.SEED ?? 11);
const RUNS = Number(process.env.RUNS ?? 400);

/** Pieces that steer YAML's choices: indicators, 1.1 booleans and numbers, document markers, quotes. */
const ASCII_PIECES = [
  ..."$${}[];#:'\"`\\,&*!|>%@?-=~/. _+<0123456789abcxyzEe".split(""),
  "yes", "No", "ON", "off", "y", "N", "~", "null", "NULL", "true", "False", "0x1F", "0b101", "017", "0o17", "1e3", "-1.5", ".inf", "-.Inf", ".NaN",
  "1_000", "22:22", "190:20:30.15", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "<<", "---", "...", "%YAML", "- ", ": ", " #", "a: b", "#c", "=",
  "${HOME}", "$$", "ports", "volumes", "environment", "o", "device", "services", "healthcheck", "test", "image", "command",
];
/** Characters outside the emitter's class: line breaks, tabs, control and non-ASCII characters. */
const OTHER_PIECES = ["\n", "\r", "\t", "\u0007", "\u007f", "\u0085", "\u0090", "\u00a0", "\u2028", "\u2029", "\ufffe", "é", "中", "💥", "\n\n", " \n", "\n "];

const joined = (pieces: fc.Arbitrary<string>) => fc.array(pieces, { maxLength: 6 }).map((p) => p.join(""));
const DOCUMENT_MARKER = /^(?:%|---|\.\.\.)/;
/** Document markers (`...`, `---`, `%`) at the start of a plain scalar are the library's to spell: not in the emitter's class. */
const simpleString = joined(fc.oneof(fc.constantFrom(...ASCII_PIECES), fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 4 }))).filter((s) => !DOCUMENT_MARKER.test(s));
const anyString = fc.oneof({ weight: 4, arbitrary: simpleString }, { weight: 1, arbitrary: joined(fc.constantFrom(...ASCII_PIECES, ...OTHER_PIECES)) }, { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 6 }) });

/** Random Compose-like documents: nested maps and lists under service, volume and top-level keys. */
function documents(str: fc.Arbitrary<string>, scalars: fc.Arbitrary<unknown>, keyPieces = ASCII_PIECES) {
  const key = fc.oneof(fc.constantFrom(...keyPieces), str);
  const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      scalars,
      fc.array(tie("value"), { maxLength: 4 }),
      fc.dictionary(key, fc.oneof(tie("value"), fc.constant(undefined)), { maxKeys: 4 }),
    ),
  }));
  // Keys of the orders canonical() applies, and array-index keys, which JS objects list first.
  const serviceKey = fc.oneof(fc.constantFrom("image", "volumes", "environment", "ports", "command", "healthcheck", "hostname", "restart", "0", "7", "10"), key);
  const healthcheck = fc.dictionary(fc.constantFrom("test", "interval", "timeout", "retries", "start_period", "2", "x"), value, { maxKeys: 5 });
  const service = fc.oneof(
    { weight: 6, arbitrary: fc.dictionary(serviceKey, fc.oneof({ weight: 4, arbitrary: value }, { weight: 1, arbitrary: healthcheck }), { maxKeys: 6 }) },
    { weight: 1, arbitrary: fc.array(value, { maxLength: 2 }) },
  );
  const services = fc.oneof({ weight: 6, arbitrary: fc.dictionary(fc.oneof(key, fc.constantFrom("0", "3", "12")), service, { maxKeys: 3 }) }, { weight: 1, arbitrary: value });
  const topKey = fc.constantFrom("services", "volumes", "networks", "x-extra", "1", "name");
  const top = fc.dictionary(topKey, fc.oneof({ weight: 3, arbitrary: services }, { weight: 1, arbitrary: value }), { maxKeys: 4 });
  // A services entry is the document's services map whatever the key: canonical() reads `services`.
  const withServices = fc.tuple(top, services).map(([t, svc]) => (svc === undefined ? t : { ...t, services: svc }));
  return fc.oneof({ weight: 8, arbitrary: withServices }, { weight: 1, arbitrary: fc.array(value, { maxLength: 3 }) }) as unknown as fc.Arbitrary<ComposeFile>;
}

const simpleScalar = fc.oneof(simpleString, fc.integer(), fc.constantFrom(0, -1, Number.MAX_SAFE_INTEGER, true, false, null));
const anyScalar = fc.oneof(anyString, fc.integer(), fc.double(), fc.constantFrom(-0, 1e21, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY, true, false, null), fc.constant("k".repeat(1001)));

/** The yaml library's text for `doc`, or undefined where canonical() itself throws (a service that is not an object). */
function reference(doc: ComposeFile): string | undefined {
  let c: object;
  try {
    c = canonical(doc);
  } catch {
    assert.throws(() => yamlBody(doc), "what the reference cannot order, the emitter refuses too");
    return undefined;
  }
  return libYamlBody(c);
}

test("the emitter's table of YAML 1.1 implicit types is the yaml library's", () => {
  const { tags } = new Document(null, { version: "1.1" }).schema;
  const lib = tags.filter((t) => t.default && t.tag !== "tag:yaml.org,2002:str" && t.test).map((t) => String(t.test));
  assert.equal(YAML11_IMPLICIT.map(String), lib);
});

test("emitter: the library's bytes for random documents of its class (and it takes them all)", () => {
  fc.assert(
    fc.property(documents(simpleString, simpleScalar, ASCII_PIECES.filter((p) => !DOCUMENT_MARKER.test(p))), (doc) => {
      const ref = reference(doc);
      if (ref === undefined) return;
      const fast = emitYamlForTest(doc);
      assert.ok(fast !== undefined, "a document of printable ASCII, whole numbers, booleans and null stays on the fast path");
      assert.fixture(fast, ref);
    }),
    { seed: SEED, numRuns: RUNS },
  );
});

test("emitter: the library's bytes or a hand-over, for random documents of any content", () => {
  let handedOver = 0;
  fc.assert(
    fc.property(documents(anyString, anyScalar), (doc) => {
      const ref = reference(doc);
      if (ref === undefined) return;
      const fast = emitYamlForTest(doc);
      if (fast === undefined) handedOver++;
      else assert.fixture(fast, ref);
      assert.fixture(yamlBody(doc), ref);
    }),
    { seed: SEED, numRuns: RUNS },
  );
  assert.ok(handedOver > 0 && handedOver < RUNS, `both paths are exercised (${handedOver} of ${RUNS} handed over)`);
});

test("emitter: documents it must hand over are handed over", () => {
  for (const v of ["a\nb", "tab\there", "é", "nel\u0085", "...", "...x", "\u0007", "\u007f", 1.5, -0, Number.NaN, 2 ** 53, new Date(0)]) {
    assert.is(emitYamlForTest({ services: { s: { command: [v as string] } } }), undefined, `value ${JSON.stringify(String(v))}`);
  }
  assert.is(emitYamlForTest({ services: { ["k".repeat(1001)]: {} } }), undefined, "a key the library writes as `? key`");
  assert.is(emitYamlForTest({ services: { s: { environment: { "%x": "a" } } } }), undefined, "a key starting with a document marker");
  assert.ok(emitYamlForTest({ services: { s: { command: ["x".repeat(5000)] } } }) !== undefined, "long values stay (no folding at lineWidth 0)");
});

test("emitter: a string met as a key and then as a value is spelled for each place", () => {
  // Keys follow the library's plain rules (`a:b` stays plain), values FRAGILE's (`a:b` is quoted).
  for (const s of ["a:b", "x#y", "yes", "<<", "=", "a,b", "c'd", 'e"f']) {
    const doc = { volumes: { [s]: { labels: [s], [s]: s } }, networks: { n: { name: s } } } as unknown as ComposeFile;
    assert.fixture(emitYamlForTest(doc)!, reference(doc)!, s);
  }
});

/** Random configs: worker pools, custom containers and overlays carrying strings of every kind. */
const configs: fc.Arbitrary<DeploymentProps> = fc.record(
  {
    workers: fc.record({ tensorflowCpu: fc.nat(3), pytorchGpu: fc.nat(2) }),
    customContainers: fc.dictionary(
      fc.constantFrom("carrier", "side-car", "x"),
      fc.record({ image: fc.constantFrom("carrier:1", "reg.example.org:5000/c:2"), environment: fc.dictionary(fc.constantFrom("A", "B_1", "yes"), anyString.filter((s) => !s.includes("\0")), { maxKeys: 3 }), command: fc.array(anyString.filter((s) => !s.includes("\0")), { maxLength: 4 }) }),
      { maxKeys: 2 },
    ),
    overrides: fc.record({ services: fc.constant({}), volumes: fc.dictionary(fc.constantFrom("extra", "on", "22:22"), fc.record({ labels: fc.dictionary(fc.constantFrom("a", "no", "1.0"), anyString, { maxKeys: 2 }) }), { maxKeys: 2 }) }),
    environments: fc.dictionary(fc.constantFrom("staging", "prod"), fc.record({ volumes: fc.dictionary(fc.constantFrom("extra", "off"), fc.record({ driver: fc.constantFrom("local", "nfs") }), { maxKeys: 1 }) }), { maxKeys: 2 }),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<DeploymentProps>;

/** Every Compose document a config generates, as the model the serializer gets. */
function composeModels(props: DeploymentProps): { path: string; model: ComposeFile }[] {
  const { spec } = deployment(props).resolve();
  if (!spec) return []; // refused by validation (e.g. a NUL): nothing is written
  const m = buildModel(spec);
  const clone = (o: unknown) => JSON.parse(JSON.stringify(o)) as ComposeFile;
  return [
    { path: "docker-compose.yml", model: mainCompose(m) },
    { path: "docker-compose.init.yml", model: initCompose(m) },
    ...(props.overrides ? [{ path: "docker-compose.override.yml", model: clone(props.overrides) }] : []),
    ...Object.entries(props.environments ?? {})
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, o]) => ({ path: `docker-compose.${name}.yml`, model: clone(o) })),
  ];
}

/** PyYAML's reading of each text (YAML 1.1, as docker-compose 1.29 reads Compose files), in one process. */
function pyYaml(texts: readonly string[]): unknown[] {
  const script = "import json, sys, yaml; json.dump([yaml.safe_load(t) for t in json.load(sys.stdin)], sys.stdout, default=lambda o: ['not JSON', str(o)])";
  const r = spawnSync("python3", ["-c", script], { input: JSON.stringify(texts), encoding: "utf8", maxBuffer: 1 << 28 });
  assert.is(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as unknown[];
}

test("random configs: each Compose file is the library's bytes and reads back as the model in PyYAML, yaml 1.1 and yaml 1.2", () => {
  const cases = fc.sample(configs, { seed: SEED, numRuns: 120 }).flatMap((props) => {
    const models = composeModels(props);
    const files = models.length > 0 ? synth(deployment(props).toSpec()) : [];
    return models.map(({ path, model }) => {
      const shipped = yamlBody(model);
      const old = libYamlBody(canonical(model));
      assert.fixture(shipped, old, path);
      assert.ok(files.find((f) => f.path === path)!.content.endsWith(shipped), `${path} ships the serializer's text`);
      return { path, shipped, old, data: JSON.parse(JSON.stringify(canonical(model))) as unknown };
    });
  });
  assert.ok(cases.some((c) => c.path.includes("staging") || c.path.includes("prod")), "overlays are among the cases");
  for (const c of cases) {
    assert.equal(parse(c.shipped, { version: "1.1" }), c.data, `${c.path} as YAML 1.1`);
    assert.equal(parse(c.shipped, { version: "1.2" }), parse(c.old, { version: "1.2" }), `${c.path} as YAML 1.2, against the library's text`);
  }
  if (!haveTool("python3", ["-c", "import yaml"])) return;
  const py = pyYaml(cases.flatMap((c) => [c.shipped, c.old]));
  cases.forEach((c, i) => {
    assert.equal(py[2 * i], c.data, `${c.path} in PyYAML`);
    assert.equal(py[2 * i], py[2 * i + 1], `${c.path} in PyYAML, against the library's text`);
  });
});

test("random documents: what ships reads back in PyYAML as in the library's text (one batch)", () => {
  if (!haveTool("python3", ["-c", "import yaml"])) return;
  const docs = fc.sample(documents(anyString, fc.oneof(anyString, fc.integer(), fc.boolean(), fc.constant(null))), { seed: SEED, numRuns: RUNS }).filter((d) => reference(d) !== undefined);
  const py = pyYaml(docs.flatMap((d) => [yamlBody(d), reference(d)!]));
  docs.forEach((d, i) => {
    assert.equal(py[2 * i], py[2 * i + 1]);
    assert.equal(parse(yamlBody(d), { version: "1.2" }), parse(reference(d)!, { version: "1.2" }));
  });
});

test.run();
