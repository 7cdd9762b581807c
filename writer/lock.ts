/**
 * The output folder's lock: one writer at a time. The lock file comes with
 * the folder like everything else in it, so it is created without following
 * a link, read with a bound, and anything but a small regular file holding
 * a pid is reported and left alone.
 */
import { closeSync, linkSync, renameSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { WriteError } from "./errors.js";
import { createAt, readAt } from "./file-io.js";
import type { Folder } from "./folder.js";
import { LOCK } from "./names.js";

/** A pid and a newline, with room to spare. */
const MAX_LOCK_BYTES = 64;

/** True when a process with this pid runs (and is not us). */
export function pidAlive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

const unlinkIfThere = (at: string) => {
  try {
    unlinkSync(at); // a link there is removed itself, never what it points to
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
};

/** The pid a lock file holds; throws when the file is not one this tool writes. */
function holder(root: Folder, outDir: string): number | undefined {
  const found = readAt(root.at(LOCK), MAX_LOCK_BYTES);
  if (found.kind === "missing") return undefined;
  const path = join(outDir, LOCK);
  if (found.kind !== "file") {
    const what = found.kind === "too-large" ? `a file of ${found.size} bytes` : found.what;
    throw new WriteError(`${path} is not a lock dioptra-deploy writes (${what}); nothing written; remove it if no generate is running`);
  }
  const pid = Number(found.bytes.toString("utf8").trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * A system error of the lock's files, named by their path in out/ (not the
 * /proc/self/fd path the call used), so the CLI prints `path: permission
 * denied (open)`; anything else as a WriteError.
 */
function namedAt(e: unknown, path: string, outDir: string): Error {
  const err = e as NodeJS.ErrnoException;
  if (typeof err?.code === "string") {
    err.path = path;
    return err;
  }
  return new WriteError(`cannot lock ${outDir}: ${(e as Error).message}`);
}

/**
 * Takes the folder's lock: a file created only if absent (link(2) is
 * atomic, and our own file is complete before it appears under the lock's
 * name), holding our pid. A lock whose process is gone is taken over.
 * Returns the release function.
 */
export function lock(root: Folder, outDir: string): () => void {
  const path = join(outDir, LOCK);
  const mine = `${LOCK}.${process.pid}`;
  unlinkIfThere(root.at(mine));
  try {
    closeSync(createAt(root.at(mine), Buffer.from(`${process.pid}\n`), 0o644));
  } catch (e) {
    throw namedAt(e, join(outDir, mine), outDir);
  }
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(root.at(mine), root.at(LOCK));
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw namedAt(e, path, outDir);
      }
      const pid = holder(root, outDir);
      if (attempt > 0 || (pid !== undefined && pidAlive(pid))) {
        throw new WriteError(
          `another dioptra-deploy${pid !== undefined ? ` (pid ${pid})` : ""} is writing ${outDir}; wait for it to finish (if no such process runs, remove ${path})`,
        );
      }
      // Left by a process that died: move it aside (only one taker wins the rename) and try again.
      try {
        renameSync(root.at(LOCK), root.at(`${mine}.stale`));
        unlinkIfThere(root.at(`${mine}.stale`));
      } catch {
        // another process took it over first; the next link attempt will say who holds it
      }
    }
  } finally {
    unlinkIfThere(root.at(mine));
  }
  return () => {
    try {
      if (holder(root, outDir) === process.pid) unlinkIfThere(root.at(LOCK));
    } catch {
      // not ours any more: leave it
    }
  };
}
