/**
 * The backup folder: originals that `--adopt` and `--force` replace, kept
 * before anything changes. It is created (and each folder in it opened)
 * without following links, so a link planted at `.dioptra-backup` cannot
 * send the copies outside the output folder.
 */
import { closeSync, fsyncSync, linkSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { WriteError } from "./errors.js";
import { createAt } from "./file-io.js";
import type { FolderTree } from "./folder.js";
import { BACKUP_DIR } from "./names.js";
import { look } from "./read.js";

/** Creates this run's backup folder, named by the time (sortable and valid on every file system); returns its name, relative. */
function newBackupDir(tree: FolderTree, outDir: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const parent = tree.dir(BACKUP_DIR, true)!;
  for (let n = 1; ; n++) {
    const name = n === 1 ? stamp : `${stamp}-${n}`;
    try {
      mkdirSync(parent.at(name));
      return `${BACKUP_DIR}/${name}`;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw new WriteError(`cannot create ${join(outDir, BACKUP_DIR, name)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
}

/** Keeps `paths` in a new backup folder (hard links where it can, else copies); returns the folder, relative. */
export function backUp(tree: FolderTree, outDir: string, paths: readonly string[]): string {
  const backup = newBackupDir(tree, outDir);
  for (const p of paths) {
    const from = tree.place(p)!;
    const to = tree.place(`${backup}/${p}`, true)!;
    try {
      linkSync(from.dir.at(from.name), to.dir.at(to.name)); // link(2) links a link itself, never its target
    } catch {
      copyInto(tree, outDir, p, to.dir.at(to.name));
    }
  }
  return backup;
}

/** Copies the regular file at `rel` to `at` (read without following a link, created where nothing is). */
export function copyInto(tree: FolderTree, outDir: string, rel: string, at: string): void {
  const found = look(tree, rel);
  if (found.kind !== "file") throw new WriteError(`${join(outDir, rel)} changed while dioptra-deploy kept a copy of it; nothing written (run generate again)`);
  const fd = createAt(at, found.bytes, found.mode & 0o777);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
