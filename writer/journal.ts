/**
 * The journal of a write in progress, and the rollback of one that did not
 * commit: staged files, hard-link backups of the files they replace, and a
 * record naming both, so that a killed run is undone by the next.
 *
 * The record lives in the output folder, which arrives by git: it is a
 * stranger's input. A rollback acts only on a record this tool could have
 * written, and only where it can prove the right to: every path plain and
 * inside the folder, the stage named as the writer names it, every file
 * restored or removed either listed in the previous manifest or holding
 * exactly the bytes the interrupted write put there (by SHA-256), and every
 * restored copy holding exactly the bytes recorded. Otherwise nothing is
 * touched and the problems are reported.
 */
import { closeSync, fsyncSync, readdirSync, renameSync, unlinkSync, lstatSync } from "node:fs";
import { join } from "node:path";
import { WriteError } from "./errors.js";
import { createAt, type Found } from "./file-io.js";
import { Folder, FolderTree } from "./folder.js";
import { pidAlive } from "./lock.js";
import { parseManifest, sha256 } from "./manifest.js";
import { JOURNAL, MANIFEST, MAX_RECORD_BYTES, STAGE_PREFIX, isReserved } from "./names.js";
import { isPlainPath } from "./paths.js";
import { look } from "./read.js";
import { removeAll } from "./remove.js";

/** One file a write replaces, adds or removes: its SHA-256 before and after (null: no file). */
export interface JournalEntry {
  readonly path: string;
  readonly before: string | null;
  readonly after: string | null;
}

export interface Journal {
  readonly version: 2;
  readonly pid: number;
  readonly stage: string;
  readonly entries: readonly JournalEntry[];
}

/** mkdtemp's six letters and digits after the prefix: any other name was not made by the writer. */
const STAGE_NAME = new RegExp(`^${STAGE_PREFIX.replace(/[.]/g, "\\.")}[A-Za-z0-9]{6}$`);
/** Inside a stage: where the replaced files' previous copies are kept. */
export const STAGE_BACKUP = ".backup";

const isHash = (h: unknown): h is string | null => h === null || (typeof h === "string" && /^[0-9a-f]{64}$/.test(h));

export function writeJournal(root: Folder, journal: Journal): void {
  const tmp = `${JOURNAL}.tmp`;
  try {
    unlinkSync(root.at(tmp));
  } catch {
    // none left over
  }
  const fd = createAt(root.at(tmp), Buffer.from(JSON.stringify(journal)), 0o644);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(root.at(tmp), root.at(JOURNAL));
}

/** The journal's record, or the reasons it is not one this tool wrote. */
function parseJournal(found: Found): Journal | string {
  if (found.kind === "too-large") return `it holds ${found.size} bytes, over the ${MAX_RECORD_BYTES} a journal may`;
  if (found.kind !== "file") return `it is ${found.kind === "other" ? found.what : "missing"}`;
  let data: unknown;
  try {
    data = JSON.parse(found.bytes.toString("utf8"));
  } catch {
    return "it is not JSON";
  }
  const j = data as Partial<Journal>;
  if (typeof j !== "object" || j === null || j.version !== 2) return "it is not a version 2 record";
  if (!Number.isSafeInteger(j.pid) || (j.pid as number) <= 0) return "its pid is not a process id";
  if (typeof j.stage !== "string" || !STAGE_NAME.test(j.stage)) return `its stage is not named ${STAGE_PREFIX}<6 letters or digits>`;
  if (!Array.isArray(j.entries)) return "it has no entries";
  const seen = new Set<string>();
  for (const e of j.entries as unknown[]) {
    const { path, before, after } = (e ?? {}) as Partial<JournalEntry>;
    if (!isPlainPath(path) || isReserved(path)) return `an entry names ${JSON.stringify(path)}, not a plain path of a generated file inside the folder`;
    if (!isHash(before) || !isHash(after) || (before === null && after === null)) return `the entry for ${path} has no SHA-256 before or after`;
    if (seen.has(path)) return `${path} is named twice`;
    seen.add(path);
  }
  return j as Journal;
}

type Action = { readonly path: string; readonly kind: "restore" | "remove" };

/** The paths the previous manifest lists: the one on disk, or the copy staged when the write had already replaced it. */
function previousManifest(tree: FolderTree, stage: FolderTree | undefined, journal: Journal): Set<string> {
  const entry = journal.entries.find((e) => e.path === MANIFEST);
  const onDisk = look(tree, MANIFEST, MAX_RECORD_BYTES);
  let bytes = onDisk.kind === "file" ? onDisk.bytes : undefined;
  if (entry && bytes !== undefined && sha256(bytes) === entry.after && stage) {
    const staged = look(stage, `${STAGE_BACKUP}/${MANIFEST}`, MAX_RECORD_BYTES);
    bytes = staged.kind === "file" && sha256(staged.bytes) === entry.before ? staged.bytes : undefined;
  }
  try {
    return new Set(bytes ? parseManifest(bytes).entries.map((e) => e.path) : []);
  } catch {
    return new Set();
  }
}

/** What rolling back each entry takes, or the problems that forbid touching anything. */
function planRollback(tree: FolderTree, stage: FolderTree | undefined, journal: Journal): { actions: Action[]; problems: string[] } {
  const known = previousManifest(tree, stage, journal);
  const actions: Action[] = [];
  const problems: string[] = [];
  for (const e of journal.entries) {
    let cur: Found;
    try {
      cur = look(tree, e.path);
    } catch (err) {
      problems.push(`${e.path}: ${(err as Error).message}`);
      continue;
    }
    if (cur.kind === "other" || cur.kind === "too-large") {
      problems.push(`${e.path} is ${cur.kind === "other" ? cur.what : "too large"}`);
      continue;
    }
    const now = cur.kind === "file" ? sha256(cur.bytes) : null;
    if (now === e.before) continue; // already as before the write
    const ours = now !== null && now === e.after;
    if (!known.has(e.path) && e.path !== MANIFEST && !ours) {
      problems.push(`${e.path} is neither listed in the previous manifest nor holds the bytes the interrupted write put there`);
      continue;
    }
    if (now !== null && !ours) {
      problems.push(`${e.path} holds bytes that neither generation wrote`);
      continue;
    }
    if (e.before === null) {
      actions.push({ path: e.path, kind: "remove" });
      continue;
    }
    const copy = stage ? look(stage, `${STAGE_BACKUP}/${e.path}`) : ({ kind: "missing" } as const);
    if (copy.kind !== "file" || sha256(copy.bytes) !== e.before) {
      problems.push(`${e.path}: its staged previous copy is ${copy.kind === "file" ? "not the one recorded" : "missing"}`);
      continue;
    }
    actions.push({ path: e.path, kind: "restore" });
  }
  return { actions, problems };
}

export interface Recovery {
  /** Paths rolled back to the previous generation. */
  readonly restored: readonly string[];
  /** What was found and left alone. */
  readonly warnings: readonly string[];
}

/**
 * Rolls back a write that did not commit (the process died): every replaced
 * file gets its previous content back, files it added are removed. Refuses
 * while the writing process is still alive, and refuses (touching nothing)
 * a record it cannot prove (see the module's comment).
 */
export function recover(tree: FolderTree, outDir: string): Recovery {
  const jp = join(outDir, JOURNAL);
  const found = look(tree, JOURNAL, MAX_RECORD_BYTES);
  if (found.kind === "missing") return { restored: [], warnings: removeStages(tree.root, outDir) };
  const journal = parseJournal(found);
  const refuse = (problems: readonly string[]) =>
    new WriteError(
      `${jp} is not a record of a write dioptra-deploy can roll back (${problems.slice(0, 5).join("; ")}${problems.length > 5 ? `; and ${problems.length - 5} more` : ""}); nothing was rolled back, removed or written: compare ${outDir} with git, then remove the journal and any ${STAGE_PREFIX}* folder by hand`,
    );
  if (typeof journal === "string") throw refuse([journal]);
  if (pidAlive(journal.pid)) throw new WriteError(`another dioptra-deploy (pid ${journal.pid}) is writing ${outDir}; wait for it to finish`);
  let stageDir: Folder | undefined;
  try {
    stageDir = tree.dir(journal.stage);
  } catch (e) {
    throw refuse([(e as Error).message]);
  }
  const stage = stageDir && new FolderTree(stageDir, outDir);
  try {
    const { actions, problems } = planRollback(tree, stage, journal);
    if (problems.length > 0) throw refuse(problems);
    for (const a of [...actions].reverse()) {
      const target = tree.place(a.path, true)!;
      if (a.kind === "remove") unlinkSync(target.dir.at(target.name));
      else {
        const copy = stage!.place(`${STAGE_BACKUP}/${a.path}`)!;
        renameSync(copy.dir.at(copy.name), target.dir.at(target.name));
      }
    }
    unlinkSync(tree.root.at(JOURNAL));
    stage?.close();
    tree.forget(journal.stage);
    return { restored: actions.map((a) => a.path), warnings: removeStages(tree.root, outDir) };
  } finally {
    stage?.close();
  }
}

/** {@link recover} for a folder given by path (tests, and callers that hold no open folder). */
export function recoverOut(outDir: string): Recovery {
  const root = Folder.open(outDir, outDir);
  if (root === undefined) return { restored: [], warnings: [] };
  const tree = new FolderTree(root, outDir);
  try {
    return recover(tree, outDir);
  } finally {
    tree.close();
    root.close();
  }
}

/**
 * Removes the stages a write left (named as the writer names them, real
 * folders) and the journal's temporary file; reports and leaves alone
 * anything else that takes the stage prefix.
 */
export function removeStages(root: Folder, outDir: string): string[] {
  const warnings: string[] = [];
  for (const name of readdirSync(root.at(""))) {
    if (!name.startsWith(STAGE_PREFIX)) continue;
    let isDir = false;
    try {
      isDir = lstatSync(root.at(name)).isDirectory();
    } catch {
      continue;
    }
    if (!STAGE_NAME.test(name) || !isDir) {
      warnings.push(`${join(outDir, name)} is not a staging folder dioptra-deploy made; left alone`);
      continue;
    }
    removeAll(root, name, outDir);
  }
  const tmp = `${JOURNAL}.tmp`;
  try {
    if (!lstatSync(root.at(tmp)).isDirectory()) unlinkSync(root.at(tmp));
  } catch {
    // none
  }
  return warnings;
}
