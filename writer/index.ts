/**
 * The output folder's transaction, free of any target's knowledge: what
 * callers use. One job per module: `manifest` (what we generated), `guard`
 * (what stands in the way), `journal` (staging record and crash recovery),
 * `lock`, `check` (`--check`'s diffs), `backup`, `out-dir` (which folder may
 * be written), and `write-out`, which runs them in order.
 */
export { checkOut, type Drift } from "./check.js";
export { WriteConflictError, WriteError, type Conflict } from "./errors.js";
export { recoverOut } from "./journal.js";
export { manifestFile, readManifest, type ManifestEntry } from "./manifest.js";
export { BACKUP_DIR, JOURNAL, LOCK, MANIFEST, STAGE_PREFIX, type FileToWrite, type ForeignFile } from "./names.js";
export { refuseOutDir, type ProtectedDir } from "./out-dir.js";
export { writeOut, type WriteHook, type WriteOptions, type WriteReport } from "./write-out.js";
