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
import { pathToFileURL } from "node:url";
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

/** Set by the CLI bundle (build/bundle.ts) to its own DSL entry, relative to the bundle's chunks. */
declare const DIOPTRA_BUNDLED_DSL: string | undefined;
/**
 * The DSL a config's `import … from "dioptra-deploy"` gets: the running CLI's
 * own copy, so a run loads it once (from the bundle: one module instead of
 * fifteen) and its classes are the CLI's.
 */
const DSL_ENTRY = typeof DIOPTRA_BUNDLED_DSL === "string" ? new URL(DIOPTRA_BUNDLED_DSL, import.meta.url).href : pathToFileURL(packagePath("dist", "dsl", "index.js")).href;
const CACHE_DIR = packagePath("node_modules", ".cache", "dioptra-deploy");
/** Bumped when the bundle format changes, so old cache entries are ignored. */
const CACHE_VERSION = 2;
const DSL_TYPES = packagePath("dist", "dsl");

interface CacheEntry {
  readonly version: number;
  readonly dsl: string;
  /** Hash of the DSL's declarations: a config that type-checked may not against another DSL. */
  readonly dslTypes: string;
  readonly inputs: readonly { readonly path: string; readonly sha256: string }[];
  /** The config passed the type check (with these inputs and this DSL). */
  readonly typechecked: boolean;
}

let dslTypesHash: string | undefined;
function dslTypes(): string {
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

/** Where the bundle of `abs` lives: in the cache when writable, else in a private temp folder. */
function bundlePaths(abs: string): { bundle: string; meta: string; temp: string | undefined } {
  const key = sha256(`${abs}\0${DSL_ENTRY}`).slice(0, 24);
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    return { bundle: join(CACHE_DIR, `${key}.mjs`), meta: join(CACHE_DIR, `${key}.json`), temp: undefined };
  } catch {
    const temp = mkdtempSync(join(tmpdir(), "dioptra-deploy-config-"));
    return { bundle: join(temp, "config.mjs"), meta: join(temp, "config.json"), temp };
  }
}

/** The cache entry when it still describes the config, its imports and this DSL. */
function freshEntry(paths: { bundle: string; meta: string }): CacheEntry | undefined {
  try {
    const entry = JSON.parse(readFileSync(paths.meta, "utf8")) as CacheEntry;
    const fresh =
      entry.version === CACHE_VERSION && entry.dsl === DSL_ENTRY && entry.dslTypes === dslTypes() && existsSync(paths.bundle) && entry.inputs.every((i) => fileHash(i.path) === i.sha256);
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

async function build(abs: string, paths: { bundle: string; meta: string }): Promise<CacheEntry> {
  const esbuild = await importModule<typeof import("esbuild")>("esbuild");
  try {
    const result = await esbuild.build({
      entryPoints: [abs],
      bundle: true,
      write: false,
      format: "esm",
      platform: "node",
      target: "node20",
      sourcemap: "inline",
      sourcesContent: false,
      // Source paths in the inline map are relative to this location, where the bundle is imported from.
      outfile: paths.bundle,
      metafile: true,
      logLevel: "silent",
      plugins: [
        {
          name: "dioptra-deploy-self",
          setup(b) {
            b.onResolve({ filter: /^dioptra-deploy$/ }, () => ({ path: DSL_ENTRY, external: true }));
          },
        },
      ],
    });
    const cwd = process.cwd();
    const inputs = Object.keys(result.metafile.inputs).map((p) => resolve(cwd, p));
    writeAtomic(paths.bundle, result.outputFiles[0]!.text);
    const entry: CacheEntry = {
      version: CACHE_VERSION,
      dsl: DSL_ENTRY,
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
      return { deployment: await importBundle(file, paths.bundle), typeIssues };
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

async function importBundle(file: string, bundle: string): Promise<Deployment> {
  process.setSourceMapsEnabled(true);
  let mod: { default?: unknown };
  try {
    // The query keeps two loads of one path in one process (tests) from sharing a module instance.
    mod = await importModule<{ default?: unknown }>(`${pathToFileURL(bundle).href}?v=${sha256(readFileSync(bundle)).slice(0, 12)}`);
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
