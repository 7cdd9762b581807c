/**
 * What the launcher (bin/dioptra-deploy.cjs) runs, bundled by the build into
 * dist/bundle/launch.cjs so that a run needs no ES module until a config
 * asks for one: the CLI bundle from its code cache, then the command.
 */
import { loadCliBundle } from "./cli-bundle.js";

/** Runs the command line in `argv`; `importer` is the launcher's own `import()` (see dynamic-import.ts). */
export function launch(argv: string[], importer: (specifier: string) => Promise<unknown>): Promise<number> {
  return loadCliBundle(importer).cli.main(argv);
}
