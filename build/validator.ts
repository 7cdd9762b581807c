/**
 * Build step: compiles the vendored Compose schema to a standalone ajv
 * validator module (dist/generators/compose/compose-spec.validate.cjs),
 * minified, so `generate` loads ready code instead of compiling the schema on
 * every run; then runs it on a few generated deployments and stores V8's code
 * cache of it (…validate.cjs.v8cache), so runs skip parsing and compiling the
 * module's functions as well.
 */
import { rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Ajv, ValidateFunction } from "ajv";
import { transformSync } from "esbuild";
import { newComposeAjv } from "../generators/compose/compose-ajv.js";
import { VALIDATOR_CACHE, VALIDATOR_FILE } from "../generators/compose/validate.js";

const code = createRequire(import.meta.url)("ajv/dist/standalone/index.js") as (ajv: Ajv, v: ValidateFunction) => string;
const ajv = newComposeAjv({ code: { source: true } });
const validate = ajv.getSchema("compose")!;
rmSync(VALIDATOR_CACHE, { force: true });
writeFileSync(VALIDATOR_FILE, transformSync(code(ajv, validate), { minify: true, loader: "js", target: "node20" }).code);

// The code cache holds what was compiled when it is made: validate the shapes generate meets.
const { deployment } = await import("../dsl/deployment.js");
const { synth } = await import("../generators/index.js");
const { validatorCodeCache } = await import("../generators/compose/validate.js");
synth(deployment({}).toSpec());
synth(
  deployment({
    workers: { tensorflowCpu: 1, tensorflowGpu: 1, pytorchCpu: 1, pytorchGpu: 1 },
    customContainers: { sample: { image: "sample:1", environment: { A: "a" }, command: ["run"] } },
    overrides: { services: {} },
    environments: { sample: { services: {} } },
  }).toSpec(),
);
writeFileSync(VALIDATOR_CACHE, validatorCodeCache());
