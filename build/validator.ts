/**
 * Build step: compiles the vendored Compose schema to a standalone ajv
 * validator module (dist/targets/compose/compose-spec.validate.cjs),
 * bundled with ajv's runtime helpers and minified, so `generate` loads ready code instead of compiling the schema on
 * every run. Its V8 code cache is made by the bundle step (build/bundle.ts),
 * after sample runs of the CLI.
 */
import { rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Ajv, ValidateFunction } from "ajv";
import { buildSync } from "esbuild";
import { newComposeAjv, withoutDescriptions } from "../targets/compose/compose-ajv.js";
import schema from "../targets/compose/compose-spec.json" with { type: "json" };
import { type ServiceMasks, VALIDATOR_CACHE, VALIDATOR_FILE } from "../targets/compose/validate.js";
import { packagePath } from "../generators/package-path.js";

const code = createRequire(import.meta.url)("ajv/dist/standalone/index.js") as (ajv: Ajv, v: ValidateFunction) => string;
const ajv = newComposeAjv({ code: { source: true } });
const validate = ajv.getSchema("compose")!;
rmSync(VALIDATOR_CACHE, { force: true });
/**
 * Which service settings accept any value of some JSON types (targets/compose/validate.ts
 * validates one service per shape with them): a setting whose schema is only `type`, and a
 * setting whose schema is a $ref to a oneOf of such a map (any key, values only typed) and
 * non-object branches, like `environment`.
 */
function serviceMasks(schema: Record<string, any>): ServiceMasks {
  const types = (s: unknown): string[] | undefined => {
    if (s === null || typeof s !== "object" || Object.keys(s).length !== 1 || !("type" in s)) return undefined;
    const t = (s as { type: unknown }).type;
    const list = Array.isArray(t) ? t : [t];
    return list.every((x) => typeof x === "string") ? (list as string[]) : undefined;
  };
  const leaf: Record<string, string[]> = {};
  const dict: Record<string, string[]> = {};
  for (const [name, prop] of Object.entries(schema.definitions.service.properties as Record<string, any>)) {
    const t = types(prop);
    if (t) leaf[name] = t;
    const ref = typeof prop.$ref === "string" && Object.keys(prop).length === 1 ? /^#\/definitions\/([\w-]+)$/.exec(prop.$ref)?.[1] : undefined;
    const def = ref ? schema.definitions[ref] : undefined;
    if (!def || Object.keys(def).length !== 1 || !Array.isArray(def.oneOf)) continue;
    const maps = def.oneOf.filter((b: any) => b.type === "object");
    const others = def.oneOf.filter((b: any) => b.type !== "object");
    const [map] = maps;
    const valueTypes = map ? types(map.patternProperties?.[".+"]) : undefined;
    const exact = map && Object.keys(map).sort().join() === "additionalProperties,patternProperties,type" && map.additionalProperties === false && Object.keys(map.patternProperties).length === 1;
    if (maps.length === 1 && exact && valueTypes && others.every((b: any) => typeof b.type === "string" && b.type !== "object")) dict[name] = valueTypes;
  }
  return { leaf, dict };
}

// Bundled: ajv's small runtime helpers (deep equality) are inlined, so loading needs no require().
const bundled = buildSync({
  stdin: { contents: code(ajv, validate), resolveDir: packagePath(), sourcefile: "compose-spec.validate.cjs", loader: "js" },
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  minify: true,
  write: false,
  logLevel: "warning",
});
const masks = serviceMasks(withoutDescriptions(schema) as Record<string, any>);
writeFileSync(VALIDATOR_FILE, `${bundled.outputFiles[0]!.text}module.exports.serviceMasks=${JSON.stringify(masks)};\n`);
