/** `--check`: what a write would change, as diffs; writes nothing. */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { unifiedDiff } from "./diff-text.js";
import { plan } from "./guard.js";
import { bytesOf } from "./manifest.js";
import { JOURNAL, MANIFEST, type FileToWrite } from "./names.js";
import { readIfFile } from "./read.js";

export interface Drift {
  readonly path: string;
  readonly kind: "changed" | "missing" | "stale";
  /** Unified diff from what is on disk to what would be written. */
  readonly diff: string;
}

/** What `generate` would change in `outDir`, as diffs; writes nothing. */
export async function checkOut(files: readonly FileToWrite[], outDir: string): Promise<Drift[]> {
  const journal = join(outDir, JOURNAL);
  const pending = existsSync(journal) ? [{ path: JOURNAL, kind: "stale" as const, diff: `an interrupted write left ${journal}; run generate to roll it back\n` }] : [];
  const p = plan(files, outDir);
  const drift: Drift[] = [...pending];
  for (const f of p.changed) {
    const cur = readIfFile(join(outDir, f.path));
    // The manifest changes whenever a file does; its diff would be hashes only.
    if (f.path === MANIFEST) drift.push({ path: f.path, kind: cur === undefined ? "missing" : "changed", diff: "" });
    else if (cur === undefined) drift.push({ path: f.path, kind: "missing", diff: unifiedDiff(f.path, "", f.content) });
    else if (cur.equals(bytesOf(f))) drift.push({ path: f.path, kind: "changed", diff: `mode of ${f.path} should be ${f.mode.toString(8)}\n` });
    else drift.push({ path: f.path, kind: "changed", diff: unifiedDiff(f.path, cur.toString("utf8"), f.content) });
  }
  for (const s of p.stale) drift.push({ path: s, kind: "stale", diff: unifiedDiff(s, readFileSync(join(outDir, s), "utf8"), "") });
  return drift;
}
