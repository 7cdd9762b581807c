/** The output folder's lock: one writer at a time. */
import { linkSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { WriteError } from "./errors.js";
import { LOCK } from "./names.js";
import { readIfFile } from "./read.js";

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

/**
 * Takes the folder's lock: a file created only if absent (link(2) is
 * atomic), holding our pid. A lock whose process is gone is taken over.
 * Returns the release function.
 */
export function lock(outDir: string): () => void {
  const path = join(outDir, LOCK);
  const mine = join(outDir, `${LOCK}.${process.pid}`);
  writeFileSync(mine, `${process.pid}\n`);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(mine, path);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw new WriteError(`cannot lock ${outDir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      const pid = Number(readIfFile(path)?.toString("utf8").trim());
      if (attempt > 0 || (Number.isInteger(pid) && pid > 0 && pidAlive(pid))) {
        throw new WriteError(
          `another dioptra-deploy${Number.isInteger(pid) && pid > 0 ? ` (pid ${pid})` : ""} is writing ${outDir}; wait for it to finish (if no such process runs, remove ${path})`,
        );
      }
      // Left by a process that died: move it aside (only one taker wins the rename) and try again.
      try {
        renameSync(path, `${mine}.stale`);
        rmSync(`${mine}.stale`, { force: true });
      } catch {
        // another process took it over first; the next link attempt will say who holds it
      }
    }
  } finally {
    rmSync(mine, { force: true });
  }
  return () => {
    if (readIfFile(path)?.toString("utf8").trim() === String(process.pid)) rmSync(path, { force: true });
  };
}
