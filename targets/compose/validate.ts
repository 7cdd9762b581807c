/**
 * Validates a Compose model against the current Compose Specification
 * schema (vendored from dclint, which tracks compose-spec; see README), and
 * reduces ajv's errors to the most specific message per location.
 */
import type { ErrorObject, ValidateFunction } from "ajv";
import type { Issue } from "../../validation/issues.js";
import { codeCachePath, requiresNothing, runCachedScript } from "../../runtime/cached-script.js";
import { packagePath } from "../../generators/package-path.js";

let validator: ValidateFunction | undefined;

/** Where the build puts the precompiled validator (build/validator.ts); its V8 code cache sits beside it. */
export const VALIDATOR_FILE = packagePath("dist", "targets", "compose", "compose-spec.validate.cjs");
export const VALIDATOR_CACHE = codeCachePath(VALIDATOR_FILE);

/**
 * The validator precompiled by the build, run from the code cache the build
 * made (runtime/cached-script.ts), which skips parsing and compiling its
 * 200 kB on every run.
 */
function compile(): ValidateFunction {
  try {
    // The build bundles ajv's helpers into the module, so it requires nothing (a createRequire costs ~5 ms).
    return runCachedScript(VALIDATOR_FILE, requiresNothing("the precompiled validator")).exports as ValidateFunction;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    throw new Error(`the precompiled Compose schema validator is missing; run \`npm run build\` (${(e as Error).message})`);
  }
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
 * Ids of the values met in this check: equal JSON, equal id. Services share
 * parts by identity (see the Compose lowering), so each part is written as
 * JSON once, and a service's shape is a short list of ids.
 */
class ShapeIds {
  private readonly exact = new WeakMap<object, number>();
  private readonly blanked = new Map<string, WeakMap<object, number>>();
  private readonly ids = new Map<string, number>();
  /** Strings, numbers, booleans and null by value: a Map tells "1" from 1, as JSON does. */
  private readonly scalars = new Map<unknown, number>();

  private id(json: string): number {
    let id = this.ids.get(json);
    if (id === undefined) this.ids.set(json, (id = this.ids.size));
    return id;
  }

  /** The id of `v`'s JSON. */
  json(v: unknown): number {
    if (v === null || typeof v !== "object") {
      let id = this.scalars.get(v);
      if (id === undefined) this.scalars.set(v, (id = this.id(JSON.stringify(v) ?? "undefined")));
      return id;
    }
    let id = this.exact.get(v);
    if (id === undefined) this.exact.set(v, (id = this.id(JSON.stringify(v))));
    return id;
  }

  /** The id of a map whose values of `types` the schema accepts under any key, with those values blanked. */
  dict(key: string, v: Record<string, unknown>, types: readonly string[]): number {
    let byObject = this.blanked.get(key);
    if (byObject === undefined) this.blanked.set(key, (byObject = new WeakMap()));
    let id = byObject.get(v);
    if (id === undefined) {
      // Only the map's own values are blanked: anything nested deeper is the schema's to tell apart.
      // Written by hand, as JSON.stringify would with a replacer (a GPU worker each has its own map).
      let json = "{";
      const keys = Object.keys(v);
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        const x = blank(v[k], types);
        const text = JSON.stringify(x);
        if (text !== undefined) json += `${json.length > 1 ? "," : ""}${JSON.stringify(k)}:${text}`;
      }
      json += "}";
      // The "b" keeps a blanked map from sharing an id with the same JSON met unblanked.
      byObject.set(v, (id = this.id(`b${json}`)));
    }
    return id;
  }
}

/**
 * A service as text that is equal for two services exactly when they are
 * equal after blanking every value the schema cannot tell apart: the
 * settings in `masks.leaf` (a hostname) and the values of the maps in
 * `masks.dict` (environment values). Services with equal shapes validate
 * alike. Only those positions are blanked: the same map met elsewhere in the
 * service is written out in full.
 */
function shape(body: Record<string, unknown>, keys: readonly string[], masks: ServiceMasks, ids: ShapeIds): string {
  let out = "";
  // An indexed loop: a run is over before V8 optimizes this, and an unoptimized for…of allocates per step.
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const v = body[k];
    // As JSON.stringify, which makes the document the validator sees: undefined, functions and symbols drop out.
    if (v === undefined || typeof v === "function" || typeof v === "symbol") continue;
    const leaf = masks.leaf[k];
    const dict = masks.dict[k];
    const id = leaf ? ids.json(blank(v, leaf)) : dict && isPlainObject(v) ? ids.dict(k, v, dict) : ids.json(v);
    out += `${ids.json(k)}:${id},`;
  }
  return out;
}

/** Whether two values of one key read alike once blanked where the schema accepts any value of `types`. */
const sameBlanked = (a: unknown, b: unknown, types: readonly string[]): boolean => a === b || blank(a, types) === blank(b, types);

/**
 * Whether `body` has the shape of `prev`, the service before it, found
 * without writing either out: the same keys in the same order, each value
 * the very same, or differing only where shape() blanks. Consecutive workers
 * of a pool differ in a hostname and a GPU number, and share the rest by
 * identity. True only when shape() would give both the same text; false
 * when unsure (then shape() decides).
 */
function likePrevious(prev: Record<string, unknown>, prevKeys: readonly string[], body: Record<string, unknown>, keys: readonly string[], masks: ServiceMasks): boolean {
  if (keys.length !== prevKeys.length) return false;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (k !== prevKeys[i]) return false;
    const a = body[k];
    const b = prev[k];
    if (a === b) continue;
    const leaf = masks.leaf[k];
    if (leaf !== undefined) {
      if (sameBlanked(a, b, leaf)) continue;
      return false;
    }
    const dict = masks.dict[k];
    if (dict === undefined || !isPlainObject(a) || !isPlainObject(b)) return false;
    const ak = Object.keys(a);
    const bk = Object.keys(b);
    if (ak.length !== bk.length) return false;
    for (let j = 0; j < ak.length; j++) if (ak[j] !== bk[j] || !sameBlanked(a[ak[j]!], b[ak[j]!], dict)) return false;
  }
  return true;
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
  const ids = new ShapeIds();
  const services: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const names = Object.keys(doc.services);
  let prev: { body: Record<string, unknown>; keys: readonly string[] } | undefined;
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const body = doc.services[name];
    if (!isPlainObject(body)) {
      services[name] = body;
      prev = undefined;
      continue;
    }
    const keys = Object.keys(body);
    // Like the service before it: that one's shape was met already (validated, or like one that was).
    if (prev !== undefined && likePrevious(prev.body, prev.keys, body, keys, masks)) services[name] = {};
    else {
      const key = shape(body, keys, masks, ids);
      if (seen.has(key)) services[name] = {};
      else {
        seen.add(key);
        services[name] = body;
      }
    }
    prev = { body, keys };
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
