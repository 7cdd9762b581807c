/**
 * The bash sources of init-deployment.sh and scripts/, kept as ejs templates
 * next to this file so they read (and diff) as shell. They are package
 * files, read once on first use and cached; rendering them is pure.
 */
import { existsSync, readFileSync } from "node:fs";
import ejs from "ejs";
import { shellQuote } from "./shell.js";

/**
 * This folder in the source tree: the templates are not compiled, so from
 * `<outDir>/generators/init/` they are found back in `generators/init/`.
 */
function templateDir(): URL {
  const here = new URL("./", import.meta.url);
  if (existsSync(new URL("prelude.sh.ejs", here))) return here;
  return new URL("../../../generators/init/", import.meta.url);
}

const DIR = templateDir();
const cache = new Map<string, ejs.TemplateFunction>();

function template(name: string): ejs.TemplateFunction {
  let t = cache.get(name);
  if (!t) {
    const source = readFileSync(new URL(name, DIR), "utf8");
    // Templates read their data as `it.name`; nothing is HTML-escaped (values are shell-quoted by the caller).
    t = ejs.compile(source, { filename: name, strict: true, _with: false, localsName: "it", escape: (s: unknown) => String(s) });
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
  return template(name)(strict) as string;
}

/** The lines every script starts with: strict mode and the reference's log format. */
export function prelude(logName: string): string {
  return render("prelude.sh.ejs", { logName: shellQuote(logName) });
}
