/**
 * Which folder may be the output folder: not the root, not the project or
 * the config's folder nor a parent of them, not a symbolic link, and none
 * on the way to a file the writer touches.
 */
import { existsSync, lstatSync, mkdirSync, realpathSync, statSync } from "node:fs";
import { dirname, join, parse as parsePath, relative, resolve, sep } from "node:path";
import { WriteError } from "./errors.js";

/** A folder that the output folder must neither be nor contain. */
export interface ProtectedDir {
  readonly path: string;
  /** What it is, for the message ("the project folder"). */
  readonly what: string;
}

/** The real path of `p`, or of its nearest existing parent with the rest appended. */
function realish(p: string): string {
  const abs = resolve(p);
  try {
    return realpathSync(abs);
  } catch {
    const parent = dirname(abs);
    return parent === abs ? abs : join(realish(parent), abs.slice(parent.length));
  }
}

/**
 * Refuses an output folder that is the file system's root or one of the
 * protected folders (the project, the config's folder), or contains one:
 * generating there would mix our files with the user's and a stale manifest
 * entry could name any of them.
 */
export function refuseOutDir(outDir: string, protect: readonly ProtectedDir[] = []): void {
  const out = realish(outDir);
  if (parsePath(out).root === out) throw new WriteError(`refusing to write into ${out}, the file system's root; choose a folder of its own, such as out`);
  // The folder it is, before a folder it contains.
  const dirs = protect.map((d) => ({ ...d, real: realish(d.path) })).sort((a, b) => Number(b.real === out) - Number(a.real === out));
  for (const d of dirs) {
    const p = d.real;
    if (p !== out && !p.startsWith(out.endsWith(sep) ? out : `${out}${sep}`)) continue;
    throw new WriteError(
      `refusing to write into ${outDir}: it is ${p === out ? "" : "a parent of "}${d.what} (${d.path}); choose a folder of its own, such as ${relative(process.cwd(), join(d.path, "out")) || "out"}`,
    );
  }
}

export function ensureOutDir(outDir: string): void {
  const parent = dirname(resolve(outDir));
  if (!existsSync(parent)) throw new WriteError(`cannot write ${outDir}: its parent folder ${parent} does not exist`);
  if (!statSync(parent).isDirectory()) throw new WriteError(`cannot write ${outDir}: ${parent} is not a folder`);
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) throw new WriteError(`cannot write ${outDir}: it exists and is not a folder`);
  try {
    mkdirSync(outDir, { recursive: false });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return;
    if (code === "EACCES" || code === "EPERM" || code === "EROFS") throw new WriteError(`cannot create ${outDir}: ${parent} is not writable (${code})`);
    throw e;
  }
}

/**
 * The first symbolic link on the way from `outDir` (itself included) down to
 * `path`, relative; undefined when none. `seen` holds what was found of
 * folders on earlier ways (files share their folders).
 */
function symlinkOnPath(outDir: string, path: string, seen: Map<string, "link" | "dir" | "other" | "missing">): string | undefined {
  const parts = path.split(/[/\\]/);
  for (let i = 0; i <= parts.length; i++) {
    const rel = parts.slice(0, i).join("/");
    let kind = seen.get(rel);
    if (kind === undefined) {
      try {
        const st = lstatSync(join(outDir, rel));
        kind = st.isSymbolicLink() ? "link" : st.isDirectory() ? "dir" : "other";
      } catch {
        kind = "missing";
      }
      seen.set(rel, kind);
    }
    if (kind === "missing") return undefined; // nothing further down exists either
    if (kind === "link") return rel === "" ? "." : rel;
    if (kind !== "dir") return undefined;
  }
  return undefined;
}

/** Refuses a folder with a symbolic link where we would read, write or remove: it could lead outside. */
export function refuseSymlinks(outDir: string, paths: readonly string[]): void {
  const links = new Set<string>();
  const seen = new Map<string, "link" | "dir" | "other" | "missing">();
  for (const p of paths) {
    const link = symlinkOnPath(outDir, p, seen);
    if (link !== undefined) links.add(link);
  }
  if (links.size === 0) return;
  const shown = [...links].sort().map((l) => (l === "." ? outDir : join(outDir, l)));
  throw new WriteError(
    `${shown.join(", ")} ${links.size === 1 ? "is a symbolic link" : "are symbolic links"}; dioptra-deploy writes only real files and folders inside ${outDir} (replace ${links.size === 1 ? "it" : "them"} with a real folder, or pass the real path as --out)`,
  );
}
