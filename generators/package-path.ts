/**
 * Files of this package, found from its root (the folder of its
 * package.json), so they resolve alike from the compiled modules in dist/
 * and from the single-file CLI bundle, which sit at different depths.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "dioptra-deploy") return dir;
    if (dirname(dir) === dir) throw new Error("internal error: the dioptra-deploy package.json was not found above the running code");
  }
}

let root: string | undefined;

/** `<package root>/<segments…>`. */
export function packagePath(...segments: string[]): string {
  root ??= findRoot();
  return join(root, ...segments);
}
