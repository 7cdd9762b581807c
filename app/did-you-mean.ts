/**
 * "did you mean" for a misspelt setting: the validation's unknown-setting
 * message lists the keys allowed at that spot, and the closest one (same
 * letters in another case, or at most two edits away) is suggested. Shared
 * by `set` and `generate`, so both suggest the same key.
 */
import type { Issue } from "../dsl/errors.js";
import { formatSettingPath, parseSettingPath } from "../config-edit/config-ast.js";

/** `; did you mean nginx.serverName?` for an unknown-setting issue with a close key, else "". */
export function suggestion(issue: Issue): string {
  const allowed = /allowed here: ([^)]*)\)/.exec(issue.message)?.[1]?.split(", ");
  const keys = parseSettingPath(issue.path);
  const typo = keys?.at(-1)?.toLowerCase();
  if (!allowed || !keys || typo === undefined) return "";
  const close = allowed.find((a) => a.toLowerCase() === typo) ?? allowed.find((a) => distance(a.toLowerCase(), typo) <= 2);
  return close ? `; did you mean ${formatSettingPath([...keys.slice(0, -1), close])}?` : "";
}

/** Levenshtein distance. */
export function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}
