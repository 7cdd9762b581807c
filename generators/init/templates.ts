/**
 * The bash sources of init-deployment.sh and scripts/, kept as ejs templates
 * next to this file so they read (and diff) as shell. They are package
 * files, read once on first use and cached; rendering them is pure.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ejs from "ejs";
import { packagePath } from "../package-path.js";
import { shellQuote } from "./shell.js";

/** The templates are package files, not compiled: read from the source tree, whatever runs. */
const DIR = packagePath("generators", "init");
const cache = new Map<string, ejs.TemplateFunction>();

function template(name: string): ejs.TemplateFunction {
  let t = cache.get(name);
  if (!t) {
    const source = readFileSync(join(DIR, name), "utf8");
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
