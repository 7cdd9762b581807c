#!/usr/bin/env node
"use strict";
// Thin launcher, CommonJS so that a run loads no ES module it does not need. `npm run build`
// (run by npm ci) bundles the CLI into dist/bundle/cli.cjs with a V8 code cache, loaded by
// dist/bundle/launch.cjs; the unbundled dist/cli/main.js is the fallback. The bundle's code
// cannot call import() itself (runtime/dynamic-import.ts): it gets this module's, which
// resolves from the package as the unbundled code would.
const { existsSync } = require("node:fs");
const { join } = require("node:path");
const { pathToFileURL } = require("node:url");

const launcher = join(__dirname, "..", "dist", "bundle", "launch.cjs");
const unbundled = join(__dirname, "..", "dist", "cli", "main.js");
const argv = process.argv.slice(2);
let run;
if (existsSync(launcher)) {
  run = require(launcher).launch(argv, (specifier) => import(specifier));
} else if (existsSync(unbundled)) {
  run = import(pathToFileURL(unbundled).href).then(({ main }) => main(argv));
} else {
  console.error("error: dioptra-deploy is not built; run `npm ci` or `npm run build` first");
  process.exit(2);
}
run.then((code) => {
  process.exitCode = code;
});
