/**
 * The journal of a write in progress, and the rollback of one that did not
 * commit: staged files, hard-link backups of the files they replace, and a
 * record naming both, so that a killed run is undone by the next.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { WriteError } from "./errors.js";
import { pidAlive } from "./lock.js";
import { JOURNAL, STAGE_PREFIX } from "./names.js";
import { isInside } from "./paths.js";

export interface Journal {
  readonly pid: number;
  readonly stage: string;
  readonly entries: readonly { readonly path: string; readonly existed: boolean }[];
}

export function writeJournal(outDir: string, journal: Journal): void {
  const tmp = join(outDir, `${JOURNAL}.tmp`);
  writeFileSync(tmp, JSON.stringify(journal));
  const fd = openSync(tmp, "r");
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, join(outDir, JOURNAL));
}

/**
 * Rolls back a write that did not commit (the process died): every replaced
 * file gets its previous content back, files it added are removed. Returns
 * the paths restored. Refuses while the writing process is still alive.
 */
export function recoverOut(outDir: string): string[] {
  const jp = join(outDir, JOURNAL);
  if (!existsSync(jp)) {
    removeStages(outDir);
    return [];
  }
  let journal: Journal;
  try {
    journal = JSON.parse(readFileSync(jp, "utf8")) as Journal;
  } catch {
    throw new WriteError(`${jp} is damaged; compare ${outDir} with git and remove the file by hand`);
  }
  if (pidAlive(journal.pid)) throw new WriteError(`another dioptra-deploy (pid ${journal.pid}) is writing ${outDir}; wait for it to finish`);
  const stage = join(outDir, journal.stage);
  const restored: string[] = [];
  for (const e of [...journal.entries].reverse()) {
    if (!isInside(e.path)) continue;
    const target = join(outDir, e.path);
    const backup = join(stage, ".backup", e.path);
    if (existsSync(backup)) {
      mkdirSync(dirname(target), { recursive: true });
      renameSync(backup, target);
      restored.push(e.path);
    } else if (!e.existed && existsSync(target)) {
      unlinkSync(target);
      restored.push(e.path);
    }
  }
  unlinkSync(jp);
  removeStages(outDir);
  return restored;
}

export function removeStages(outDir: string): void {
  if (!existsSync(outDir)) return;
  for (const name of readdirSync(outDir)) {
    if (name.startsWith(STAGE_PREFIX)) rmSync(join(outDir, name), { recursive: true, force: true });
  }
  rmSync(join(outDir, `${JOURNAL}.tmp`), { force: true });
}
