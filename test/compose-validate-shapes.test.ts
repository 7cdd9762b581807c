/**
 * The Compose schema check validates one service per shape (services that
 * differ only where the schema accepts any value of the type, like hostnames
 * and GPU numbers). It must report exactly what validating every service
 * reports: random changes to one worker of many, valid or not, give the same
 * issues both ways, and a large deployment really is checked in a few services.
 */
import * as fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { deployment } from "../dsl/deployment.js";
import { mainCompose } from "../targets/compose/lower.js";
import type { ComposeFile } from "../targets/compose/types.js";
import { composeSchemaIssues, everyServiceIssuesForTest, validatedServicesForTest } from "../targets/compose/validate.js";
import { buildModel } from "../model/build.js";

const SEED = Number(process.env.SEED ?? 5);
const RUNS = Number(process.env.RUNS ?? 300);

const composeOf = (workers: Record<string, number>) => mainCompose(buildModel(deployment({ workers }).toSpec()));

test("1000 workers are checked as a handful of shapes, and pass", () => {
  const doc = composeOf({ tensorflowCpu: 250, tensorflowGpu: 250, pytorchCpu: 250, pytorchGpu: 250 });
  assert.equal(composeSchemaIssues("docker-compose.yml", doc), []);
  const services = Object.keys(doc.services).length;
  assert.ok(services > 1000);
  assert.ok(validatedServicesForTest < 25, `${validatedServicesForTest} of ${services} services validated`);
});

/** Values of every JSON type, including ones no setting accepts. */
/** Values that pass some settings' schemas and fail others': names, patterns, whole and fractional numbers, other types. */
const SAMPLES: readonly unknown[] = ["ab", "-x", "", "always", "1g", "x y", 0, 1, 1.5, -2, Number.NaN, true, null, [], ["a"], {}, { a: "b" }];
const anyValue = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...SAMPLES) }, fc.string({ maxLength: 4 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(Number.NaN), fc.array(fc.string({ maxLength: 2 }), { maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 2 }), fc.string({ maxLength: 2 }), { maxKeys: 2 }));
/** Where to put it in one worker: settings with a typed-only schema, maps of them, and others. */
const PLACES: readonly (readonly string[])[] = [
  ["hostname"], ["restart"], ["image"], ["user"], ["shm_size"], ["scale"], ["mem_reservation"], ["pid"], ["storage_opt"], ["container_name"], ["command"], ["ports"], ["networks"],
  ["environment"], ["environment", "NVIDIA_VISIBLE_DEVICES"], ["environment", "NEW"], ["environment", ""], ["labels"], ["labels", "a"], ["healthcheck", "retries"], ["no_such_setting"],
];
const place = fc.constantFrom(...PLACES);

/** Sets `value` at `[key, sub]` of a service (a map entry when `sub` is given). */
function setAt(service: Record<string, unknown>, [key, sub]: readonly string[], value: unknown): void {
  if (sub === undefined) service[key!] = value;
  else service[key!] = { ...(typeof service[key!] === "object" && service[key!] !== null && !Array.isArray(service[key!]) ? (service[key!] as object) : {}), [sub]: value };
}

test("random changes to one worker of many: the same issues as validating every service", () => {
  const base = JSON.stringify(composeOf({ tensorflowCpu: 3, tensorflowGpu: 3, pytorchGpu: 2 }));
  const workers = Object.keys((JSON.parse(base) as ComposeFile).services).filter((n) => /gpu|cpu/.test(n));
  let failing = 0;
  fc.assert(
    // A value given to every worker, then another given to one: a wrongly blanked setting would
    // group the odd worker with valid ones and hide its problem.
    fc.property(place, anyValue, anyValue, fc.constantFrom(...workers), fc.array(fc.tuple(place, anyValue), { maxLength: 2 }), (where, common, odd, worker, changes) => {
      const doc = JSON.parse(base) as { services: Record<string, Record<string, unknown>> };
      for (const w of workers) setAt(doc.services[w]!, where, common);
      setAt(doc.services[worker]!, where, odd);
      for (const [at, value] of changes) setAt(doc.services[worker]!, at, value);
      const issues = composeSchemaIssues("f", doc);
      if (issues.length > 0) failing++;
      assert.equal(issues, everyServiceIssuesForTest("f", doc));
    }),
    { seed: SEED, numRuns: RUNS },
  );
  assert.ok(failing > 0 && failing < RUNS, `both valid and invalid documents are drawn (${failing} of ${RUNS} invalid)`);
});

test("random changes to the lowered document, whose workers share their parts: the same issues as validating every service", () => {
  // Unlike a parsed copy, the lowered document shares each pool's parts between its workers,
  // so a worker is often compared with the one before it (likePrevious) rather than written out.
  const workers = Object.keys(composeOf({ tensorflowCpu: 3, tensorflowGpu: 3, pytorchGpu: 2 }).services).filter((n) => /gpu|cpu/.test(n));
  fc.assert(
    fc.property(place, anyValue, fc.constantFrom(...workers), fc.array(fc.tuple(place, anyValue), { maxLength: 2 }), (where, odd, worker, changes) => {
      const doc = composeOf({ tensorflowCpu: 3, tensorflowGpu: 3, pytorchGpu: 2 }) as unknown as { services: Record<string, Record<string, unknown>> };
      setAt(doc.services[worker]!, where, odd);
      for (const [at, value] of changes) setAt(doc.services[worker]!, at, value);
      assert.equal(composeSchemaIssues("f", doc), everyServiceIssuesForTest("f", doc));
    }),
    { seed: SEED, numRuns: RUNS },
  );
});

test("every sample value given to every worker, and another to one: the same issues as validating every service", () => {
  const base = JSON.stringify(composeOf({ tensorflowCpu: 3, pytorchGpu: 2 }));
  const workers = Object.keys((JSON.parse(base) as ComposeFile).services).filter((n) => /gpu|cpu/.test(n));
  // The second worker of a pool: grouped with the first when their shapes are equal.
  const odd = workers[1]!;
  let grouped = 0;
  for (const where of PLACES) {
    for (const common of SAMPLES) {
      for (const value of SAMPLES) {
        const doc = JSON.parse(base) as { services: Record<string, Record<string, unknown>> };
        for (const w of workers) setAt(doc.services[w]!, where, common);
        setAt(doc.services[odd]!, where, value);
        const issues = composeSchemaIssues("f", doc);
        if (issues.length === 0 && validatedServicesForTest < Object.keys(doc.services).length) grouped++;
        assert.equal(issues, everyServiceIssuesForTest("f", doc), `${where.join(".")}: ${JSON.stringify(common)} everywhere, ${JSON.stringify(value)} in ${odd}`);
      }
    }
  }
  assert.ok(grouped > 0);
});

test("a bad value in the 700th worker is reported under its name", () => {
  const doc = composeOf({ tensorflowCpu: 1000 }) as unknown as { services: Record<string, Record<string, unknown>> };
  const name = Object.keys(doc.services).filter((n) => n.includes("tfcpu"))[699]!;
  doc.services[name]!.restart = 5;
  (doc.services[name]!.environment as Record<string, unknown>).EXTRA = { nested: true };
  const paths = composeSchemaIssues("docker-compose.yml", doc).map((i) => i.path);
  assert.ok(paths.includes(`docker-compose.yml: services.${name}.restart`), paths.join("\n"));
  assert.ok(paths.some((p) => p.startsWith(`docker-compose.yml: services.${name}.environment`)), paths.join("\n"));
});

test.run();
