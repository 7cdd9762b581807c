/**
 * Folders opened without following symbolic links, and names resolved from
 * the open folder rather than from its path, so that a folder swapped for a
 * link after it was checked cannot redirect a write, a rename or a removal.
 *
 * Node has no openat(2)/renameat(2). On Linux, `/proc/self/fd/<fd>/<name>`
 * resolves `<name>` inside the folder the descriptor holds, whatever now
 * sits at its path, which gives the same guarantee with path-taking calls.
 * Where /proc is missing (macOS), each use first checks that the path still
 * leads to the opened folder (device and inode), which leaves a short window
 * between that check and the call; the README says so.
 */
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, statSync, type Stats } from "node:fs";
import { join } from "node:path";
import { WriteError } from "./errors.js";

const DIR_FLAGS = constants.O_RDONLY | (constants.O_DIRECTORY ?? 0) | (constants.O_NOFOLLOW ?? 0);

let procFd: boolean | undefined;
/** Whether `/proc/self/fd/<fd>` leads to the open folder itself (tested once, on the first folder). */
function procWorks(fd: number, st: Stats): boolean {
  if (procFd === undefined) {
    try {
      const p = statSync(`/proc/self/fd/${fd}`);
      procFd = p.ino === st.ino && p.dev === st.dev;
    } catch {
      procFd = false;
    }
  }
  return procFd;
}

const code = (e: unknown) => (e as NodeJS.ErrnoException).code;

/** The message for a symbolic link found where a real folder or file must be. */
export function linkRefusal(shown: readonly string[], outDir: string): WriteError {
  const one = shown.length === 1;
  return new WriteError(
    `${shown.join(", ")} ${one ? "is a symbolic link" : "are symbolic links"}; dioptra-deploy writes only real files and folders inside ${outDir} (replace ${one ? "it" : "them"} with a real folder, or pass the real path as --out)`,
  );
}

/** An open folder. `path` is where it was found, for messages and for the check where /proc is missing. */
export class Folder {
  private constructor(
    readonly fd: number,
    readonly path: string,
    private readonly dev: number,
    private readonly ino: number,
  ) {}

  /**
   * Opens the folder at `path` without following a link there; undefined
   * when nothing is there. A link, or anything but a folder, throws.
   */
  static open(path: string, outDir: string, resolveFrom?: Folder, name?: string): Folder | undefined {
    const at = resolveFrom && name !== undefined ? resolveFrom.at(name) : path;
    let fd: number;
    try {
      fd = openSync(at, DIR_FLAGS);
    } catch (e) {
      if (code(e) === "ENOENT") return undefined;
      if (code(e) === "ELOOP" || code(e) === "ENOTDIR") {
        let isLink = false;
        try {
          isLink = lstatSync(at).isSymbolicLink();
        } catch {
          // gone again: say what was found when it was opened
        }
        if (isLink || code(e) === "ELOOP") throw linkRefusal([path], outDir);
        throw new WriteError(`${path} is not a folder; move it away so it can be generated`);
      }
      throw new WriteError(`cannot open ${path}: ${code(e) ?? (e as Error).message}`);
    }
    const st = fstatSync(fd);
    if (!st.isDirectory()) {
      closeSync(fd);
      throw new WriteError(`${path} is not a folder; move it away so it can be generated`);
    }
    procWorks(fd, st);
    return new Folder(fd, path, st.dev, st.ino);
  }

  /** A path naming `name` inside this folder, for one call. */
  at(name: string): string {
    if (procFd) return `/proc/self/fd/${this.fd}/${name}`;
    this.verify();
    return join(this.path, name);
  }

  /** True when the folder's path still leads to this folder. */
  still(): boolean {
    try {
      const st = lstatSync(this.path);
      return st.isDirectory() && st.dev === this.dev && st.ino === this.ino;
    } catch {
      return false;
    }
  }

  /** Throws unless the folder's path still leads to this folder. */
  verify(): void {
    if (!this.still()) throw new WriteError(`${this.path} was replaced while dioptra-deploy wrote it; nothing more was written there (run generate again)`);
  }

  /** The folder `name` inside this one, created when `create` (mkdir never follows a link). */
  child(name: string, outDir: string, create: boolean): Folder | undefined {
    if (create) {
      try {
        mkdirSync(this.at(name));
      } catch (e) {
        if (code(e) !== "EEXIST") throw new WriteError(`cannot create ${join(this.path, name)}: ${code(e) ?? (e as Error).message}`);
      }
    }
    return Folder.open(join(this.path, name), outDir, this, name);
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
  }
}

/** Folders under one root, opened once each, all closed together. */
export class FolderTree {
  private readonly open = new Map<string, Folder>();

  constructor(
    readonly root: Folder,
    private readonly outDir: string,
  ) {
    this.open.set("", root);
  }

  /** The folder at relative path `rel` ("" for the root); undefined when missing and not `create`d. */
  dir(rel: string, create = false): Folder | undefined {
    const parts = rel === "" || rel === "." ? [] : rel.split("/");
    let cur = this.root;
    for (let i = 0; i < parts.length; i++) {
      const key = parts.slice(0, i + 1).join("/");
      let next = this.open.get(key);
      if (next === undefined) {
        next = cur.child(parts[i]!, this.outDir, create);
        if (next === undefined) return undefined;
        this.open.set(key, next);
      }
      cur = next;
    }
    return cur;
  }

  /** The folder holding `rel` and the name inside it. */
  place(rel: string, create = false): { dir: Folder; name: string } | undefined {
    const slash = rel.lastIndexOf("/");
    const dir = this.dir(slash < 0 ? "" : rel.slice(0, slash), create);
    return dir && { dir, name: rel.slice(slash + 1) };
  }

  /** Throws unless every folder opened still sits at its path: a swap happened mid-write. */
  verify(): void {
    for (const f of this.open.values()) f.verify();
  }

  /** Forgets a folder (and those below) after it was removed. */
  forget(rel: string): void {
    for (const [k, f] of this.open) {
      if (k === rel || k.startsWith(`${rel}/`)) {
        f.close();
        this.open.delete(k);
      }
    }
  }

  close(): void {
    for (const [k, f] of this.open) if (k !== "") f.close();
    this.open.clear();
    this.open.set("", this.root);
  }
}
