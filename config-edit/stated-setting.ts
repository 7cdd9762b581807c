/**
 * Where a config states a setting, only when it states it: a lifecycle
 * refusal (app/lifecycle-check.ts) may be caused by one of several settings
 * (`slug`, else `name`), and should point at the one that is written.
 */
import { readFileSync } from "node:fs";
import { findDeployment, parseConfig, parseSettingPath, walkSetting, type Position } from "./config-ast.js";

/** The first of `paths` the config states, and where, or undefined when none is. */
export function firstStatedSetting(configFile: string, paths: readonly string[]): (Position & { readonly path: string }) | undefined {
  let site;
  try {
    site = findDeployment(parseConfig(readFileSync(configFile, "utf8"), configFile));
  } catch {
    return undefined;
  }
  if (!site) return undefined;
  for (const path of paths) {
    const keys = parseSettingPath(path) ?? path.split(".");
    const { steps } = walkSetting(site, keys);
    const last = steps.at(-1);
    if (steps.length === keys.length && last) return { path, ...site.sourceFile.getLineAndColumnAtPos(last.holder.getStart()) };
  }
  return undefined;
}
