/**
 * Running the build's CommonJS files from their V8 code cache
 * (runtime/cached-script.ts): the shipped bundle and validator take their
 * caches; a cache that does not belong to the source beside it is refused
 * (V8 alone would take a cache of other code of the same length), and the
 * file then runs compiled from source.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { dslTypes } from "../app/load-config.js";
import { VALIDATOR_FILE } from "../targets/compose/validate.js";
import { COMPILED_TEMPLATES } from "../generators/init/templates.js";
import { codeCacheOf, codeCachePath, runCachedScript } from "../runtime/cached-script.js";
import { CLI_BUNDLE } from "../runtime/cli-bundle.js";
import { tempDir } from "./helpers.js";

test("the CLI bundle, the schema validator and the init templates run from the code cache the build made", () => {
  const cli = runCachedScript(CLI_BUNDLE);
  assert.ok(cli.cacheUsed, "the bundle's cache was refused");
  assert.type((cli.exports as { main?: unknown }).main, "function");
  const validator = runCachedScript(VALIDATOR_FILE, () => {
    throw new Error("the validator requires nothing");
  });
  assert.ok(validator.cacheUsed, "the validator's cache was refused");
  assert.type(validator.exports, "function");
  const templates = runCachedScript(COMPILED_TEMPLATES);
  assert.ok(templates.cacheUsed, "the templates' cache was refused");
  assert.ok(Object.keys(templates.exports as object).length > 5);
});

test("a cache of other code of the same length is refused, and the file runs from source", () => {
  const file = join(tempDir("dd-cache-"), "m.cjs");
  writeFileSync(file, "module.exports = () => 'one';\n");
  const made = runCachedScript(file);
  assert.not.ok(made.cacheUsed, "there is no cache yet");
  assert.is((made.exports as () => string)(), "one");
  writeFileSync(codeCachePath(file), codeCacheOf(file, made.script));
  const again = runCachedScript(file);
  assert.ok(again.cacheUsed, "the cache made for this source was refused");
  assert.is((again.exports as () => string)(), "one");
  // V8 checks only the length: without the hash, the old code would run and say "one".
  writeFileSync(file, "module.exports = () => 'two';\n");
  const changed = runCachedScript(file);
  assert.not.ok(changed.cacheUsed, "the cache of the old source was taken");
  assert.is((changed.exports as () => string)(), "two");
});

test("the bundle carries the hash of the DSL declarations beside it (a config's type check is cached against it)", () => {
  const hash = dslTypes();
  assert.match(hash, /^[0-9a-f]{64}$/);
  assert.ok(readFileSync(CLI_BUNDLE, "utf8").includes(JSON.stringify(hash)), "the bundle was built against other declarations");
});

test.run();
