/** Unified diffs, as `--check` and refusals show them. */
import { createTwoFilesPatch } from "diff";

/** Lines of a unified diff between two texts, with file headers. */
export function unifiedDiff(path: string, from: string, to: string): string {
  return createTwoFilesPatch(`a/${path}`, `b/${path}`, from, to, "", "", { context: 3 });
}
