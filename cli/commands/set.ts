/**
 * `dioptra-deploy set KEY=VALUE... [--unset KEY]... [--config FILE]`: changes
 * settings of a deployment.config.ts in place, or removes them so they fall
 * back to their defaults. Values are checked by the
 * DSL's own validation before anything is written; only the changed
 * property's value (or one new property) is edited, so comments and the
 * layout of everything else keep their bytes. The file is replaced
 * atomically, and only after the edited copy was loaded, type-checked and
 * found to give exactly the intended settings.
 */
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { RESERVED_KEYS } from "../../validation/checks.js";
import { ConfigError, type Issue } from "../../dsl/errors.js";
import type { DeploymentProps } from "../../dsl/props.js";
import { DEFAULTS } from "../../validation/core.js";
import { resolveDeployment } from "../../validation/resolve.js";
import { WORKER_KINDS } from "../../dsl/worker-kinds.js";
import { formatSettingPath, locateSetting, parseConfig, parseSettingPath } from "../../config-edit/config-ast.js";
import { EditError, detectStyle, editSetting, removeSetting, sameData, writeConfigAtomically } from "../../config-edit/config-edit.js";

import { COMMON_FLAGS, EXIT, UsageError, parseCommandLine, type CommandSpec, type Io } from "../io.js";

export const spec = {
  name: "set",
  summary: "change or remove settings of deployment.config.ts in place, keeping its comments",
  usage: "dioptra-deploy set [KEY=VALUE...] [--unset KEY...] [--config FILE]",
  description: [
    "Edits only the settings named: comments and the layout of everything else keep their",
    "bytes. VALUE is read as JSON when it parses (2, false, [\"a.mount\"], {\"count\": 2}) and as",
    "text otherwise; the first reading the setting's type accepts wins. Every value is checked",
    "as generate would, and the edited file is type-checked before it replaces the config.",
  ].join("\n"),
  positionals: { name: "KEY=VALUE", help: "a setting path and its new value, e.g. nginx.serverName=dioptra.lab.org" },
  options: {
    config: { type: "string", value: "FILE", default: "deployment.config.ts", help: "the config to edit" },
    unset: { type: "string", value: "KEY", multiple: true, default: [], help: "remove a stated setting, so its default applies" },
    ...COMMON_FLAGS,
  },
  examples: ["dioptra-deploy set nginx.serverName=dioptra.lab.org workers.tensorflowGpu=2", "dioptra-deploy set --unset datasetsDirectory"],
} satisfies CommandSpec;

/** One `KEY=VALUE` argument. */
interface Assignment {
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

/** "did you mean" for a misspelt key, from the keys an unknown-setting message lists. */
function suggestion(issue: Issue): string {
  const allowed = /allowed here: ([^)]*)\)/.exec(issue.message)?.[1]?.split(", ");
  const keys = parseSettingPath(issue.path);
  const typo = keys?.at(-1)?.toLowerCase();
  if (!allowed || !keys || typo === undefined) return "";
  const close = allowed.find((a) => a.toLowerCase() === typo) ?? allowed.find((a) => distance(a.toLowerCase(), typo) <= 2);
  return close ? `; did you mean ${formatSettingPath([...keys.slice(0, -1), close])}?` : "";
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

function parseAssignments(positionals: readonly string[], unsets: number): Assignment[] {
  if (positionals.length === 0 && unsets === 0) throw new UsageError("no KEY=VALUE or --unset KEY given");
  return positionals.map((arg) => {
    const eq = arg.indexOf("=");
    const keys = eq > 0 ? parseSettingPath(arg.slice(0, eq)) : undefined;
    if (!keys) throw new UsageError(`${JSON.stringify(arg)} is not KEY=VALUE with KEY a setting path such as nginx.serverName or workers.tensorflowGpu.count`);
    return { arg, keys, raw: arg.slice(eq + 1) };
  });
}

function parseUnsets(args: readonly string[], assignments: readonly Assignment[]): Unset[] {
  return args.map((arg) => {
    const keys = parseSettingPath(arg);
    if (!keys) throw new UsageError(`--unset ${JSON.stringify(arg)}: not a setting path such as nginx.serverName or workers.tensorflowGpu`);
    const path = formatSettingPath(keys);
    if (assignments.some((a) => formatSettingPath(a.keys) === path)) throw new UsageError(`${path} is both set and unset`);
    return { arg, keys };
  });
}

/** One `--unset KEY`. */
interface Unset {
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

/** Runs `set`; returns the exit code (0 changed or already so, 1 rejected or failed), or throws what cli/io.ts maps to one. */
export async function run(argv: string[], io: Io): Promise<number> {
  const args = parseCommandLine(spec, argv, io);
  if (!args) return EXIT.ok;
  const configArg = args.values.config;
  const assignments = parseAssignments(args.positionals, args.values.unset.length);
  const unsets = parseUnsets(args.values.unset, assignments);
  if (!existsSync(configArg) || !statSync(configArg).isFile()) throw new UsageError(`config file ${configArg} not found`);
  // A key such as __proto__ would reach Object.prototype through the model below: refused before any lookup.
  const reserved = [...assignments.map((a) => ({ label: a.arg, keys: a.keys })), ...unsets.map((u) => ({ label: `--unset ${u.arg}`, keys: u.keys }))].flatMap((x) => {
    const i = x.keys.findIndex((k) => RESERVED_KEYS.has(k));
    if (i < 0) return [];
    const at = locateSetting(configArg, formatSettingPath(x.keys.slice(0, i)));
    return [`${configArg}${at ? `:${at.line}:${at.column}` : ""}  ${x.label}: ${JSON.stringify(x.keys[i])} cannot be a setting name: it reaches the object's prototype`];
  });
  if (reserved.length > 0) {
    for (const l of reserved) io.err(l);
    io.err(`error: ${configArg} not changed`);
    return EXIT.failed;
  }
  const { loadConfig } = await import("../../app/load-config.js");
  const fail = (lines: readonly string[]) => {
    for (const l of lines) io.err(l);
    io.err(`error: ${configArg} not changed`);
    return EXIT.failed;
  };

  let original: Awaited<ReturnType<typeof loadConfig>>;
  try {
    // Not type-checked here: set may be how a type error gets fixed. The edited copy is checked below.
    original = await loadConfig(configArg, { typecheck: false });
  } catch (e) {
    return fail([`error: ${(e as Error).message}`]);
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
    for (const i of rejected ?? []) problems.push(`${where(i)}${path}=${a.raw}: ${i.path === path ? "" : `${i.path}: `}${i.message}${suggestion(i)}`);
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
  if (problems.length > 0) return fail(problems);

  const real = realpathSync(configArg);
  const text = readFileSync(real, "utf8");
  const sf = parseConfig(text, real);
  const style = detectStyle(sf);
  for (const a of accepted) {
    try {
      editSetting(sf, a.editKeys, (keys) => getAt(model, keys), style);
    } catch (e) {
      if (!(e instanceof EditError)) throw e;
      return fail([`error: cannot set ${a.arg}: ${e.message}`]);
    }
  }
  for (const u of removed) {
    try {
      if (!removeSetting(sf, u.editKeys) && u.before !== undefined) {
        throw new EditError(`${formatSettingPath(u.editKeys)} comes from code set cannot edit (a spread or a shared value); edit the file by hand`);
      }
    } catch (e) {
      if (!(e instanceof EditError)) throw e;
      return fail([`error: cannot unset ${u.arg}: ${e.message}`]);
    }
  }
  const edited = sf.getFullText();
  if (edited === text) {
    io.out(`${configArg}: already so, nothing to change`);
    return EXIT.ok;
  }

  /** Loads the edited copy; type errors it shares with the original config are only warned about. */
  const loadStaged = async (staged: string) => {
    const rename = (m: string) => m.replaceAll(staged, `${configArg} (edited)`);
    try {
      return await loadConfig(staged, { warn: (m) => io.err(`warning: ${m}`) });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw new EditError(`the edited config does not load: ${rename((e as Error).message)}`);
      const before = await loadConfig(configArg, { typecheck: true }).then(
        () => new Set<string>(),
        (o: unknown) => new Set(o instanceof ConfigError ? o.issues.map(issueKey) : []),
      );
      const added = e.issues.filter((i) => !before.has(issueKey(i)));
      if (added.length > 0) throw new EditError(`the edited config would not type-check:\n${added.map((i) => `  ${rename(i.location ?? "")}  ${i.path}: ${i.message}`).join("\n")}`);
      io.err(`warning: ${configArg} has type errors set did not cause (dioptra-deploy generate shows them)`);
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
    return fail([`error: ${(e as Error).message}`]);
  }
  for (const a of accepted) io.out(`${configArg}: ${formatSettingPath(a.editKeys)} = ${JSON.stringify(getAt(model, a.editKeys))} (was ${show(a.before)})`);
  for (const u of removed) {
    if (u.before === undefined) continue;
    const inList = Array.isArray(getAt(original.props, u.editKeys.slice(0, -1)));
    io.out(`${configArg}: ${formatSettingPath(u.editKeys)} removed${inList ? " from its list" : ", so its default applies"} (was ${show(u.before)})`);
  }
  return EXIT.ok;
}
