/**
 * The bash sources of init-deployment.sh and scripts/, kept as ejs templates
 * next to this file so they read (and diff) as shell. They are package
 * files; rendering them is pure. The build compiles them to functions
 * (build/templates.ts), so a run neither loads ejs nor compiles templates; a
 * template whose text no longer matches what the build compiled (edited
 * since) is compiled with ejs on first use, as before.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type * as Ejs from "ejs";
import { requiresNothing, runCachedScript } from "../../runtime/cached-script.js";
import { packagePath } from "../package-path.js";
import { shellQuote } from "./shell.js";

/** The templates are package files, not compiled: read from the source tree, whatever runs. */
const DIR = packagePath("generators", "init");
/** Where the build puts the compiled templates. */
export const COMPILED_TEMPLATES = packagePath("dist", "generators", "init", "templates.compiled.cjs");

/** ejs's options for our templates: data read as `it.name`, nothing HTML-escaped (values are shell-quoted by the caller). */
export const EJS_OPTIONS = { strict: true, _with: false, localsName: "it", escape: (s: unknown) => String(s) } as const;

/** A template as ejs compiles it: (locals, escapeFn, include, rethrow) → text. */
type Rethrow = (err: Error & { path?: string }, str: string, filename: string, lineno: number, esc: (s: unknown) => string) => never;
type Compiled = (it: object, escapeFn: (s: unknown) => string, include: unknown, rethrow: Rethrow) => string;
interface CompiledEntry {
  readonly sha256: string;
  readonly fn: Compiled;
}

let compiled: Readonly<Record<string, CompiledEntry>> | undefined;
const cache = new Map<string, (data: object) => string>();

/** The build's compiled templates, run from the code cache the build made (runtime/cached-script.ts). */
function loadCompiled(): Readonly<Record<string, CompiledEntry>> {
  try {
    return runCachedScript(COMPILED_TEMPLATES, requiresNothing("the compiled templates")).exports as Record<string, CompiledEntry>;
  } catch {
    return {}; // not built: every template is compiled with ejs
  }
}

/** ejs's error decoration (file, line and the lines around it), for a template that throws. */
const rethrow: Rethrow = (err, str, filename, lineno, esc) => {
  const lines = str.split("\n");
  const start = Math.max(lineno - 3, 0);
  const end = Math.min(lines.length, lineno + 3);
  const name = esc(filename);
  const context = lines
    .slice(start, end)
    .map((line, i) => `${i + start + 1 === lineno ? " >> " : "    "}${i + start + 1}| ${line}`)
    .join("\n");
  err.path = name;
  err.message = `${name || "ejs"}:${lineno}\n${context}\n\n${err.message}`;
  throw err;
};

/** What ejs's compiled function does with the data: a shallow copy without a prototype. */
function locals(data: object): object {
  const copy = Object.create(null) as Record<string, unknown>;
  for (const p in data) {
    if (!Object.hasOwn(data, p) || p === "__proto__" || p === "constructor") continue;
    copy[p] = (data as Record<string, unknown>)[p];
  }
  return copy;
}

function noInclude(): never {
  throw new Error("internal error: init templates do not include other templates");
}

function template(name: string): (data: object) => string {
  let t = cache.get(name);
  if (!t) {
    const source = readFileSync(join(DIR, name), "utf8");
    compiled ??= loadCompiled();
    const entry = compiled[name];
    if (entry && entry.sha256 === createHash("sha256").update(source).digest("hex")) {
      const fn = entry.fn;
      t = (data) => fn(locals(data), EJS_OPTIONS.escape, noInclude, rethrow);
    } else {
      const ejs = createRequire(import.meta.url)("ejs") as typeof Ejs;
      t = ejs.compile(source, { filename: name, ...EJS_OPTIONS }) as (data: object) => string;
    }
    cache.set(name, t);
  }
  return t;
}

/** Renders `generators/init/<name>` with `it` as its data. */
export function render(name: string, it: Record<string, unknown>): string {
  // A misspelt name must fail here, not print "undefined" into a script.
  const strict = new Proxy(it, {
    get(target, key) {
      if (typeof key === "string" && !(key in target)) throw new Error(`internal error: ${name} uses it.${key}, which is not given`);
      return Reflect.get(target, key);
    },
  });
  return template(name)(strict);
}

/** The lines every script starts with: strict mode and the reference's log format. */
export function prelude(logName: string): string {
  return render("prelude.sh.ejs", { logName: shellQuote(logName) });
}

/** For tests: use the build's compiled templates (the default) or compile every template with ejs. */
export function useCompiledTemplatesForTest(use: boolean): void {
  cache.clear();
  compiled = use ? loadCompiled() : {};
}

/** For tests: how many templates the build compiled. */
export const compiledTemplateCountForTest = (): number => Object.keys(loadCompiled()).length;
