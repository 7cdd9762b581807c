/**
 * The lifecycle side of `plan` and `generate`: the changes a generation
 * makes to the deployment's state (app/changes.ts), and the refusals of
 * the ones that would strand data, located at the setting that makes them.
 */
import { resolve } from "node:path";
import type { Issue } from "../dsl/errors.js";
import type { OutFile } from "../generators/out-file.js";
import { parseStateRecord, STATE_RECORD } from "../generators/state-record.js";
import { classifyChanges, type Change } from "./changes.js";
import { readPrevious } from "./previous-state.js";

/** The changes `files` would make to the deployment in `outDir`; none for a first generation. */
export function lifecycleChanges(files: readonly OutFile[], outDir: string): Change[] {
  const text = files.find((f) => f.path === STATE_RECORD)?.content;
  const next = text === undefined ? undefined : parseStateRecord(text);
  if (!next) throw new Error(`internal error: ${STATE_RECORD} was not generated or does not parse`);
  return classifyChanges(readPrevious(outDir), next);
}

/** One located issue per change that would strand data. */
export async function refusals(changes: readonly Change[], configFile: string): Promise<Issue[]> {
  const data = changes.filter((c) => c.class === "data");
  if (data.length === 0) return [];
  const { firstStatedSetting } = await import("../config-edit/stated-setting.js");
  const { locateSetting } = await import("../config-edit/config-ast.js");
  const abs = resolve(configFile);
  return data.map((c) => {
    const stated = firstStatedSetting(abs, c.settings);
    const pos = stated ?? locateSetting(abs, c.settings[0]!);
    const path = stated?.path ?? c.settings[0]!;
    return { path, message: `${c.what}. Nothing written; the way through: ${c.way}`, ...(pos ? { location: `${abs}:${pos.line}:${pos.column}` } : {}) };
  });
}
