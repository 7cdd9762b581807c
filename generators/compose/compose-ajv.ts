/**
 * ajv set up for the vendored Compose schema. Only the build
 * (build/validator.ts) and the no-build fallback load it: ajv itself
 * takes ~50 ms to import, the precompiled validator a fraction of that.
 */
import { Ajv, type Options } from "ajv";
import schema from "./compose-spec.json" with { type: "json" };

/** ajv with the Compose schema registered under the key "compose". */
export function newComposeAjv(options: Options = {}): Ajv {
  // The upstream file names its meta-schema with https://, which ajv does not know; the
  // schema is draft-07, ajv's default. strict: false because it uses keywords ajv's
  // strict mode rejects (e.g. "deprecated"). inlineRefs: false gives each $ref one function
  // instead of a copy per use: the standalone module shrinks from 403 to 318 kB and loads and
  // validates the default file ~25 ms faster.
  const { $schema: _meta, ...body } = schema as Record<string, unknown>;
  const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false, inlineRefs: false, ...options });
  ajv.addSchema(body, "compose");
  return ajv;
}
