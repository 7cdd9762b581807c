/**
 * Validates a Compose model against the current Compose Specification
 * schema (vendored from dclint, which tracks compose-spec; see README), and
 * reduces ajv's errors to the most specific message per location.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
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
  // The build bundles ajv's helpers into the module, so it requires nothing (a createRequire costs ~5 ms).
  const noRequire = (id: string) => {
    throw new Error(`internal error: the precompiled validator requires ${id}; rebuild with \`npm run build\``);
  };
  (script.runInThisContext() as (e: unknown, r: unknown, m: { exports: unknown }) => void)(module.exports, noRequire, module);
  return module.exports as ValidateFunction;
}

/** For the build: V8's code cache of the validator as used so far in this process, prefixed by its source hash (undefined when not loaded). */
export function validatorCodeCache(): Buffer | undefined {
  if (!script) return undefined;
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

/**
 * Top-level service settings whose schema accepts any value of some JSON
 * types (`hostname`: any string), and those that are maps accepting any such
 * value under any key (`environment` in map form); the build reads them off
 * the schema (build/validator.ts) and stores them with the validator.
 */
export interface ServiceMasks {
  readonly leaf: Readonly<Record<string, readonly string[]>>;
  readonly dict: Readonly<Record<string, readonly string[]>>;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const BLANK: Readonly<Record<string, unknown>> = { string: "", number: 0, boolean: false, null: null };
function jsonType(v: unknown): string | undefined {
  if (v === null) return "null";
  if (typeof v === "number") return Number.isFinite(v) ? "number" : undefined; // JSON writes NaN as null
  return typeof v === "string" || typeof v === "boolean" ? typeof v : undefined;
}
/** `v`, or the blank value of its type where the schema accepts any value of that type. */
function blank(v: unknown, types: readonly string[]): unknown {
  const t = jsonType(v);
  return t !== undefined && types.includes(t) ? BLANK[t] : v;
}

/**
 * A service as JSON, with every value the schema cannot tell apart blanked:
 * services with equal shapes validate alike. Undefined when a map that is
 * blanked also appears elsewhere in the service (shared by reference), where
 * blanking would not be sound. A replacer rather than a blanked copy: this
 * runs for every worker, and JSON.stringify is native.
 */
function shape(body: Record<string, unknown>, masks: ServiceMasks): string | undefined {
  const dicts = new Map<object, { key: string; types: readonly string[] }>();
  let shared = false;
  for (const k of Object.keys(masks.dict)) {
    const v = body[k];
    if (!isPlainObject(v)) continue;
    if (dicts.has(v)) shared = true;
    dicts.set(v, { key: k, types: masks.dict[k]! });
  }
  const json = JSON.stringify(body, function (this: unknown, k: string, v: unknown) {
    const isDict = typeof v === "object" && v !== null && dicts.has(v);
    if (this === body) {
      if (isDict && dicts.get(v as object)!.key !== k) shared = true;
      const leaf = masks.leaf[k];
      return leaf ? blank(v, leaf) : v;
    }
    if (isDict) shared = true;
    const dict = dicts.get(this as object);
    return dict ? blank(v, dict.types) : v;
  });
  return shared ? undefined : json;
}

/**
 * The document with each service whose shape was met before replaced by `{}`
 * (a valid service), so the 1000 identical workers of a large deployment are
 * validated once. Each service is checked on its own against the service
 * schema (no rule relates two services), and equal shapes differ only where
 * the schema accepts any value of the type: so when this document passes,
 * the full one does. When it fails, the full document is validated, for the
 * problems as ajv reports them. Undefined when the document has no services map.
 */
function oncePerShape(doc: unknown, masks: ServiceMasks): unknown {
  if (!isPlainObject(doc) || !isPlainObject(doc.services)) return undefined;
  const seen = new Set<string>();
  const services: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const name of Object.keys(doc.services)) {
    const body = doc.services[name];
    const key = isPlainObject(body) ? shape(body, masks) : undefined;
    if (key !== undefined && seen.has(key)) services[name] = {};
    else {
      if (key !== undefined) seen.add(key);
      services[name] = body;
    }
  }
  return JSON.parse(JSON.stringify({ ...doc, services }));
}

/** Services validated by the last composeSchemaIssues call on its quick pass (for tests). */
export let validatedServicesForTest = 0;

/** Schema problems of a Compose document, as issues located in `file`. */
export function composeSchemaIssues(file: string, doc: unknown): Issue[] {
  validator ??= compile();
  const masks = (validator as ValidateFunction & { serviceMasks?: ServiceMasks }).serviceMasks;
  const quick = masks ? oncePerShape(doc, masks) : undefined;
  if (quick !== undefined) {
    const services = (quick as { services: Record<string, unknown> }).services;
    validatedServicesForTest = Object.values(services).filter((b) => !isPlainObject(b) || Object.keys(b).length > 0).length;
    if (validator(quick)) return [];
  }
  return everyServiceIssues(file, doc);
}

/** The schema check without grouping services: every service validated, ajv's errors reduced. */
function everyServiceIssues(file: string, doc: unknown): Issue[] {
  validator ??= compile();
  if (validator(JSON.parse(JSON.stringify(doc)))) return [];
  return reduceErrors(validator.errors ?? []).map((e) => ({ path: `${file}: ${e.path || "<root>"}`, message: e.message }));
}

/** For tests: the check that validates every service, which composeSchemaIssues must agree with. */
export const everyServiceIssuesForTest = everyServiceIssues;
