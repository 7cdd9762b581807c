/**
 * Compose's merge of an override file over a base file, enough to validate
 * the result the way `docker compose -f base -f override` would see it.
 * Rules after compose-go's override/merge.go: mappings merge key by key;
 * `command`, `entrypoint` and `healthcheck.test` are replaced; `volumes` merge
 * by container path; `environment` merges by name (list or map form); other
 * lists are appended without duplicates.
 */

type Json = unknown;

const REPLACED = new Set(["services.*.command", "services.*.entrypoint", "services.*.healthcheck.test"]);

const isMap = (v: Json): v is Record<string, Json> => v !== null && typeof v === "object" && !Array.isArray(v);

function pattern(path: readonly string[]): string {
  return path.map((p, i) => (i === 1 && path[0] === "services" ? "*" : p)).join(".");
}

/** `KEY=VALUE` list form → map form. */
function envMap(v: Json): Record<string, Json> {
  if (isMap(v)) return v;
  if (!Array.isArray(v)) return {};
  return Object.fromEntries(v.map((e) => String(e)).map((e) => (e.includes("=") ? [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)] : [e, null])));
}

/** Container path of a mount, short or long syntax. */
function mountTarget(m: Json): string {
  if (isMap(m)) return String(m.target ?? "");
  const parts = String(m).split(":");
  return parts.length >= 2 ? parts[1]! : parts[0]!;
}

function mergeAt(path: readonly string[], base: Json, over: Json): Json {
  const p = pattern(path);
  if (over === undefined) return base;
  if (REPLACED.has(p) || base === undefined) return over;
  const last = path.at(-1);
  if (path[0] === "services" && path.length === 3 && last === "environment") return { ...envMap(base), ...envMap(over) };
  if (path[0] === "services" && path.length === 3 && last === "volumes" && Array.isArray(base) && Array.isArray(over)) {
    const targets = new Set(over.map(mountTarget));
    return [...base.filter((m) => !targets.has(mountTarget(m))), ...over];
  }
  if (Array.isArray(base) && Array.isArray(over)) {
    const seen = new Set(base.map((b) => JSON.stringify(b)));
    return [...base, ...over.filter((o) => !seen.has(JSON.stringify(o)))];
  }
  if (isMap(base) && isMap(over)) {
    const out: Record<string, Json> = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = mergeAt([...path, k], base[k], v);
    return out;
  }
  return over;
}

/** `base` with `override` merged over it; neither input is changed. */
export function mergeCompose<T>(base: T, override: unknown): T {
  return mergeAt([], structuredClone(base), structuredClone(override)) as T;
}
