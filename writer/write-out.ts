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
import { closeSync, copyFileSync, existsSync, fchmodSync, fsyncSync, linkSync, lstatSync, mkdirSync, mkdtempSync, openSync, renameSync, rmSync, rmdirSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { backUp } from "./backup.js";
import { WriteConflictError, WriteError } from "./errors.js";
import { plan, planWarnings } from "./guard.js";
import { recoverOut, writeJournal } from "./journal.js";
import { lock } from "./lock.js";
import { bytesOf, readManifest } from "./manifest.js";
import { JOURNAL, MANIFEST, STAGE_PREFIX, type FileToWrite, type ForeignFile } from "./names.js";
import { ensureOutDir, refuseOutDir, refuseSymlinks, type ProtectedDir } from "./out-dir.js";
import { isInside } from "./paths.js";

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
  /** Files we do not generate that are reported when found (the targets know which). */
  readonly foreign?: readonly ForeignFile[];
  /** Test hook: called after each step of a write, to inject failures or pauses. */
  readonly hook?: WriteHook;
}

/** Test hook: called after each step of a write, to inject failures or pauses. */
export type WriteHook = (step: number, path: string) => void;

/** Removes empty folders left by removed files, up to (not including) the output folder. */
function pruneEmptyDirs(outDir: string, path: string): void {
  for (let d = dirname(path); d !== "." && d !== ""; d = dirname(d)) {
    try {
      rmdirSync(join(outDir, d));
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
function writeStaged(stage: string, files: readonly FileToWrite[]): void {
  const BATCH = 64;
  for (let i = 0; i < files.length; i += BATCH) {
    const open: number[] = [];
    try {
      for (const f of files.slice(i, i + BATCH)) {
        const p = join(stage, f.path);
        mkdirSync(dirname(p), { recursive: true });
        const fd = openSync(p, "w", f.mode);
        open.push(fd);
        writeFileSync(fd, bytesOf(f));
        fchmodSync(fd, f.mode); // the umask may have masked the mode given to open
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
 */
export function writeOut(files: readonly FileToWrite[], outDir: string, options: WriteOptions = {}): WriteReport {
  for (const f of files) if (!isInside(f.path)) throw new Error(`internal error: generated path ${f.path} leaves the output folder`);
  refuseOutDir(outDir, options.protect);
  ensureOutDir(outDir);
  refuseSymlinks(outDir, [""]);
  const unlock = lock(outDir);
  try {
    return writeLocked(files, outDir, options);
  } finally {
    unlock();
  }
}

function writeLocked(files: readonly FileToWrite[], outDir: string, options: WriteOptions): WriteReport {
  const { hook } = options;
  // Every path we may read, write or remove, before anything is read: a link could lead outside.
  refuseSymlinks(outDir, [MANIFEST, JOURNAL, ...files.map((f) => f.path), ...readManifest(outDir).entries.map((e) => e.path)]);
  const warnings: string[] = [];
  const restored = recoverOut(outDir);
  if (restored.length > 0) warnings.push(`rolled back an interrupted write (${restored.length} files restored)`);
  const p = plan(files, outDir, options.foreign);
  for (const f of p.changed) {
    // A user's folder (or other non-file) where we want a file: refuse rather than delete it.
    const target = join(outDir, f.path);
    if (existsSync(target) && !lstatSync(target).isFile()) throw new WriteError(`${target} is not a regular file; move it away so it can be generated`);
  }
  const refused = p.conflicts.filter((c) => !(c.kind === "foreign" ? options.adopt : options.force));
  if (refused.length > 0) throw new WriteConflictError(refused);
  warnings.push(...planWarnings(p, options.foreign ?? []));
  if (p.changed.length === 0 && p.stale.length === 0) return { written: [], removed: [], warnings, backedUp: [], backup: undefined };

  // The originals of adopted and overridden files are kept before anything changes.
  const backup = p.conflicts.length > 0 ? backUp(outDir, p.conflicts.map((c) => c.path)) : undefined;

  let stage: string;
  try {
    stage = mkdtempSync(join(outDir, STAGE_PREFIX));
  } catch (e) {
    throw new WriteError(`cannot write in ${outDir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const stageName = stage.slice(outDir.length).replace(/^[/\\]+/, "");
  // Manifest last: until it is in place, the old one still describes the folder.
  const changed = [...p.changed.filter((f) => f.path !== MANIFEST), ...p.changed.filter((f) => f.path === MANIFEST)];
  let step = 0;
  try {
    writeStaged(stage, changed);
    writeJournal(outDir, {
      pid: process.pid,
      stage: stageName,
      entries: [...changed.map((f) => ({ path: f.path, existed: existsSync(join(outDir, f.path)) })), ...p.stale.map((s) => ({ path: s, existed: true }))],
    });
  } catch (e) {
    rmSync(stage, { recursive: true, force: true });
    rmSync(join(outDir, JOURNAL), { force: true });
    throw e;
  }
  try {
    for (const f of changed) {
      const target = join(outDir, f.path);
      if (existsSync(target)) {
        const backup = join(stage, ".backup", f.path);
        mkdirSync(dirname(backup), { recursive: true });
        try {
          linkSync(target, backup);
        } catch {
          copyFileSync(target, backup);
        }
      }
      mkdirSync(dirname(target), { recursive: true });
      renameSync(join(stage, f.path), target);
      hook?.(++step, f.path);
    }
    for (const s of p.stale) {
      const backup = join(stage, ".backup", s);
      mkdirSync(dirname(backup), { recursive: true });
      renameSync(join(outDir, s), backup);
      hook?.(++step, s);
    }
  } catch (e) {
    recoverOut(outDir);
    throw e;
  }
  unlinkSync(join(outDir, JOURNAL)); // the commit point
  rmSync(stage, { recursive: true, force: true });
  for (const s of p.stale) pruneEmptyDirs(outDir, s);
  return { written: changed.map((f) => f.path), removed: p.stale, warnings, backedUp: p.conflicts.map((c) => c.path), backup };
}
