/**
 * Writing a whole deployment.config.ts from props, for `import`: the file
 * should read like one a person wrote (keys in the order props.ts declares
 * them, DSL helpers where they say more than a literal, the project's
 * prettier style), since it is handed over to be kept and edited by hand.
 * ts-morph and prettier are loaded only when a config is rendered.
 */
import { parseEnvRef } from "../model/env-value.js";
import { basename } from "node:path";
import { importModule } from "../runtime/dynamic-import.js";
import { IMAGE_SLOTS } from "../dsl/images.js";
import { SETTINGS } from "../validation/settings.js";
import type { DeploymentProps } from "../dsl/props.js";
import { WORKER_KINDS } from "../dsl/worker-kinds.js";
import { isRecord as isRaw, keyText, literalText, type CodeStyle } from "./config-edit.js";
import { tsCommentText } from "./ts-text.js";

type Raw = Record<string, unknown>;

/** Key order per object, as props.ts declares them (dsl/settings.ts), so an imported config reads like a hand-written one. */
const KEY_ORDER: Readonly<Record<string, readonly string[]>> = {
  ...SETTINGS,
  images: IMAGE_SLOTS,
  workers: WORKER_KINDS.map((k) => k.key),
};

/** Orders keys by {@link KEY_ORDER} (unlisted keys keep their place after the listed ones). */
function ordered(value: unknown, path = ""): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const order = KEY_ORDER[path] ?? KEY_ORDER[path.replace(/\.[^.]+$/, ".*")] ?? KEY_ORDER[path.replace(/^([^.]+)\.[^.]+/, "$1.*")] ?? [];
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
  const keys = Object.keys(value).sort((a, b) => rank(a) - rank(b));
  return Object.fromEntries(keys.map((k) => [k, ordered((value as Record<string, unknown>)[k], path === "" ? k : `${path}.${k}`)]));
}

/** Where the variables came from, for the header comment. */
export interface ImportSource {
  /** The file name as given (its base name is written, so the output does not depend on where it was run). */
  readonly file: string;
  readonly template?: string;
  readonly directory?: string;
  readonly commit?: string;
  readonly checkout?: string;
  /** The override file imported with --compose. */
  readonly compose?: string;
}

/** Wraps words into comment lines of at most `width` characters. */
function wrap(text: string, width = 76): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  return line === "" ? lines : [...lines, line];
}

function header(source: ImportSource, stated: number): string {
  const from = source.template
    ? `the cookiecutter template ${source.template}${source.directory ? ` (${source.directory})` : ""}${source.commit ? ` at commit ${source.commit}` : source.checkout ? ` (${source.checkout})` : ""}, with the variables recorded in ${basename(source.file)}`
    : `the cookiecutter variables in ${basename(source.file)}`;
  const paragraphs = [
    `Dioptra deployment imported by \`dioptra-deploy import\` from ${from}${source.compose ? `, and the services and volumes of ${basename(source.compose)}` : ""}.`,
    stated === 0
      ? "Every template variable has its default value, so this is the template's default deployment."
      : "Only settings that differ from the template's defaults are stated.",
    "Change a setting with `dioptra-deploy set KEY=VALUE` (or by editing this file), then run `dioptra-deploy generate`.",
  ];
  // The values come from the imported file: escaped, they stay text of the comment (a `*/` would end it).
  const body = paragraphs.map((p) => wrap(tsCommentText(p)).map((l) => ` * ${l}`).join("\n")).join("\n *\n");
  return `/**\n${body}\n */\n`;
}

/** Counts the settings (leaves) a props object states. */
export function countSettings(value: unknown): number {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return 1;
  return Object.values(value).reduce<number>((n, v) => n + countSettings(v), 0);
}

/** DSL helpers that write a value more readably than its literal, by where the value sits. */
const HELPERS: readonly { readonly at: RegExp; readonly name: string; readonly write: (v: Raw, style: CodeStyle) => string | undefined }[] = [
  {
    at: /\.mounts\.[0-9]+$/,
    name: "bindMount",
    write: (v, st) => (v.type === "bind" ? `bindMount(${mountArgs(v, st)})` : undefined),
  },
  {
    at: /\.mounts\.[0-9]+$/,
    name: "volumeMount",
    write: (v, st) => (v.type === "volume" ? `volumeMount(${mountArgs(v, st)})` : undefined),
  },
  {
    at: /^volumes\.[^.]+$/,
    name: "nfsVolume",
    write: (v, st) => (v.type === "nfs" ? `nfsVolume(${literalText(withoutType(v), st)})` : undefined),
  },
  {
    at: /^volumes\.[^.]+$/,
    name: "driverVolume",
    write: (v, st) => (v.type === "driver" ? `driverVolume(${Object.keys(v).length > 1 ? literalText(withoutType(v), st) : ""})` : undefined),
  },
  {
    at: /\.environment\.[^.]+$/,
    name: "secret",
    write: (v, st) => {
      const r = v.secret === true && typeof v.interpolate === "string" ? parseEnvRef(v.interpolate) : undefined;
      return r && r.fallback === undefined ? `secret(${literalText(r.var, st)})` : undefined;
    },
  },
  {
    at: /\.environment\.[^.]+$/,
    name: "fromEnv",
    write: (v, st) => {
      const r = typeof v.interpolate === "string" ? parseEnvRef(v.interpolate) : undefined;
      if (!r || (r.fallback !== undefined && !(r.fallback.kind === "default" && r.fallback.ifEmpty))) return undefined;
      return `fromEnv(${literalText(r.var, st)}${r.fallback === undefined ? "" : `, { default: ${literalText(r.fallback.text, st)} }`})`;
    },
  },
  {
    at: /\.envFiles\.[0-9]+$/,
    name: "envFile",
    write: (v, st) => (typeof v.generated === "string" ? `envFile(${literalText(v.generated, st)})` : undefined),
  },
];

const withoutType = (v: Raw) => Object.fromEntries(Object.entries(v).filter(([k]) => k !== "type"));
const mountArgs = (v: Raw, st: CodeStyle) => `${literalText(v.source, st)}, ${literalText(v.target, st)}${v.readOnly === false ? ", { readOnly: false }" : ""}`;

/** A value as TypeScript, with DSL helper calls where they fit; `used` collects the helpers' names. */
function codeText(value: unknown, path: string, style: CodeStyle, used: Set<string>): string {
  if (isRaw(value)) {
    for (const h of HELPERS) {
      const text = h.at.test(path) ? h.write(value, style) : undefined;
      if (text !== undefined) {
        used.add(h.name);
        return text;
      }
    }
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return entries.length === 0 ? "{}" : `{ ${entries.map(([k, v]) => `${keyText(k, style)}: ${codeText(v, `${path}.${k}`, style, used)}`).join(", ")} }`;
  }
  if (Array.isArray(value)) return `[${value.map((v, i) => codeText(v, `${path}.${i}`, style, used)).join(", ")}]`;
  return literalText(value, style);
}

/**
 * The config file for some props: built with ts-morph (an import of
 * `deployment` from the package, a header comment, and `export default
 * deployment({...})` written by its object writer), then formatted by
 * prettier with the options that apply at `outPath` (prettier's defaults
 * when there are none).
 */
export async function renderConfig(props: DeploymentProps, source: ImportSource, outPath: string): Promise<string> {
  const { Project, Writers } = await importModule<typeof import("ts-morph")>("ts-morph");
  const prettier = await importModule<typeof import("prettier")>("prettier");
  const project = new Project({ useInMemoryFileSystem: true, skipLoadingLibFiles: true });
  const sf = project.createSourceFile("/deployment.config.ts", "");
  const style: CodeStyle = { quote: '"', indent: "  ", trailingComma: true, printWidth: Infinity };
  const sorted = ordered(props) as Record<string, unknown>;
  // Nested values are written inline and the top level one per line: prettier then keeps the top level
  // expanded and breaks a nested value only when it does not fit, as a person would write it.
  const used = new Set(["deployment"]);
  const entries = Object.fromEntries(Object.entries(sorted).map(([k, v]) => [keyText(k, style), codeText(v, k, style, used)]));
  sf.addImportDeclaration({ leadingTrivia: header(source, countSettings(sorted)), namedImports: [...used].sort(), moduleSpecifier: "dioptra-deploy" });
  sf.addExportAssignment({
    isExportEquals: false,
    expression: (w) => {
      w.write("deployment(");
      Writers.object(entries)(w);
      w.write(")");
    },
  });
  const options = (await prettier.resolveConfig(outPath).catch(() => null)) ?? {};
  return prettier.format(sf.getFullText(), { ...options, parser: "typescript" });
}
