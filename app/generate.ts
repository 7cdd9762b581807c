/**
 * The generate use case: a config file in, its checked files out (every
 * problem located in one ConfigError, warnings handed to the caller), and
 * the folders an output folder must never be. The CLI parses argv and prints;
 * this holds the pipeline.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { ConfigError, type Issue } from "../dsl/errors.js";
import type { OutFile } from "../files/out-file.js";
import type { ProtectedDir } from "../writer/index.js";

/** The nearest folder at or above `dir` holding package.json or .git: the user's project. */
function projectDir(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, "package.json")) || existsSync(join(d, ".git"))) return d;
    if (dirname(d) === d) return undefined;
  }
}

/** Folders --out must neither be nor contain. */
export function protectedDirs(configFile: string): ProtectedDir[] {
  const configDir = dirname(resolve(configFile));
  const project = projectDir(configDir);
  return [{ path: configDir, what: "the config's folder" }, ...(project ? [{ path: project, what: "the project folder" }] : [])];
}

/**
 * Points each problem at the property that set it in the config (the error
 * path only: this parses the config with ts-morph). Problems it cannot place
 * keep the location the DSL recorded, the call that made the deployment.
 */
async function locate(configFile: string, issues: readonly Issue[]): Promise<Issue[]> {
  const { locateSetting } = await import("../config-edit/config-ast.js");
  const abs = resolve(configFile);
  return issues.map((i) => {
    const pos = /^[a-zA-Z]/.test(i.path) && !i.path.includes(": ") ? locateSetting(abs, i.path) : undefined;
    return pos ? { ...i, location: `${abs}:${pos.line}:${pos.column}` } : i;
  });
}

/** `file`, line and column of an issue's location, for sorting. */
function position(i: Issue): [string, number, number] {
  const m = /^(.*):(\d+):(\d+)$/.exec(i.location ?? "");
  return m ? [m[1]!, Number(m[2]), Number(m[3])] : [i.location ?? "", Number.MAX_SAFE_INTEGER, 0];
}

/**
 * Type errors and validation errors as one list, in the order they appear
 * (the config first, then files it imports), as a compiler lists them. A
 * validation error at the very spot of a type error (the same property)
 * says the same thing in other words, so the compiler's is kept.
 */
export function oneReport(configFile: string, typeIssues: readonly Issue[], validation: readonly Issue[]): Issue[] {
  const config = resolve(configFile);
  const spot = (i: Issue) => position(i).join(":");
  const typed = new Set(typeIssues.map(spot));
  const all = [...typeIssues, ...validation.filter((i) => !typed.has(spot(i)))];
  const key = (i: Issue) => {
    const [file, line, column] = position(i);
    return { first: file === config ? 0 : 1, file, line, column };
  };
  return all
    .map((i) => ({ i, k: key(i) }))
    .sort((a, b) => a.k.first - b.k.first || a.k.file.localeCompare(b.k.file) || a.k.line - b.k.line || a.k.column - b.k.column)
    .map((x) => x.i);
}

/**
 * The files generate would write for a config: checked (types and values,
 * every problem located, in one ConfigError) and audited (warnings printed).
 */
export async function filesOfConfig(configFile: string, warn: (message: string) => void): Promise<OutFile[]> {
  const { loadConfigAndTypes } = await import("./load-config.js");
  const { synth } = await import("../generators/index.js");
  const { deployment, typeIssues } = await loadConfigAndTypes(configFile, { warn });
  const { spec: resolved, issues } = deployment.resolve();
  if (!resolved || typeIssues.length > 0) {
    const all = oneReport(configFile, typeIssues, await locate(configFile, issues));
    throw new ConfigError(all, `${configFile}: ${all.length} problem${all.length === 1 ? "" : "s"}; nothing written`);
  }
  const { securityAudit } = await import("../generators/security-audit.js");
  for (const w of securityAudit(resolved)) warn(w);
  try {
    return synth(resolved);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(await locate(configFile, e.issues), e.message);
    throw e;
  }
}

