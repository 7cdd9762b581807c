/**
 * What the CLI bundle (dist/bundle/cli.cjs, made by build/bundle.ts)
 * exports: the command line, the hook through which the launcher lends its
 * `import()`, the code caches for the build, and the DSL, which a config's
 * `import … from "dioptra-deploy"` reaches through dist/bundle/dsl.cjs or
 * dsl.mjs, so a run loads the DSL once.
 */
export { main } from "./main.js";
export { setModuleImporter } from "../runtime/dynamic-import.js";
/** For the build: the code caches of what the bundle ran from its own copy of runtime/ (the validator, the init templates). */
export { codeCachesSoFar } from "../runtime/cached-script.js";
export * as dsl from "../dsl/index.js";
