/**
 * The `new` use case: starts a deployment repository in a folder, with the
 * conventions in place (cdk8s init, projen new and the create-* scaffolders
 * do the same for theirs): the files of app/new-files.ts, and package.json
 * with the scripts, `"type": "module"` when it states no type, and the
 * packages the config needs (dioptra-deploy itself, TypeScript, Node's
 * types). Nothing is overwritten: an existing file among those stops it
 * before anything is written, and package.json only gains what it lacks.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { packagePath } from "../generators/package-path.js";
import { InputError } from "./errors.js";
import { SCAFFOLD, SCRIPTS } from "./new-files.js";

type PackageJson = Record<string, unknown> & { scripts?: Record<string, string>; dependencies?: Record<string, string>; devDependencies?: Record<string, string> };

/** What `new` did: files created, what package.json gained, and what it left as it was. */
export interface NewReport {
  readonly created: readonly string[];
  readonly packageJson: readonly string[];
  readonly kept: readonly string[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * How npm installed the running copy of dioptra-deploy (a tarball, a git
 * URL…), read from the lock npm keeps beside it, so that `npm install` in the
 * new repository installs the same. Falls back to the version.
 */
function ownSpec(version: string): string {
  const installedAt = packagePath();
  const modules = dirname(installedAt);
  try {
    const lock = JSON.parse(readFileSync(join(modules, ".package-lock.json"), "utf8")) as { packages?: Record<string, { resolved?: string }> };
    const resolved = lock.packages?.["node_modules/dioptra-deploy"]?.resolved;
    if (resolved?.startsWith("file:")) return `file:${resolve(dirname(modules), resolved.slice("file:".length))}`;
    if (resolved) return resolved;
  } catch {
    // No lock: not installed by npm (a checkout of the repository).
  }
  return `^${version}`;
}

/** The version range of the TypeScript the type check would use, or our own. */
function typescriptSpec(): string {
  try {
    const own = JSON.parse(readFileSync(packagePath("package.json"), "utf8")) as { devDependencies?: Record<string, string> };
    return own.devDependencies?.typescript ?? ">=5";
  } catch {
    return ">=5";
  }
}

/** Indentation of a JSON text, so package.json keeps its own. */
function indentOf(text: string): string | number {
  return /^\{\r?\n([ \t]+)"/.exec(text)?.[1] ?? 2;
}

/** Scaffolds a deployment repository in `dir`; throws an {@link InputError} naming every file in the way. */
export function scaffold(dir: string): NewReport {
  const root = resolve(dir);
  const inTheWay = SCAFFOLD.filter((f) => existsSync(join(root, f.path))).map((f) => f.path);
  if (inTheWay.length > 0) {
    throw new InputError(
      `nothing written: ${inTheWay.length === 1 ? "1 file exists" : `${inTheWay.length} files exist`} already; new never overwrites (move ${inTheWay.length === 1 ? "it" : "them"} away, or edit by hand)`,
      inTheWay.map((p) => `${join(dir, p)}: exists`),
    );
  }
  const pkgPath = join(root, "package.json");
  const original = existsSync(pkgPath) ? readFileSync(pkgPath, "utf8") : undefined;
  let pkg: PackageJson;
  try {
    const parsed: unknown = original === undefined ? { name: "dioptra-deployment", private: true } : JSON.parse(original);
    if (!isRecord(parsed)) throw new Error("not a JSON object");
    pkg = parsed as PackageJson;
  } catch (e) {
    throw new InputError(`nothing written: ${join(dir, "package.json")} is not valid JSON (${(e as Error).message})`);
  }
  const version = (JSON.parse(readFileSync(packagePath("package.json"), "utf8")) as { version: string }).version;
  const gained: string[] = [];
  const kept: string[] = [];
  if (pkg.type === undefined) {
    pkg.type = "module";
    gained.push('"type": "module"');
  }
  pkg.scripts = isRecord(pkg.scripts) ? pkg.scripts : {};
  for (const [name, command] of Object.entries(SCRIPTS)) {
    if (pkg.scripts[name] === undefined) {
      pkg.scripts[name] = command;
      gained.push(`script ${name}`);
    } else if (pkg.scripts[name] !== command) kept.push(`package.json: script ${name} is kept as it is (${JSON.stringify(pkg.scripts[name])})`);
  }
  const deps = { ...(isRecord(pkg.dependencies) ? pkg.dependencies : {}), ...(isRecord(pkg.devDependencies) ? pkg.devDependencies : {}) };
  const wanted: Record<string, string> = { "dioptra-deploy": ownSpec(version), typescript: typescriptSpec(), "@types/node": `^${process.versions.node.split(".")[0]}` };
  for (const [name, spec] of Object.entries(wanted)) {
    if (deps[name] !== undefined) continue;
    pkg.devDependencies = { ...(isRecord(pkg.devDependencies) ? pkg.devDependencies : {}), [name]: spec };
    gained.push(`devDependency ${name}@${spec}`);
  }
  for (const f of SCAFFOLD) {
    mkdirSync(dirname(join(root, f.path)), { recursive: true });
    // "wx": created, never replaced, even by a file that appeared since the check above.
    writeFileSync(join(root, f.path), f.text, { flag: "wx" });
  }
  if (gained.length > 0) writeFileSync(pkgPath, `${JSON.stringify(pkg, null, original === undefined ? 2 : indentOf(original))}\n`);
  return { created: [...(original === undefined ? ["package.json"] : []), ...SCAFFOLD.map((f) => f.path)], packageJson: original === undefined ? [] : gained, kept };
}
