/**
 * Runs a CommonJS file made by the build (the CLI bundle, the Compose schema
 * validator, the compiled init templates) through vm.Script with the V8 code cache the build stored next
 * to it (`<file>.v8cache`), so a run skips parsing and compiling what the
 * build's sample runs compiled. Node 20 has no compile cache of its own.
 *
 * The cache starts with the SHA-256 of the source it was made from: V8
 * itself checks only the source's length, and a cache of other code would
 * run that code. V8 refuses a cache from another V8 version or other flags;
 * either way the file is compiled from source, as `require` would.
 *
 * Code compiled with a cache cannot call `import()` (Node drops the
 * callback; see zertosh/v8-compile-cache#30): such code imports through a
 * function the caller lends it (runtime/dynamic-import.ts).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { Script } from "node:vm";

/** Where the build stores the code cache of `file`. */
export const codeCachePath = (file: string): string => `${file}.v8cache`;

const HASH_BYTES = 32;
const sha256 = (source: string): Buffer => createHash("sha256").update(source).digest();

/** Every file this copy of the module ran, by path (see codeCachesSoFar). */
const ran = new Map<string, Script>();

/** A CommonJS file run from its code cache, and the script, from which the build takes a new cache. */
export interface CachedScript {
  readonly exports: unknown;
  readonly script: Script;
  /** The cache was there, matched the source and V8 took it. */
  readonly cacheUsed: boolean;
}

/**
 * Runs `file` as a CommonJS module. `requireFn` is the `require` it gets;
 * by default one resolving from the file's folder. The module is not put in
 * `require.cache`: a caller that wants `require(file)` to return it puts it there.
 */
export function runCachedScript(file: string, requireFn?: (id: string) => unknown): CachedScript {
  const source = readFileSync(file, "utf8");
  let cachedData: Buffer | undefined;
  try {
    const cache = readFileSync(codeCachePath(file));
    if (cache.subarray(0, HASH_BYTES).equals(sha256(source))) cachedData = cache.subarray(HASH_BYTES);
  } catch {
    // no cache: compiled from source
  }
  // The parameters of Node's own CommonJS wrapper, so the file runs as `require` would run it.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, ...(cachedData ? { cachedData } : {}) });
  ran.set(file, script);
  const module = { exports: {} as unknown };
  const run = script.runInThisContext() as (e: unknown, r: unknown, m: { exports: unknown }, f: string, d: string) => void;
  run(module.exports, requireFn ?? createRequire(file), module, file, dirname(file));
  return { exports: module.exports, script, cacheUsed: cachedData !== undefined && !script.cachedDataRejected };
}

/** The `require` for a file the build made self-contained: a call is a build gone wrong, said as such. */
export const requiresNothing =
  (what: string) =>
  (id: string): never => {
    throw new Error(`internal error: ${what} asked for the module ${id}; rebuild with \`npm run build\``);
  };

/** For the build: V8's code cache of `script` as compiled so far in this process, prefixed by the hash of `file`'s source. */
export function codeCacheOf(file: string, script: Script): Buffer {
  return Buffer.concat([sha256(readFileSync(file, "utf8")), script.createCachedData()]);
}

/** For the build: the code cache of every file run so far (through this copy of the module), as compiled so far. */
export function codeCachesSoFar(): { file: string; cache: Buffer }[] {
  return [...ran].map(([file, script]) => ({ file, cache: codeCacheOf(file, script) }));
}
