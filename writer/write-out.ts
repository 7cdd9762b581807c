/**
 * The one writer of the output folder.
 *
 * - A manifest (`.dioptra-manifest.json`) lists what we generated, with
 *   hashes; only files it lists are ever replaced or removed, and a listed
 *   file the user has edited since is kept (with a warning) when it is no
 *   longer generated. Files a user added are never touched.
 * - No byte a user wrote is lost: a file in the way that the manifest does
 *   not list, or a generated file edited by hand, stops the write (nothing
 *   written) unless the caller adopts (`adopt`) or overrides (`force`) it,
 *   and then the original is first kept in `.dioptra-backup/<time>/`.
 * - The folder is ours alone: a lock file keeps a second writer out, and a
 *   symbolic link anywhere from the folder down is refused, so nothing is
 *   ever written (or removed) outside it.
 * - New content is staged inside the folder (same file system), then renamed
 *   over the targets, so no file is ever half-written. A journal records each
 *   replacement with a hard-link backup of the old file; if the process dies
 *   before the commit (journal removal), the next run rolls every file back
 *   to the previous generation before doing anything else.
 */
import { closeSync, fsyncSync, linkSync, mkdtempSync, renameSync, rmdirSync, unlinkSync } from "node:fs";
import { basename, join } from "node:path";
import { backUp, copyInto } from "./backup.js";
import { WriteConflictError, WriteError } from "./errors.js";
import { createAt } from "./file-io.js";
import { Folder, FolderTree } from "./folder.js";
import { ownerRefusal, plan, planWarnings } from "./guard.js";
import { STAGE_BACKUP, recover, writeJournal, type JournalEntry } from "./journal.js";
import { lock } from "./lock.js";
import { bytesOf, readManifest, sha256 } from "./manifest.js";
import { JOURNAL, MANIFEST, STAGE_PREFIX, isReserved, type FileToWrite, type ForeignFile } from "./names.js";
import { ensureOutDir, refuseOutDir, refuseSymlinks, type ProtectedDir } from "./out-dir.js";
import { isPlainPath } from "./paths.js";
import { look } from "./read.js";
import { removeAll } from "./remove.js";

export interface WriteReport {
  readonly written: readonly string[];
  readonly removed: readonly string[];
  readonly warnings: readonly string[];
  /** Files kept in {@link WriteReport.backup} before they were replaced. */
  readonly backedUp: readonly string[];
  /** The run's backup folder, relative to the output folder; set when something was backed up. */
  readonly backup: string | undefined;
}

export interface WriteOptions {
  /** Take over files in the way that the manifest does not list, after backing them up. */
  readonly adopt?: boolean;
  /** Replace generated files edited by hand, after backing them up. */
  readonly force?: boolean;
  /** Folders the output folder must not be, nor be a parent of. */
  readonly protect?: readonly ProtectedDir[];
  /**
   * The config that made `files`, recorded in the manifest: a path relative
   * to the output folder. A folder made from another config is refused
   * unless `force` (which then backs up every file it replaces or removes).
   */
  readonly config?: string;
  /** Files we do not generate that are reported when found (the targets know which). */
  readonly foreign?: readonly ForeignFile[];
  /** Test hook: called after each step of a write, to inject failures or pauses. */
  readonly hook?: WriteHook;
}

/** Test hook: called after each step of a write, to inject failures or pauses. */
export type WriteHook = (step: number, path: string) => void;

/** Removes empty folders left by removed files, up to (not including) the output folder. */
function pruneEmptyDirs(tree: FolderTree, path: string): void {
  const parts = path.split("/").slice(0, -1);
  for (let i = parts.length; i > 0; i--) {
    const rel = parts.slice(0, i).join("/");
    const parent = tree.dir(parts.slice(0, i - 1).join("/"));
    if (parent === undefined) return;
    try {
      tree.forget(rel);
      rmdirSync(parent.at(parts[i - 1]!));
    } catch {
      return;
    }
  }
}

/**
 * Writes the staged copies, then flushes them to disk: every file is on disk
 * before the journal says the stage is complete. Flushing after all the
 * writes, a few files at a time, lets the file system commit them together
 * (a quarter less time than a flush after each file, here).
 */
function writeStaged(stage: FolderTree, files: readonly FileToWrite[]): void {
  const BATCH = 64;
  for (let i = 0; i < files.length; i += BATCH) {
    const open: number[] = [];
    try {
      for (const f of files.slice(i, i + BATCH)) {
        const { dir, name } = stage.place(f.path, true)!;
        open.push(createAt(dir.at(name), bytesOf(f), f.mode));
      }
      for (const fd of open) fsyncSync(fd);
    } finally {
      for (const fd of open) closeSync(fd);
    }
  }
}

/**
 * Brings `outDir` to exactly `files` (plus whatever the user added there).
 * Refuses, writing nothing, when a file in the way is not ours or was edited
 * by hand (see {@link WriteOptions.adopt} and {@link WriteOptions.force}).
 * Every folder it writes in is opened without following links, and every
 * name is resolved from the open folder (see folder.ts).
 */
export function writeOut(files: readonly FileToWrite[], outDir: string, options: WriteOptions = {}): WriteReport {
  for (const f of files) if (!isPlainPath(f.path) || isReserved(f.path)) throw new Error(`internal error: generated path ${f.path} leaves the output folder or takes the writer's own name`);
  refuseOutDir(outDir, options.protect);
  ensureOutDir(outDir);
  const root = Folder.open(outDir, outDir);
  if (root === undefined) throw new WriteError(`${outDir} disappeared while dioptra-deploy was about to write it`);
  const tree = new FolderTree(root, outDir);
  try {
    const unlock = lock(root, outDir);
    try {
      return writeLocked(files, tree, outDir, options);
    } finally {
      unlock();
    }
  } finally {
    tree.close();
    root.close();
  }
}

function writeLocked(files: readonly FileToWrite[], tree: FolderTree, outDir: string, options: WriteOptions): WriteReport {
  const { hook } = options;
  // Every path we may read, write or remove, named at once before anything is read (the open folders catch a later swap).
  refuseSymlinks(outDir, [MANIFEST, JOURNAL, ...files.map((f) => f.path), ...readManifest(tree, outDir).entries.map((e) => e.path)]);
  const warnings: string[] = [];
  const recovered = recover(tree, outDir);
  warnings.push(...recovered.warnings);
  if (recovered.restored.length > 0) warnings.push(`rolled back an interrupted write (${recovered.restored.length} files restored)`);
  const p = plan(files, tree, outDir, options.foreign, options.config);
  if (p.owner && !options.force) throw new WriteError(ownerRefusal(p.owner, outDir));
  for (const f of p.changed) {
    // A user's folder (or other non-file) where we want a file: refuse rather than delete it.
    if (!p.current.has(f.path) && look(tree, f.path).kind === "other") throw new WriteError(`${join(outDir, f.path)} is not a regular file; move it away so it can be generated`);
  }
  const refused = p.conflicts.filter((c) => !(c.kind === "foreign" ? options.adopt : options.force));
  if (refused.length > 0) throw new WriteConflictError(refused);
  warnings.push(...planWarnings(p, options.foreign ?? []));
  if (p.changed.length === 0 && p.stale.length === 0) return { written: [], removed: [], warnings, backedUp: [], backup: undefined };

  // The originals of adopted and overridden files are kept before anything changes; all of another deployment's.
  const kept = p.owner ? [...new Set([...p.conflicts.map((c) => c.path), ...p.changed.filter((f) => p.current.has(f.path)).map((f) => f.path), ...p.stale])] : p.conflicts.map((c) => c.path);
  const backup = kept.length > 0 ? backUp(tree, outDir, kept) : undefined;

  let stageName: string;
  try {
    stageName = basename(mkdtempSync(tree.root.at(STAGE_PREFIX)));
  } catch (e) {
    throw new WriteError(`cannot write in ${outDir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const stage = new FolderTree(tree.dir(stageName)!, outDir);
  // Manifest last: until it is in place, the old one still describes the folder.
  const changed = [...p.changed.filter((f) => f.path !== MANIFEST), ...p.changed.filter((f) => f.path === MANIFEST)];
  const hashOf = (path: string) => {
    const cur = p.current.get(path);
    return cur === undefined ? null : sha256(cur);
  };
  const entries: JournalEntry[] = [
    ...changed.map((f) => ({ path: f.path, before: hashOf(f.path), after: sha256(bytesOf(f)) })),
    ...p.stale.map((s) => ({ path: s, before: hashOf(s), after: null })),
  ];
  let step = 0;
  try {
    try {
      writeStaged(stage, changed);
      writeJournal(tree.root, { version: 2, pid: process.pid, stage: stageName, entries });
    } catch (e) {
      stage.close();
      tree.forget(stageName);
      removeAll(tree.root, stageName, outDir);
      try {
        unlinkSync(tree.root.at(JOURNAL));
      } catch {
        // not written
      }
      throw e;
    }
    try {
      for (const f of changed) {
        const target = tree.place(f.path, true)!;
        if (p.current.has(f.path)) {
          const copy = stage.place(`${STAGE_BACKUP}/${f.path}`, true)!;
          try {
            linkSync(target.dir.at(target.name), copy.dir.at(copy.name));
          } catch {
            copyInto(tree, outDir, f.path, copy.dir.at(copy.name));
          }
        }
        const staged = stage.place(f.path)!;
        renameSync(staged.dir.at(staged.name), target.dir.at(target.name));
        hook?.(++step, f.path);
      }
      for (const s of p.stale) {
        const from = tree.place(s)!;
        const copy = stage.place(`${STAGE_BACKUP}/${s}`, true)!;
        renameSync(from.dir.at(from.name), copy.dir.at(copy.name));
        hook?.(++step, s);
      }
      // Every folder written in must still be the one at its path: otherwise a swap happened mid-write.
      tree.verify();
      stage.verify();
    } catch (e) {
      stage.close();
      try {
        recover(tree, outDir);
      } catch (again) {
        throw new WriteError(`${asWriteError(e, outDir).message}; rolling it back failed too (${(again as Error).message}); the next run tries again`);
      }
      throw asWriteError(e, outDir);
    }
    unlinkSync(tree.root.at(JOURNAL)); // the commit point
  } finally {
    stage.close();
  }
  tree.forget(stageName);
  removeAll(tree.root, stageName, outDir);
  for (const s of p.stale) pruneEmptyDirs(tree, s);
  return { written: changed.map((f) => f.path), removed: p.stale, warnings, backedUp: kept, backup };
}

/** A system error met mid-write (the folder changed under us) as a message the user can act on. */
function asWriteError(e: unknown, outDir: string): Error {
  const code = (e as NodeJS.ErrnoException).code;
  if (e instanceof WriteError || typeof code !== "string") return e as Error;
  return new WriteError(`cannot write ${outDir}: ${code} (was the folder changed while dioptra-deploy wrote it?); the previous generation was restored`);
}
