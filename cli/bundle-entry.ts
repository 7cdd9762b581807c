/**
 * What the CLI bundle (dist/bundle/cli.cjs, made by build/bundle.ts)
 * exports: the command line, the hook through which the launcher lends its
 * `import()`, and the DSL, which a config's `import … from "dioptra-deploy"`
 * reaches through dist/bundle/dsl.mjs, so a run loads the DSL once.
 */
export { main } from "./main.js";
export { setModuleImporter } from "../runtime/dynamic-import.js";
export * as dsl from "../dsl/index.js";
