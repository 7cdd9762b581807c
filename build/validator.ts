/**
 * Build step: compiles the vendored Compose schema to a standalone ajv
 * validator module (dist/generators/compose/compose-spec.validate.cjs), so
 * `generate` loads ready code instead of compiling the schema on every run.
 */
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { Ajv, ValidateFunction } from "ajv";
import { newComposeAjv } from "../generators/compose/compose-ajv.js";

const code = createRequire(import.meta.url)("ajv/dist/standalone/index.js") as (ajv: Ajv, v: ValidateFunction) => string;
const ajv = newComposeAjv({ code: { source: true } });
const validate = ajv.getSchema("compose")!;
const target = fileURLToPath(new URL("../generators/compose/compose-spec.validate.cjs", import.meta.url));
writeFileSync(target, code(ajv, validate));
