#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run by npm ci).
import { existsSync } from "node:fs";

const cli = new URL("../dist/scripts/cli.js", import.meta.url);
if (!existsSync(cli)) {
  console.error("error: dioptra-deploy is not built; run `npm ci` or `npm run build` first");
  process.exit(2);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
