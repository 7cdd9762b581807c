/**
 * Build step: keeps only the declarations a user's compiler can reach from
 * the package's entry (dist/dsl/index.d.ts). tsc emits a .d.ts for every
 * module the DSL compiles, internals and profiles included; shipping those would make the
 * validation, defaults and tables look like API and put them under the
 * user's compiler flags. What index.d.ts does not reach is removed.
 */
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { packagePath } from "../generators/package-path.js";

/** Relative module specifiers of a declaration file (`from "./x.js"`, `import("./x.js")`). */
export function relativeImports(text: string): string[] {
  return [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1]!);
}

/** The .d.ts files under `root` reachable from `entry` (paths relative to root). */
export function reachableDeclarations(root: string, entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of relativeImports(readFileSync(join(root, file), "utf8"))) {
      visit(normalize(join(dirname(file), spec.replace(/\.js$/, ".d.ts"))));
    }
  };
  visit(entry);
  return seen;
}

// The DSL's tsc run also emits declarations for what the DSL imports (profiles/…): prune all of dist/.
const root = packagePath("dist");
const keep = reachableDeclarations(root, join("dsl", "index.d.ts"));
for (const f of readdirSync(root, { recursive: true, encoding: "utf8" })) {
  if (f.endsWith(".d.ts") && !keep.has(normalize(f))) rmSync(join(root, f));
}
console.log(`declarations: ${keep.size} public files kept in ${relative(packagePath(), root)}`);
