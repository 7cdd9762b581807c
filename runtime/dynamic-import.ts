/**
 * `import()` of what lives outside the CLI's code: esbuild, ts-morph,
 * prettier and the user's bundled config. The CLI bundle runs from V8's code
 * cache (runtime/cached-script.ts), where `import()` cannot be used, so
 * the launcher (bin/dioptra-deploy.cjs) lends its own; unbundled, this
 * module's own `import()` does. Both resolve bare names from this package.
 */
type Importer = (specifier: string) => Promise<unknown>;

let importer: Importer = (specifier) => import(specifier);

/** Called by the launcher before anything runs. */
export function setModuleImporter(f: Importer): void {
  importer = f;
}

/** `import(specifier)`, by whichever importer can run here. */
export const importModule = <T>(specifier: string): Promise<T> => importer(specifier) as Promise<T>;
