/**
 * How big an input may be, in one table: checked before any work that grows
 * with it, so that an absurd value (a million workers, a 20 MB override) is
 * one located error in well under a second instead of minutes, gigabytes
 * and a crash. Each bound is far above any real deployment.
 */

export const LIMITS = {
  /** Workers in one pool (`workers.tensorflowCpu`, or its `count`); the bench runs 1000 in all. */
  workersPerPool: 1000,
  /** Workers and custom containers together: each becomes a service in every generated file. */
  services: 2000,
  /** Characters in any one string of the config, an override file or a `set` value. */
  stringLength: 65536,
  /** Objects, lists and values in the config (or an override) altogether. */
  values: 200_000,
  /** Nesting of objects and lists. */
  depth: 32,
  /** Bytes of a file import reads (`.cruft.json`, replay file, variables, `--compose` override). */
  inputBytes: 1024 * 1024,
} as const;

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object";

/**
 * Where `value` outgrows {@link LIMITS}: strings, nesting and the number of
 * values, as `[setting path, message]`. Stops at the first value past the
 * budget, so it costs at most `values` steps whatever it is given.
 */
export function sizeProblems(value: unknown, root = ""): [string, string][] {
  const out: [string, string][] = [];
  const stack: [unknown, string, number][] = [[value, root, 0]];
  let seen = 0;
  const join = (path: string, key: string) => (path === "" ? key : `${path}.${key}`);
  while (stack.length > 0) {
    const [v, path, depth] = stack.pop()!;
    if (++seen > LIMITS.values) return [...out, [root, `holds more than ${LIMITS.values} values: far more than any deployment needs`]];
    if (typeof v === "string" && v.length > LIMITS.stringLength) out.push([path, `is ${v.length} characters long; at most ${LIMITS.stringLength}`]);
    if (!isRecord(v)) continue;
    if (depth >= LIMITS.depth) {
      out.push([path, `nests deeper than ${LIMITS.depth} levels of objects and lists`]);
      continue;
    }
    const keys = Object.keys(v);
    if (keys.length > LIMITS.values) return [...out, [path, `has ${keys.length} entries; at most ${LIMITS.values}`]];
    for (const k of keys) {
      if (k.length > LIMITS.stringLength) out.push([path, `has a key ${k.length} characters long; at most ${LIMITS.stringLength}`]);
      else stack.push([v[k], join(path, k), depth + 1]);
    }
  }
  return out;
}

/** A pool's worker count as the config gives it: a number, or `{ count }`. */
const countOf = (pool: unknown): unknown => (isRecord(pool) ? pool.count : pool);

/**
 * Worker counts and the number of services past {@link LIMITS}: each pool at
 * its setting, the sum at `workers` (custom containers count too).
 */
export function serviceCountProblems(props: unknown): [string, string][] {
  if (!isRecord(props)) return [];
  const out: [string, string][] = [];
  let total = 0;
  const workers = isRecord(props.workers) ? props.workers : {};
  for (const [kind, pool] of Object.entries(workers)) {
    const n = countOf(pool);
    if (typeof n !== "number" || !Number.isFinite(n) || n < 0) continue;
    total += n;
    if (n > LIMITS.workersPerPool) out.push([isRecord(pool) ? `workers.${kind}.count` : `workers.${kind}`, `${n} workers in one pool; at most ${LIMITS.workersPerPool}`]);
  }
  const custom = isRecord(props.customContainers) ? Object.keys(props.customContainers).length : 0;
  if (total + custom > LIMITS.services && out.length === 0)
    out.push(["workers", `${total} workers and ${custom} custom containers make ${total + custom} services; at most ${LIMITS.services} in all`]);
  return out;
}

/** Every limit a config's props break, before anything is resolved. */
export function limitProblems(props: unknown): [string, string][] {
  return [...sizeProblems(props), ...serviceCountProblems(props)];
}
