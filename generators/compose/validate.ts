/**
 * Validates a Compose model against the current Compose Specification
 * schema (vendored from dclint, which tracks compose-spec; see README), and
 * reduces ajv's errors to the most specific message per location.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Script } from "node:vm";
import type { ErrorObject, ValidateFunction } from "ajv";
import type { Issue } from "../../dsl/errors.js";
import { packagePath } from "../package-path.js";

let validator: ValidateFunction | undefined;
let script: Script | undefined;

/** Where the build puts the precompiled validator (build/validator.ts) and V8's code cache of it. */
export const VALIDATOR_FILE = packagePath("dist", "generators", "compose", "compose-spec.validate.cjs");
export const VALIDATOR_CACHE = `${VALIDATOR_FILE}.v8cache`;
/** The code cache starts with the SHA-256 of the source it was made from: V8 itself only checks the length. */
const HASH_BYTES = 32;

/**
 * The validator precompiled by the build, run as CommonJS through vm.Script so
 * that V8's code cache made by the build skips parsing and compiling its 200 kB
 * on every run. A cache from another source, Node or V8 flags is not used.
 */
function compile(): ValidateFunction {
  let source: string;
  try {
    source = readFileSync(VALIDATOR_FILE, "utf8");
  } catch (e) {
    throw new Error(`the precompiled Compose schema validator is missing; run \`npm run build\` (${(e as Error).message})`);
  }
  let cachedData: Buffer | undefined;
  try {
    const cache = readFileSync(VALIDATOR_CACHE);
    if (cache.subarray(0, HASH_BYTES).equals(createHash("sha256").update(source).digest())) cachedData = cache.subarray(HASH_BYTES);
  } catch {
    // no cache: compile from source
  }
  script = new Script(`(function (exports, require, module) {${source}\n})`, { filename: VALIDATOR_FILE, ...(cachedData ? { cachedData } : {}) });
  const module = { exports: {} as unknown };
  (script.runInThisContext() as (e: unknown, r: NodeJS.Require, m: { exports: unknown }) => void)(module.exports, createRequire(VALIDATOR_FILE), module);
  return module.exports as ValidateFunction;
}

/** For the build: V8's code cache of the validator as used so far in this process, prefixed by its source hash. */
export function validatorCodeCache(): Buffer {
  if (!script) throw new Error("internal error: the validator has not been loaded");
  return Buffer.concat([createHash("sha256").update(readFileSync(VALIDATOR_FILE, "utf8")).digest(), script.createCachedData()]);
}

/** Keeps, per instance path, the errors that are not just "one of the alternatives failed". */
export function reduceErrors(errors: readonly ErrorObject[]): { path: string; message: string }[] {
  const paths = errors.map((e) => e.instancePath);
  const specific = errors.filter((e) => {
    if (e.keyword === "anyOf" || e.keyword === "oneOf" || e.keyword === "if") return false;
    // A deeper error explains a shallower one produced by another alternative.
    return !paths.some((p) => p !== e.instancePath && p.startsWith(`${e.instancePath}/`));
  });
  const seen = new Set<string>();
  const out: { path: string; message: string }[] = [];
  for (const e of specific.length > 0 ? specific : errors) {
    const path = e.instancePath.slice(1).split("/").map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~")).join(".");
    const extra = "additionalProperty" in e.params ? ` (${String(e.params.additionalProperty)})` : "allowedValues" in e.params ? ` (${(e.params.allowedValues as unknown[]).join(", ")})` : "";
    const message = `${e.message ?? "is invalid"}${extra}`;
    const key = `${path}\0${message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ path, message });
    }
  }
  return out;
}

/** Schema problems of a Compose document, as issues located in `file`. */
export function composeSchemaIssues(file: string, doc: unknown): Issue[] {
  validator ??= compile();
  if (validator(JSON.parse(JSON.stringify(doc)))) return [];
  return reduceErrors(validator.errors ?? []).map((e) => ({ path: `${file}: ${e.path || "<root>"}`, message: e.message }));
}
