/**
 * Build step: compiles the init templates (generators/init/**\/*.ejs) to
 * functions in dist/generators/init/templates.compiled.cjs, each with the
 * SHA-256 of the text it was compiled from, so `generate` loads neither ejs
 * nor compiles templates on every run (generators/init/templates.ts).
 * The function bodies are ejs's own: its compiler prints them under `debug`.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { relative } from "node:path";
import ejs from "ejs";
import { COMPILED_TEMPLATES, EJS_OPTIONS } from "../generators/init/templates.js";
import { packagePath } from "../generators/package-path.js";
import { codeCachePath } from "../runtime/cached-script.js";

const dir = packagePath("generators", "init");
const names = readdirSync(dir, { recursive: true, encoding: "utf8" })
  .filter((n) => n.endsWith(".ejs"))
  .map((n) => relative(dir, `${dir}/${n}`))
  .sort();

/** ejs's generated function body for a template, as its compiler prints it with `debug`. */
function body(source: string, name: string): string {
  const printed: string[] = [];
  const log = console.log;
  console.log = (s: unknown) => printed.push(String(s));
  try {
    ejs.compile(source, { filename: name, ...EJS_OPTIONS, debug: true });
  } finally {
    console.log = log;
  }
  if (printed.length !== 1) throw new Error(`ejs printed ${printed.length} sources for ${name}`);
  return printed[0]!;
}

const entries = names.map((name) => {
  const source = readFileSync(`${dir}/${name}`, "utf8");
  const sha256 = createHash("sha256").update(source).digest("hex");
  return `${JSON.stringify(name)}: { sha256: ${JSON.stringify(sha256)}, fn: function (${EJS_OPTIONS.localsName}, escapeFn, include, rethrow) {\n${body(source, name)}\n} }`;
});
// Its code cache is made later, by the bundle step; an old one is of other code.
rmSync(codeCachePath(COMPILED_TEMPLATES), { force: true });
writeFileSync(COMPILED_TEMPLATES, `"use strict";\nmodule.exports = {\n${entries.join(",\n")}\n};\n`);
