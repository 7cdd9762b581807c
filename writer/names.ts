/**
 * The writer's own names inside the output folder, and what a file it is
 * given looks like. These names are reserved: the writer keeps its
 * bookkeeping there, and `.gitignore` (generated) lists all but the manifest.
 */

/** Lists what was generated, with hashes; committed with the folder. */
export const MANIFEST = ".dioptra-manifest.json";
/** Records a write in progress, so that a killed run can be rolled back. */
export const JOURNAL = ".dioptra-journal.json";
/** Each write stages its new files (and the old ones' backups) in a fresh folder named so. */
export const STAGE_PREFIX = ".dioptra-stage-";
/** Held by a running write, so that two never write at once. */
export const LOCK = ".dioptra-lock";
/** Where adopted and overridden originals are kept, one folder per run. */
export const BACKUP_DIR = ".dioptra-backup";

/** One file to write, relative to the output folder (generators' files have this shape). */
export interface FileToWrite {
  readonly path: string;
  readonly content: string;
  readonly mode: number;
}

/**
 * A file the writer did not generate but must warn about when it finds one
 * (a target knows which files its tools load without being asked).
 */
export interface ForeignFile {
  readonly path: string;
  /** What it does there, said after "yet": "docker compose loads it … ; move it away, …". */
  readonly why: string;
  /** Said in brackets when a generated one, edited by hand, is kept after it is no longer generated. */
  readonly whenKept?: string;
}

