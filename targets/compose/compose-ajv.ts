/**
 * ajv set up for the vendored Compose schema. Only the build
 * (build/validator.ts) loads it: ajv itself takes ~50 ms to import, the
 * precompiled validator a fraction of that.
 */
import { Ajv, type Options } from "ajv";
import schema from "./compose-spec.json" with { type: "json" };

type Schema = Record<string, unknown>;
/** Keywords whose value is a schema, or a list of schemas. */
const SUBSCHEMA = new Set(["items", "additionalItems", "additionalProperties", "contains", "propertyNames", "not", "if", "then", "else", "allOf", "anyOf", "oneOf"]);
/** Keywords whose value maps names to schemas. */
const SCHEMA_MAPS = new Set(["properties", "patternProperties", "definitions", "$defs", "dependencies"]);

/**
 * The schema without `description` annotations, which validation never reads:
 * they are a third of the text the standalone module would carry and parse
 * on every run. Only schema positions are visited, so a property that happens
 * to be named "description" stays.
 */
export function withoutDescriptions(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(withoutDescriptions);
  if (s === null || typeof s !== "object") return s;
  const out: Schema = {};
  for (const [k, v] of Object.entries(s as Schema)) {
    if (k === "description") continue;
    if (SUBSCHEMA.has(k)) out[k] = withoutDescriptions(v);
    else if (SCHEMA_MAPS.has(k) && v !== null && typeof v === "object" && !Array.isArray(v)) {
      out[k] = Object.fromEntries(Object.entries(v as Schema).map(([name, sub]) => [name, withoutDescriptions(sub)]));
    } else out[k] = v;
  }
  return out;
}

/** ajv with the Compose schema registered under the key "compose". */
export function newComposeAjv(options: Options = {}): Ajv {
  // The upstream file names its meta-schema with https://, which ajv does not know; the
  // schema is draft-07, ajv's default. strict: false because it uses keywords ajv's
  // strict mode rejects (e.g. "deprecated"). inlineRefs: false gives each $ref one function
  // instead of a copy per use: the standalone module shrinks from 403 to 318 kB and loads and
  // validates the default file ~25 ms faster.
  const { $schema: _meta, ...body } = withoutDescriptions(schema) as Schema;
  const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false, inlineRefs: false, ...options });
  ajv.addSchema(body, "compose");
  return ajv;
}
