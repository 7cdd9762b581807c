/** Reading what is in the output folder now, through its open folders (never through a link). */
import { WriteError } from "./errors.js";
import { readAt, type Found } from "./file-io.js";
import type { FolderTree } from "./folder.js";
import { MAX_FILE_BYTES } from "./names.js";
import { join } from "node:path";

/** What is at `rel` under the tree; a missing folder on the way means the file is missing. */
export function look(tree: FolderTree | undefined, rel: string, max = MAX_FILE_BYTES): Found {
  const place = tree?.place(rel);
  return place ? readAt(place.dir.at(place.name), max) : { kind: "missing" };
}

/** The bytes of the regular file at `rel`; undefined for anything else. A file too large to compare is an error. */
export function readIfFile(tree: FolderTree | undefined, rel: string, outDir: string): Buffer | undefined {
  const f = look(tree, rel);
  if (f.kind === "too-large") throw new WriteError(`${join(outDir, rel)} holds ${f.size} bytes; dioptra-deploy reads no file over ${MAX_FILE_BYTES} bytes in the output folder (move it away)`);
  return f.kind === "file" ? f.bytes : undefined;
}

/** git keeps only the executable bit, so that is the only mode bit compared. */
export const isExecutable = (mode: number) => (mode & 0o111) !== 0;
