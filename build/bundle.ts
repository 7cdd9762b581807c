/**
 * Build step: bundles the CLI into dist/bundle/ with esbuild, so a run loads
 * a few files instead of a hundred modules (the biggest part of `generate`'s
 * start-up). Commands load their own chunks lazily; ts-morph, prettier,
 * esbuild and TypeScript stay outside, loaded only by the commands that use
 * them. The DSL is a second entry (dist/bundle/dsl.js), which a config's
 * `dioptra-deploy` import resolves to when the bundle runs.
 */
import { rmSync } from "node:fs";
import { build } from "esbuild";
import { packagePath } from "../generators/package-path.js";

const outdir = packagePath("dist", "bundle");
rmSync(outdir, { recursive: true, force: true });
await build({
  // The DSL is an entry of its own: configs import it (cli/load-config.ts), sharing its chunks with the CLI.
  entryPoints: { cli: packagePath("dist", "cli", "main.js"), dsl: packagePath("dist", "dsl", "index.js") },
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  outdir,
  external: ["esbuild", "ts-morph", "prettier", "typescript"],
  // CommonJS dependencies (ajv's runtime, ejs) call require(); give the ESM bundle one.
  banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' },
  define: { DIOPTRA_BUNDLED_DSL: JSON.stringify("./dsl.js") },
  // Less to parse on every run; names are kept for stack traces under --debug.
  minify: true,
  keepNames: true,
  logLevel: "warning",
});
