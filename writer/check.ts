/** `--check`: what a write would change, as diffs; writes nothing. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { unifiedDiff } from "./diff-text.js";
import { Folder, FolderTree } from "./folder.js";
import { plan, printable } from "./guard.js";
import { bytesOf, readManifest, type PreviousManifest } from "./manifest.js";
import { JOURNAL, MANIFEST, type FileToWrite } from "./names.js";

export interface Drift {
  readonly path: string;
  readonly kind: "changed" | "missing" | "stale";
  /** Unified diff from what is on disk to what would be written. */
  readonly diff: string;
}

/**
 * What `generate` would change in `outDir`, as diffs; writes nothing. Reads
 * nothing through a link. `config` names the config, as `writeOut` takes it.
 */
export async function checkOut(files: readonly FileToWrite[], outDir: string, options: { readonly config?: string } = {}): Promise<Drift[]> {
  const journal = join(outDir, JOURNAL);
  const pending = existsSync(journal) ? [{ path: JOURNAL, kind: "stale" as const, diff: `an interrupted write left ${journal}; run generate to roll it back\n` }] : [];
  const root = Folder.open(outDir, outDir);
  const tree = root && new FolderTree(root, outDir);
  try {
    const p = plan(files, tree, outDir, [], options.config);
    const drift: Drift[] = [...pending];
    for (const f of p.changed) {
      const cur = p.current.get(f.path);
      // The manifest changes whenever a file does; its diff would be hashes only.
      if (f.path === MANIFEST) drift.push({ path: f.path, kind: cur === undefined ? "missing" : "changed", diff: p.owner ? `${outDir} was generated from ${printable(p.owner.was)}; this config is ${printable(p.owner.now)}\n` : "" });
      else if (cur === undefined) drift.push({ path: f.path, kind: "missing", diff: unifiedDiff(f.path, "", f.content) });
      else if (cur.equals(bytesOf(f))) drift.push({ path: f.path, kind: "changed", diff: `mode of ${f.path} should be ${f.mode.toString(8)}\n` });
      else drift.push({ path: f.path, kind: "changed", diff: unifiedDiff(f.path, cur.toString("utf8"), f.content) });
    }
    for (const s of p.stale) drift.push({ path: s, kind: "stale", diff: unifiedDiff(s, p.current.get(s)!.toString("utf8"), "") });
    return drift;
  } finally {
    tree?.close();
    root?.close();
  }
}

/** The manifest the last generate left in `outDir`, read without following links (empty when there is none). */
export function readOutManifest(outDir: string): PreviousManifest {
  const root = Folder.open(outDir, outDir);
  const tree = root && new FolderTree(root, outDir);
  try {
    return readManifest(tree, outDir);
  } finally {
    tree?.close();
    root?.close();
  }
}
