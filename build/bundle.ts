/**
 * Build step: bundles the CLI into one CommonJS file, dist/bundle/cli.cjs,
 * with esbuild, and stores V8's code cache of it after sample runs, so that
 * a run reads two files instead of loading a hundred modules and compiles
 * almost nothing (runtime/cached-script.ts); likewise for the files the
 * bundle runs (the Compose schema validator, the compiled init templates). ts-morph, prettier, esbuild and
 * TypeScript stay outside, imported only by the commands that use them.
 * dist/bundle/dsl.cjs and dsl.mjs hand the bundle's DSL to configs;
 * dist/bundle/launch.cjs is what the launcher (bin/dioptra-deploy.cjs) requires.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build, type BuildOptions } from "esbuild";
import type { Io } from "../cli/io.js";
import { packagePath } from "../generators/package-path.js";
import { codeCacheOf, codeCachePath } from "../runtime/cached-script.js";
import { BUNDLE_DSL, BUNDLE_DSL_CJS, CLI_BUNDLE, LAUNCHER, loadCliBundle } from "../runtime/cli-bundle.js";

const outdir = packagePath("dist", "bundle");
rmSync(outdir, { recursive: true, force: true });

/** One CommonJS file for Node 20 from `entry` (a compiled module of dist/). */
const commonJsFile = (entry: string, outfile: string, options: BuildOptions = {}) =>
  build({
    entryPoints: [entry],
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node20",
    outfile,
    // CommonJS has no import.meta; the modules use its url to find the package and the DSL.
    banner: { js: 'var __importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
    logLevel: "warning",
    ...options,
    define: { "import.meta.url": "__importMetaUrl", ...options.define },
  });

// The declarations were compiled before this step (tsconfig.dsl.json): their hash goes into the bundle.
const { dslTypes } = await import("../app/load-config.js");
await commonJsFile(packagePath("dist", "cli", "bundle-entry.js"), CLI_BUNDLE, {
  external: ["esbuild", "ts-morph", "prettier", "typescript"],
  define: { DIOPTRA_BUNDLED: "true", DIOPTRA_DSL_TYPES: JSON.stringify(dslTypes()) },
  // Less to parse on every run; names are kept for stack traces under --debug.
  // DIOPTRA_BUNDLE_MINIFY=0 keeps the code readable, for CPU profiles (node --cpu-prof).
  minify: process.env.DIOPTRA_BUNDLE_MINIFY !== "0",
  keepNames: true,
});

// The DSL of the bundle, for the configs it loads (app/load-config.ts): the instance cli.cjs holds, not a second copy.
writeFileSync(BUNDLE_DSL_CJS, '"use strict";\n// The DSL of the CLI bundle, for configs bundled as CommonJS.\nmodule.exports = require("./cli.cjs").dsl;\n');
// Its names are listed, so that a config's named imports resolve (ESM cannot know a CommonJS module's names).
const dsl = (await import("../dsl/index.js")) as Record<string, unknown>;
writeFileSync(
  BUNDLE_DSL,
  [
    "// The DSL of the CLI bundle, for configs that stay ES modules.",
    'import { createRequire } from "node:module";',
    'const { dsl } = createRequire(import.meta.url)("./cli.cjs");',
    `export const { ${Object.keys(dsl).sort().join(", ")} } = dsl;`,
    "",
  ].join("\n"),
);

// The launcher's half: loading cli.cjs from its code cache, as CommonJS too (bin/dioptra-deploy.cjs requires it).
await commonJsFile(packagePath("dist", "runtime", "launch.js"), LAUNCHER);

/**
 * The code cache holds what was compiled when it is made: run what users run
 * most (generate, --check, on a default deployment and on one with every
 * worker kind, custom containers and an overlay) in a scratch folder first.
 */
const samples: Record<string, string> = {
  default: "{}",
  wide: `{
  workers: { tensorflowCpu: 2, tensorflowGpu: 1, pytorchCpu: 2, pytorchGpu: 1 },
  customContainers: { sample: { image: "sample:1", environment: { A: "a" }, command: ["run"] } },
  overrides: { services: {} },
}`,
};
const scratch = packagePath("dist", "bundle-samples");
rmSync(scratch, { recursive: true, force: true });
mkdirSync(scratch, { recursive: true });
const said: string[] = [];
const quiet: Io = { out: () => {}, err: (s) => said.push(s) };
const { cli, loaded } = loadCliBundle((specifier) => import(specifier));
try {
  for (const [name, props] of Object.entries(samples)) {
    const config = join(scratch, `${name}.config.ts`);
    writeFileSync(config, `import { deployment } from "dioptra-deploy";\nexport default deployment(${props});\n`);
    const out = join(scratch, `out-${name}`);
    for (const args of [["generate"], ["generate"], ["generate", "--check"]]) {
      const code = await cli.main([...args, "--config", config, "--out", out], quiet);
      if (code !== 0) throw new Error(`build/bundle: the sample run \`${args.join(" ")}\` of ${name} exited ${code}:\n${said.join("\n")}`);
    }
  }
  // The bundle's own cache, then those of the files it ran (the schema validator, the init templates).
  for (const { file, cache } of [{ file: CLI_BUNDLE, cache: codeCacheOf(CLI_BUNDLE, loaded.script) }, ...cli.codeCachesSoFar()]) writeFileSync(codeCachePath(file), cache);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
