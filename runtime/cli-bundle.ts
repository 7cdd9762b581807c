/**
 * Loading the CLI bundle (dist/bundle/cli.cjs): run from the code cache the
 * build made (cached-script.ts), registered with `require` so that
 * dist/bundle/dsl.cjs and dsl.mjs, which configs import, get this very instance.
 */
import Module, { createRequire } from "node:module";
import type * as Dsl from "../dsl/index.js";
import type { Io } from "../cli/io.js";
import { packagePath } from "../generators/package-path.js";
import { runCachedScript, type CachedScript } from "./cached-script.js";

/** What cli/bundle-entry.ts exports. */
export interface CliBundle {
  main(argv: string[], io?: Io): Promise<number>;
  setModuleImporter(f: (specifier: string) => Promise<unknown>): void;
  codeCachesSoFar(): { file: string; cache: Buffer }[];
  readonly dsl: typeof Dsl;
}

export const CLI_BUNDLE = packagePath("dist", "bundle", "cli.cjs");
/** The modules a config's `import … from "dioptra-deploy"` is pointed at when the bundle runs (app/load-config.ts). */
export const BUNDLE_DSL = packagePath("dist", "bundle", "dsl.mjs");
export const BUNDLE_DSL_CJS = packagePath("dist", "bundle", "dsl.cjs");
/** runtime/launch.ts as one CommonJS file, for the launcher. */
export const LAUNCHER = packagePath("dist", "bundle", "launch.cjs");

/**
 * Runs the bundle and lends it `importer` (an `import()` from outside the
 * cached code, resolving from this package). Returns the script too, from
 * which the build takes the code cache.
 */
export function loadCliBundle(importer: (specifier: string) => Promise<unknown>, file = CLI_BUNDLE): { cli: CliBundle; loaded: CachedScript } {
  const require = createRequire(file);
  const loaded = runCachedScript(file, require);
  const cli = loaded.exports as CliBundle;
  // As require(file) would have left it: loaded, and cached under its path.
  const m = new Module(file);
  m.filename = file;
  m.exports = cli;
  m.loaded = true;
  require.cache[file] = m;
  cli.setModuleImporter(importer);
  return { cli, loaded };
}
