/**
 * Loads a deployment.config.ts: esbuild bundles it with the files it imports
 * (TypeScript syntax stripped; type errors are the type checker's business),
 * `dioptra-deploy` is pointed at this very copy of the DSL, and the bundle is
 * imported. Nothing is written next to the config.
 *
 * The bundle is cached (node_modules/.cache/dioptra-deploy, keyed by the
 * config's path and checked against the hash of every file that went into
 * it), so the common run — config unchanged since last time — does not start
 * esbuild at all. The bundle's source map makes stack frames, and so the
 * DSL's call sites, name the original .ts lines.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { isDeployment, type Deployment } from "../dsl/deployment.js";
import { ConfigError, type Issue } from "../dsl/errors.js";
import { packagePath } from "../generators/package-path.js";
import { importModule } from "../runtime/dynamic-import.js";

/** A mistake in the config file itself (syntax, exception, wrong export). */
export class ConfigLoadError extends Error {
  override readonly name = "ConfigLoadError";
}

/** The config file is missing: a usage error. */
export class ConfigMissingError extends Error {
  override readonly name = "ConfigMissingError";
}

/** Defined (true) in the CLI bundle by build/bundle.ts. */
declare const DIOPTRA_BUNDLED: boolean | undefined;
const BUNDLED = typeof DIOPTRA_BUNDLED === "boolean" && DIOPTRA_BUNDLED;
/**
 * The DSL a config's `import … from "dioptra-deploy"` gets: the running CLI's
 * own copy, so a run loads it once and its classes are the CLI's. The bundle
 * hands it out through two small modules beside it: dsl.cjs for configs
 * bundled as CommonJS, dsl.mjs for those that must stay ES modules.
 */
const DSL_ENTRY = BUNDLED ? new URL("./dsl.mjs", import.meta.url).href : pathToFileURL(packagePath("dist", "dsl", "index.js")).href;
const DSL_ENTRY_CJS = BUNDLED ? fileURLToPath(new URL("./dsl.cjs", import.meta.url)) : undefined;
const CACHE_DIR = packagePath("node_modules", ".cache", "dioptra-deploy");
/** Bumped when the bundle format changes, so old cache entries are ignored. */
const CACHE_VERSION = 3;
const DSL_TYPES = packagePath("dist", "dsl");

/**
 * How a config is bundled. CommonJS loads without Node's ES module loader (a
 * few milliseconds of every run); a config that needs an ES module (top-level
 * await, import.meta) is bundled as one.
 */
type BundleFormat = "cjs" | "esm";

interface CacheEntry {
  readonly version: number;
  readonly dsl: string;
  readonly format: BundleFormat;
  /** Hash of the DSL's declarations: a config that type-checked may not against another DSL. */
  readonly dslTypes: string;
  readonly inputs: readonly { readonly path: string; readonly sha256: string }[];
  /** The config passed the type check (with these inputs and this DSL). */
  readonly typechecked: boolean;
}

/** Set by the CLI bundle (build/bundle.ts) to the hash of the declarations it was built with, so a run need not read them. */
declare const DIOPTRA_DSL_TYPES: string | undefined;
let dslTypesHash: string | undefined = typeof DIOPTRA_DSL_TYPES === "string" ? DIOPTRA_DSL_TYPES : undefined;
/** The hash of the DSL's declarations (dist/dsl/*.d.ts), which a config is type-checked against. */
export function dslTypes(): string {
  if (dslTypesHash === undefined) {
    const h = createHash("sha256");
    try {
      for (const f of readdirSync(DSL_TYPES).filter((n) => n.endsWith(".d.ts")).sort()) h.update(f).update(readFileSync(join(DSL_TYPES, f)));
    } catch {
      h.update("no-sources");
    }
    dslTypesHash = h.digest("hex");
  }
  return dslTypesHash;
}

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

function fileHash(path: string): string | undefined {
  try {
    return sha256(readFileSync(path));
  } catch {
    return undefined;
  }
}

/** Where the bundle of `abs` lives (`<base>.cjs` or `<base>.mjs`): in the cache when writable, else in a private temp folder. */
interface BundlePaths {
  readonly base: string;
  readonly meta: string;
  readonly temp: string | undefined;
}
function bundlePaths(abs: string): BundlePaths {
  const key = sha256(`${abs}\0${DSL_ENTRY}`).slice(0, 24);
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    return { base: join(CACHE_DIR, key), meta: join(CACHE_DIR, `${key}.json`), temp: undefined };
  } catch {
    const temp = mkdtempSync(join(tmpdir(), "dioptra-deploy-config-"));
    return { base: join(temp, "config"), meta: join(temp, "config.json"), temp };
  }
}

const bundleFile = (paths: BundlePaths, format: BundleFormat): string => `${paths.base}.${format === "cjs" ? "cjs" : "mjs"}`;

/** The cache entry when it still describes the config, its imports and this DSL. */
function freshEntry(paths: BundlePaths): CacheEntry | undefined {
  try {
    const entry = JSON.parse(readFileSync(paths.meta, "utf8")) as CacheEntry;
    const fresh =
      entry.version === CACHE_VERSION &&
      entry.dsl === DSL_ENTRY &&
      entry.dslTypes === dslTypes() &&
      existsSync(bundleFile(paths, entry.format)) &&
      entry.inputs.every((i) => fileHash(i.path) === i.sha256);
    return fresh ? entry : undefined;
  } catch {
    return undefined;
  }
}

/** Writes atomically, so a concurrent run never imports half a bundle. */
function writeAtomic(path: string, data: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/**
 * Bundles the config: as CommonJS when the CLI runs from its bundle and the
 * config allows (esbuild refuses top-level await there and warns about
 * import.meta), else as an ES module.
 */
async function build(abs: string, paths: BundlePaths): Promise<CacheEntry> {
  const esbuild = await importModule<typeof import("esbuild")>("esbuild");
  const bundleAs = (format: BundleFormat) =>
    esbuild.build({
      entryPoints: [abs],
      bundle: true,
      write: false,
      format,
      platform: "node",
      target: "node20",
      sourcemap: "inline",
      sourcesContent: false,
      // Source paths in the inline map are relative to this location, where the bundle is loaded from.
      outfile: bundleFile(paths, format),
      metafile: true,
      logLevel: "silent",
      plugins: [
        {
          name: "dioptra-deploy-self",
          setup(b) {
            b.onResolve({ filter: /^dioptra-deploy$/ }, () => ({ path: format === "cjs" ? DSL_ENTRY_CJS! : DSL_ENTRY, external: true }));
          },
        },
      ],
    });
  try {
    let format: BundleFormat = "esm";
    let result;
    if (DSL_ENTRY_CJS !== undefined) {
      try {
        result = await bundleAs("cjs");
        if (result.warnings.length === 0) format = "cjs";
        else result = undefined;
      } catch {
        result = undefined; // the ES module build says what is wrong, if anything is
      }
    }
    result ??= await bundleAs("esm");
    const cwd = process.cwd();
    const inputs = Object.keys(result.metafile.inputs).map((p) => resolve(cwd, p));
    writeAtomic(bundleFile(paths, format), result.outputFiles[0]!.text);
    rmSync(bundleFile(paths, format === "cjs" ? "esm" : "cjs"), { force: true });
    const entry: CacheEntry = {
      version: CACHE_VERSION,
      dsl: DSL_ENTRY,
      format,
      dslTypes: dslTypes(),
      inputs: inputs.map((p) => ({ path: p, sha256: fileHash(p) ?? "" })),
      typechecked: false,
    };
    writeAtomic(paths.meta, JSON.stringify(entry));
    return entry;
  } catch (e) {
    const errors = (e as { errors?: { text: string; location?: { file: string; line: number; column: number } }[] }).errors;
    if (errors?.length) {
      throw new ConfigLoadError(
        errors.map((er) => (er.location ? `${resolve(er.location.file)}:${er.location.line}:${er.location.column + 1}  ${er.text}` : er.text)).join("\n"),
      );
    }
    throw e;
  }
}

export interface LoadOptions {
  /** Type-check the config with tsc first (once per change of the config or the DSL). @default true */
  readonly typecheck?: boolean;
  /** Told when the type check cannot run (TypeScript missing). */
  readonly warn?: (message: string) => void;
}

/** Loads a config; with `typecheck`, type errors throw a {@link ConfigError} of compiler diagnostics. */
export async function loadConfig(file: string, options: LoadOptions = {}): Promise<Deployment> {
  const { deployment, typeIssues } = await loadConfigAndTypes(file, options);
  if (typeIssues.length > 0) throw new ConfigError(typeIssues, `${file} does not type-check`);
  return deployment;
}

/** A loaded config and the compiler's diagnostics of it (empty when it type-checks or was not checked). */
export interface LoadedConfig {
  readonly deployment: Deployment;
  readonly typeIssues: readonly Issue[];
}

/**
 * Loads a config even when it does not type-check (esbuild only strips
 * types), so the caller can report type errors and validation errors
 * together. A config that then fails to load throws its type errors, which
 * are the likelier cause.
 */
export async function loadConfigAndTypes(file: string, options: LoadOptions = {}): Promise<LoadedConfig> {
  const abs = resolve(file);
  if (!existsSync(abs) || !statSync(abs).isFile()) throw new ConfigMissingError(`config file ${file} not found`);
  const paths = bundlePaths(abs);
  try {
    let entry = freshEntry(paths) ?? (await build(abs, paths));
    let typeIssues: Issue[] = [];
    if (options.typecheck !== false && !entry.typechecked) {
      // Loaded only here: it spawns tsc, and node:child_process alone costs a run a few milliseconds.
      const { typecheckConfig } = await import("./typecheck-config.js");
      const issues = typecheckConfig(entry.inputs.map((i) => i.path));
      if (issues === undefined) options.warn?.(TYPESCRIPT_MISSING);
      else if (issues.length > 0) typeIssues = issues;
      else {
        entry = { ...entry, typechecked: true };
        if (!paths.temp) writeAtomic(paths.meta, JSON.stringify(entry));
      }
    }
    try {
      return { deployment: await importBundle(file, bundleFile(paths, entry.format), entry.format), typeIssues };
    } catch (e) {
      if (typeIssues.length > 0 && e instanceof ConfigLoadError) throw new ConfigError(typeIssues, `${file} does not type-check`);
      throw e;
    }
  } finally {
    if (paths.temp) rmSync(paths.temp, { recursive: true, force: true });
  }
}

/** What to do when the type check cannot run: said exactly, as the check is part of what the CLI promises. */
export const TYPESCRIPT_MISSING =
  "the config was not type-checked: TypeScript is not installed next to dioptra-deploy; run `npm install --save-dev typescript` in this project for the full check";

async function importBundle(file: string, bundle: string, format: BundleFormat): Promise<Deployment> {
  process.setSourceMapsEnabled(true);
  let mod: { default?: unknown };
  try {
    if (format === "cjs") {
      const require = createRequire(bundle);
      // A second load in one process (set and import check a staged copy, then the config) must run the new bundle.
      delete require.cache[bundle];
      mod = require(bundle) as { default?: unknown };
    } else {
      // The query keeps two loads of one path in one process (tests) from sharing a module instance.
      mod = await importModule<{ default?: unknown }>(`${pathToFileURL(bundle).href}?v=${sha256(readFileSync(bundle)).slice(0, 12)}`);
    }
  } catch (e) {
    const err = e as Error;
    const frame = /\(?((?:file:\/\/)?\/[^\s()]+\.(?:ts|mts|cts|js|mjs|cjs)):(\d+):(\d+)\)?/.exec(err?.stack ?? "");
    const where = frame ? `${frame[1]!.replace(/^file:\/\//, "")}:${frame[2]}:${frame[3]}  ` : "";
    throw new ConfigLoadError(`${where}${file} threw: ${err?.message ?? String(e)}`);
  }
  if (!isDeployment(mod.default)) {
    throw new ConfigLoadError(`${file} must end with \`export default deployment({ ... })\` (imported from "dioptra-deploy")`);
  }
  return mod.default;
}
