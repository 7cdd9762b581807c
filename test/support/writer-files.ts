/** Test support for the writer's tests: a small generation, numbered, and a folder's snapshot. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { FileToWrite } from "../../writer/index.js";
import { listFiles } from "../helpers.js";

/** Three files (one executable, two in folders) whose content says which generation `n` wrote them, plus `extra`. */
export const gen = (n: number, extra: Record<string, string> = {}): FileToWrite[] => [
  { path: "a.yml", content: `a: ${n}\n`, mode: 0o644 },
  { path: "sub/b.env", content: `B=${n}\n`, mode: 0o644 },
  { path: "sub/deep/c.sh", content: `#!/bin/sh\necho ${n}\n`, mode: 0o755 },
  ...Object.entries(extra).map(([path, content]) => ({ path, content, mode: 0o644 })),
];

/** Every file and its bytes, for before/after comparisons. */
export function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(listFiles(dir).map((f) => [f, readFileSync(join(dir, f), "utf8")]));
}
