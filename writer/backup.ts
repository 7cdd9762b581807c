/** The backup folder: originals that `--adopt` and `--force` replace, kept before anything changes. */
import { copyFileSync, existsSync, linkSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { BACKUP_DIR } from "./names.js";

/** A name for this run's backup folder: the time, sortable and valid on every file system. */
function backupName(outDir: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  for (let n = 1; ; n++) {
    const name = join(BACKUP_DIR, n === 1 ? stamp : `${stamp}-${n}`);
    if (!existsSync(join(outDir, name))) return name;
  }
}

/** Keeps `paths` in a new backup folder (hard links where it can); returns the folder, relative. */
export function backUp(outDir: string, paths: readonly string[]): string {
  const backup = backupName(outDir);
  for (const p of paths) {
    const to = join(outDir, backup, p);
    mkdirSync(dirname(to), { recursive: true });
    try {
      linkSync(join(outDir, p), to);
    } catch {
      copyFileSync(join(outDir, p), to);
    }
  }
  return backup;
}
