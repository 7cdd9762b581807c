#!/usr/bin/env node
// Thin launcher: `npm run build` (run by npm ci) compiles the CLI to dist/ and bundles it
// into dist/bundle/cli.js, which starts faster; the unbundled dist/cli/main.js is the fallback.
import { existsSync } from "node:fs";

const bundled = new URL("../dist/bundle/cli.js", import.meta.url);
const cli = existsSync(bundled) ? bundled : new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(cli)) {
  console.error("error: dioptra-deploy is not built; run `npm ci` or `npm run build` first");
  process.exit(2);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
