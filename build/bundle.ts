/**
 * Build step: bundles the CLI into dist/bundle/ with esbuild, so a run loads
 * a few files instead of a hundred modules (the biggest part of `generate`'s
 * start-up). Commands load their own chunks lazily; ts-morph, prettier,
 * esbuild and TypeScript stay outside, loaded only by the commands that use
 * them. The config's `dioptra-deploy` import still resolves to dist/dsl.
 */
import { rmSync } from "node:fs";
import { build } from "esbuild";
import { packagePath } from "../generators/package-path.js";

const outdir = packagePath("dist", "bundle");
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { cli: packagePath("dist", "cli", "main.js") },
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  outdir,
  external: ["esbuild", "ts-morph", "prettier", "typescript"],
  // CommonJS dependencies (ajv's runtime, ejs) call require(); give the ESM bundle one.
  banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' },
  logLevel: "warning",
});
