/**
 * The `set` use case: changes settings of a deployment.config.ts in place,
 * or removes them so they fall back to their defaults. Values are checked by
 * the DSL's own validation before anything is written; only the changed
 * property's value (or one new property) is edited, so comments and the
 * layout of everything else keep their bytes. The file is replaced
 * atomically, and only after the edited copy was loaded, type-checked and
 * found to give exactly the intended settings. The command line
 * (cli/commands/set.ts) parses the arguments and prints what this returns.
 */
import { readFileSync, realpathSync } from "node:fs";
import { RESERVED_KEYS } from "../dsl/checks.js";
import { ConfigError, type Issue } from "../dsl/errors.js";
import type { DeploymentProps } from "../dsl/props.js";
import { DEFAULTS, resolveDeployment } from "../dsl/resolve.js";
import { WORKER_KINDS } from "../dsl/worker-kinds.js";
import { formatSettingPath, locateSetting, parseConfig } from "../config-edit/config-ast.js";
import { EditError, detectStyle, editSetting, removeSetting, sameData, writeConfigAtomically } from "../config-edit/config-edit.js";
import { suggestion } from "./did-you-mean.js";
import { clip } from "./clip.js";
import { InputError } from "./errors.js";
import { shellWord } from "./shell-word.js";

/** One `KEY=VALUE` argument. */
export interface Assignment {
  readonly arg: string;
  readonly keys: readonly string[];
  readonly raw: string;
}

/** An assignment the DSL accepted: the keys to edit (after pool shorthands), the value chosen and the one it replaces. */
interface Accepted extends Assignment {
  readonly editKeys: readonly string[];
  readonly value: unknown;
  readonly before: unknown;
}

type Data = Record<string, unknown> | unknown[];

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const isContainer = (v: unknown): v is Data => v !== null && typeof v === "object";

/** The value at `keys` in plain data; undefined when any key is missing. */
export function getAt(root: unknown, keys: readonly string[]): unknown {
  let v: unknown = root;
  for (const k of keys) {
    if (!isContainer(v)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/**
 * Sets the value at `keys`, creating missing (or non-container) parents: a
 * list when the key into it is `0` (`systemd.requiredMounts.0=…`; keyed
 * records such as a pool's `workers` count from 1), else an object.
 */
function setAt(root: Data, keys: readonly string[], value: unknown): void {
  let o: Data = root;
  keys.slice(0, -1).forEach((k, i) => {
    const next = (o as Record<string, unknown>)[k];
    o = isContainer(next) ? next : ((o as Record<string, unknown>)[k] = keys[i + 1] === "0" ? [] : {});
  });
  (o as Record<string, unknown>)[keys.at(-1)!] = value;
}

/** Removes the value at `keys` (an entry of a list: the later ones move up). */
function deleteAt(root: Data, keys: readonly string[]): void {
  const parent = getAt(root, keys.slice(0, -1));
  const last = keys.at(-1)!;
  if (Array.isArray(parent)) {
    if (/^(0|[1-9][0-9]*)$/.test(last) && Number(last) < parent.length) parent.splice(Number(last), 1);
  } else if (isRecord(parent)) delete parent[last];
}

/** Worker pools, whose count may be written as a bare number (`tensorflowGpu: 2`), with their default count. */
const POOL_DEFAULTS: ReadonlyMap<string, number> = new Map(WORKER_KINDS.map((k) => [k.key, DEFAULTS.workers[k.key]]));

/**
 * Applies one value to the model of the props and returns the keys that
 * really change: a pool's bare number and its `count` are one setting, so
 * `workers.tensorflowGpu=2` sets `count` of a pool written as an object,
 * `workers.tensorflowGpu.count=2` sets the bare number, and any other key
 * of a bare-number pool turns it into `{ count, … }`.
 */
function apply(model: Data, keys: readonly string[], value: unknown): string[] {
  let k = [...keys];
  const poolDefault = k[0] === "workers" && k[1] !== undefined ? POOL_DEFAULTS.get(k[1]) : undefined;
  if (poolDefault !== undefined) {
    const pool = getAt(model, k.slice(0, 2));
    if (k.length === 2 && isRecord(pool) && !isRecord(value)) k = [...k, "count"];
    else if (k.length === 3 && k[2] === "count" && !isRecord(pool)) k = k.slice(0, 2);
    else if (k.length > 2 && !isRecord(pool)) setAt(model, k.slice(0, 2), { count: typeof pool === "number" ? pool : poolDefault });
  }
  setAt(model, k, value);
  return k;
}

/**
 * What VALUE may mean, in order of preference: JSON (`2`, `false`,
 * `["a.mount"]`, `{"count": 2}`, `"quoted"`), else the text itself. The
 * first meaning the DSL accepts for the key wins, so a setting typed as a
 * string gets `"123"` for `123`, and `tag=1.0` keeps its `.0`.
 */
function meanings(raw: string): unknown[] {
  try {
    const v: unknown = JSON.parse(raw);
    return typeof v === "string" ? [v] : [v, raw];
  } catch {
    return [raw];
  }
}

const issueKey = (i: Issue) => `${i.path}\n${i.message}`;

/** Issues of `props` that `baseline` does not have: what an edit would break. */
function newIssues(props: unknown, baseline: ReadonlySet<string>): Issue[] {
  return resolveDeployment(props as DeploymentProps).issues.filter((i) => !baseline.has(issueKey(i)));
}


/** One `--unset KEY`. */
export interface Unset {
  readonly arg: string;
  readonly keys: readonly string[];
}

/**
 * A pool's count is the pool when written as a bare number, and the pool's
 * only content in `{ count }`: unsetting it there unsets the pool.
 */
function unsetKeys(model: Data, keys: readonly string[]): readonly string[] {
  if (!(keys.length === 3 && keys[0] === "workers" && keys[2] === "count" && POOL_DEFAULTS.has(keys[1]!))) return keys;
  const pool = getAt(model, keys.slice(0, 2));
  return !isRecord(pool) || Object.keys(pool).every((k) => k === "count") ? keys.slice(0, 2) : keys;
}

/** The "unknown setting" issue of `keys`, found by stating it (with null) and validating. */
function unknownSetting(model: Data, keys: readonly string[]): Issue | undefined {
  const probe = structuredClone(model);
  setAt(probe, keys, null);
  const path = formatSettingPath(keys);
  return resolveDeployment(probe as DeploymentProps).issues.find((i) => i.message.startsWith("unknown setting") && path.startsWith(i.path));
}

const show = (v: unknown) => (v === undefined ? "not stated" : JSON.stringify(v));

/** What `set` is asked to do. */
export interface SetRequest {
  /** The config file, as the user named it (messages name it so). */
  readonly config: string;
  readonly assignments: readonly Assignment[];
  readonly unsets: readonly Unset[];
}

/**
 * Applies a {@link SetRequest}: returns one line per change made (none when
 * the config already says so), or throws an {@link InputError} listing every
 * problem, with the config unchanged. `warn` hears what does not stop it.
 */
export async function setSettings(request: SetRequest, warn: (message: string) => void): Promise<string[]> {
  const { config: configArg, assignments, unsets } = request;
  // A key such as __proto__ would reach Object.prototype through the model below: refused before any lookup.
  const reserved = [...assignments.map((a) => ({ label: a.arg, keys: a.keys })), ...unsets.map((u) => ({ label: `--unset ${u.arg}`, keys: u.keys }))].flatMap((x) => {
    const i = x.keys.findIndex((k) => RESERVED_KEYS.has(k));
    if (i < 0) return [];
    const at = locateSetting(configArg, formatSettingPath(x.keys.slice(0, i)));
    return [`${configArg}${at ? `:${at.line}:${at.column}` : ""}  ${x.label}: ${JSON.stringify(x.keys[i])} cannot be a setting name: it reaches the object's prototype`];
  });
  const fail = (lines: readonly string[]) => new InputError(`${configArg} not changed`, lines);
  if (reserved.length > 0) throw fail(reserved);
  const { loadConfig } = await import("../cli/load-config.js");

  let original: Awaited<ReturnType<typeof loadConfig>>;
  try {
    // Not type-checked here: set may be how a type error gets fixed. The edited copy is checked below.
    original = await loadConfig(configArg, { typecheck: false });
  } catch (e) {
    throw fail([`error: ${(e as Error).message}`]);
  }
  let model = structuredClone(original.props) as Data;
  /** `file:line:col  ` of the property that states an issue's setting (or its nearest stated ancestor). */
  const where = (i: Issue) => {
    const at = locateSetting(configArg, i.path);
    return at ? `${configArg}:${at.line}:${at.column}  ` : "";
  };
  const baseline = new Set(resolveDeployment(original.props).issues.map(issueKey));

  // Each value is tried in its meanings against the DSL's validation, on top of the earlier assignments.
  const accepted: Accepted[] = [];
  const problems: string[] = [];
  for (const a of assignments) {
    let rejected: Issue[] | undefined;
    for (const value of meanings(a.raw)) {
      const next = structuredClone(model);
      const editKeys = apply(next, a.keys, value);
      const issues = newIssues(next, baseline);
      if (issues.length === 0) {
        accepted.push({ ...a, editKeys, value, before: getAt(model, editKeys) });
        model = next;
        rejected = undefined;
        break;
      }
      rejected ??= issues;
    }
    const path = formatSettingPath(a.keys);
    for (const i of rejected ?? []) problems.push(`${where(i)}${path}=${clip(a.raw)}: ${i.path === path ? "" : `${i.path}: `}${i.message}${suggestion(i)}`);
  }
  // Unsetting falls back to the default, which the DSL validates like any value.
  const removed: (Unset & { readonly editKeys: readonly string[]; readonly before: unknown })[] = [];
  for (const u of unsets) {
    const unknown = unknownSetting(model, u.keys);
    if (unknown) {
      problems.push(`--unset ${formatSettingPath(u.keys)}: ${unknown.path}: ${unknown.message}${suggestion(unknown)}`);
      continue;
    }
    const editKeys = unsetKeys(model, u.keys);
    const before = getAt(model, editKeys);
    const next = structuredClone(model);
    deleteAt(next, editKeys);
    const issues = newIssues(next, baseline);
    for (const i of issues) problems.push(`${where(i)}--unset ${formatSettingPath(u.keys)}: ${i.path}: ${i.message}`);
    if (issues.length === 0) {
      removed.push({ ...u, editKeys, before });
      model = next;
    }
  }
  if (problems.length > 0) throw fail(problems);

  const real = realpathSync(configArg);
  const text = readFileSync(real, "utf8");
  const sf = parseConfig(text, real);
  const style = detectStyle(sf);
  for (const a of accepted) {
    try {
      editSetting(sf, a.editKeys, (keys) => getAt(model, keys), style);
    } catch (e) {
      if (!(e instanceof EditError)) throw e;
      throw fail([`error: cannot set ${a.arg}: ${e.message}`]);
    }
  }
  for (const u of removed) {
    try {
      if (!removeSetting(sf, u.editKeys) && u.before !== undefined) {
        throw new EditError(`${formatSettingPath(u.editKeys)} comes from code set cannot edit (a spread or a shared value); edit the file by hand`);
      }
    } catch (e) {
      if (!(e instanceof EditError)) throw e;
      throw fail([`error: cannot unset ${u.arg}: ${e.message}`]);
    }
  }
  const edited = sf.getFullText();
  if (edited === text) return [`${configArg}: already so, nothing to change`];

  /** Loads the edited copy; type errors it shares with the original config are only warned about. */
  const loadStaged = async (staged: string) => {
    const rename = (m: string) => m.replaceAll(staged, `${configArg} (edited)`);
    try {
      return await loadConfig(staged, { warn: (m) => warn(m) });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw new EditError(`the edited config does not load: ${rename((e as Error).message)}`);
      const before = await loadConfig(configArg, { typecheck: true }).then(
        () => new Set<string>(),
        (o: unknown) => new Set(o instanceof ConfigError ? o.issues.map(issueKey) : []),
      );
      const added = e.issues.filter((i) => !before.has(issueKey(i)));
      if (added.length > 0) throw new EditError(`the edited config would not type-check:\n${added.map((i) => `  ${rename(i.location ?? "")}  ${i.path}: ${i.message}`).join("\n")}`);
      warn(`${configArg} has type errors set did not cause (\`npx dioptra-deploy generate --config ${shellWord(configArg)}\` lists them)`);
      return loadConfig(staged, { typecheck: false });
    }
  };

  // The edited copy must load and give exactly the model's props: an edit inside code that
  // computes values could otherwise land somewhere without effect.
  try {
    await writeConfigAtomically(real, edited, async (staged) => {
      const d = await loadStaged(staged);
      const off = accepted.filter((a) => !sameData(getAt(d.props, a.editKeys), getAt(model, a.editKeys)));
      if (off.length > 0 || !sameData(d.props, model)) {
        throw new EditError(`${(off[0] ?? accepted[0]!).arg}: the edited config does not give that value (the setting is computed by code set cannot edit); edit the file by hand`);
      }
      const broken = d.resolve().issues.filter((i) => !baseline.has(issueKey(i)));
      if (broken.length > 0) throw new EditError(broken.map((i) => `${i.path}: ${i.message}`).join("; "));
    });
  } catch (e) {
    throw fail([`error: ${(e as Error).message}`]);
  }
  const lines = accepted.map((a) => `${configArg}: ${formatSettingPath(a.editKeys)} = ${JSON.stringify(getAt(model, a.editKeys))} (was ${show(a.before)})`);
  for (const u of removed) {
    if (u.before === undefined) continue;
    const inList = Array.isArray(getAt(original.props, u.editKeys.slice(0, -1)));
    lines.push(`${configArg}: ${formatSettingPath(u.editKeys)} removed${inList ? " from its list" : ", so its default applies"} (was ${show(u.before)})`);
  }
  return lines;
}
