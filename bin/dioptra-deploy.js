#!/usr/bin/env node
// Thin launcher: `npm run build` (run by npm ci) compiles the CLI to dist/ and bundles it into
// dist/bundle/cli.cjs with a V8 code cache, which starts faster; the unbundled dist/cli/main.js
// is the fallback. The bundle's code cannot call import() itself (runtime/dynamic-import.ts):
// it gets this module's, which resolves from the package like the unbundled code would.
import { existsSync } from "node:fs";

const bundled = new URL("../dist/bundle/cli.cjs", import.meta.url);
const unbundled = new URL("../dist/cli/main.js", import.meta.url);
let main;
if (existsSync(bundled)) {
  const { loadCliBundle } = await import("../dist/runtime/cli-bundle.js");
  ({ main } = loadCliBundle((specifier) => import(specifier)).cli);
} else if (existsSync(unbundled)) {
  ({ main } = await import(unbundled.href));
} else {
  console.error("error: dioptra-deploy is not built; run `npm ci` or `npm run build` first");
  process.exit(2);
}
process.exitCode = await main(process.argv.slice(2));
