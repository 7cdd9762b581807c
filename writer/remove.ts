/** Removing the writer's own leftovers (staging folders) through open folders: a swap cannot redirect the removal. */
import { lstatSync, readdirSync, rmdirSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { WriteError } from "./errors.js";
import { Folder } from "./folder.js";

/** Deeper than any generated path; a deeper stage was not made by this tool. */
const MAX_DEPTH = 64;

/** Removes `name` inside `parent`, and everything under it when it is a folder; links are removed, never followed. */
export function removeAll(parent: Folder, name: string, outDir: string, depth = 0): void {
  let isDir: boolean;
  try {
    isDir = lstatSync(parent.at(name)).isDirectory();
  } catch {
    return;
  }
  if (!isDir) {
    unlinkSync(parent.at(name));
    return;
  }
  if (depth > MAX_DEPTH) throw new WriteError(`${join(parent.path, name)} is nested deeper than dioptra-deploy ever writes; left alone (remove it by hand)`);
  const dir = Folder.open(join(parent.path, name), outDir, parent, name);
  if (dir === undefined) return;
  try {
    for (const n of readdirSync(dir.at(""))) removeAll(dir, n, outDir, depth + 1);
  } finally {
    dir.close();
  }
  rmdirSync(parent.at(name));
}
