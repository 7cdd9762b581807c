/**
 * Validates a Compose model against the current Compose Specification
 * schema (vendored from dclint, which tracks compose-spec; see README), and
 * reduces ajv's errors to the most specific message per location.
 */
import { createRequire } from "node:module";
import type { ErrorObject, ValidateFunction } from "ajv";
import type { Issue } from "../../dsl/errors.js";
import { packagePath } from "../package-path.js";

let validator: ValidateFunction | undefined;

/** The validator precompiled by the build (build/validator.ts, part of `npm run build`). */
function compile(): ValidateFunction {
  try {
    return createRequire(import.meta.url)(packagePath("dist", "generators", "compose", "compose-spec.validate.cjs")) as ValidateFunction;
  } catch (e) {
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

/** Schema problems of a Compose document, as issues located in `file`. */
export function composeSchemaIssues(file: string, doc: unknown): Issue[] {
  validator ??= compile();
  if (validator(JSON.parse(JSON.stringify(doc)))) return [];
  return reduceErrors(validator.errors ?? []).map((e) => ({ path: `${file}: ${e.path || "<root>"}`, message: e.message }));
}
