/**
 * ajv set up for the vendored Compose schema. Only the build
 * (scripts/build-validator.ts) and the no-build fallback load it: ajv itself
 * takes ~50 ms to import, the precompiled validator a fraction of that.
 */
import { Ajv, type Options } from "ajv";
import schema from "./compose-spec.json" with { type: "json" };

/** ajv with the Compose schema registered under the key "compose". */
export function newComposeAjv(options: Options = {}): Ajv {
  // The upstream file names its meta-schema with https://, which ajv does not know; the
  // schema is draft-07, ajv's default. strict: false because it uses keywords ajv's
  // strict mode rejects (e.g. "deprecated").
  const { $schema: _meta, ...body } = schema as Record<string, unknown>;
  const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false, ...options });
  ajv.addSchema(body, "compose");
  return ajv;
}
