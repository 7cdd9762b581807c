/**
 * Where a config sits in the user's project: the project folder, and the
 * tsconfig.json that applies to the config. Both are looked up from the
 * config's folder, as an editor or the project's own `tsc` would.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/** The nearest folder at or above `dir` holding package.json or .git: the user's project. */
export function projectDir(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, "package.json")) || existsSync(join(d, ".git"))) return d;
    if (dirname(d) === d) return undefined;
  }
}

/** The tsconfig.json that applies to a file of `dir`: the nearest one, not above the project. */
export function userTsconfig(dir: string, project = projectDir(dir)): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, "tsconfig.json"))) return join(d, "tsconfig.json");
    if (d === project || dirname(d) === d) return undefined;
  }
}
