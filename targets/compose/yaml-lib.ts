/**
 * Compose YAML written with the `yaml` library: the reference that the
 * direct emitter (serialize.ts) matches byte for byte, and its fallback for
 * values outside what the emitter handles (line breaks, non-ASCII text, long
 * keys, fractions). The library is loaded on first use only: the common run
 * never needs it, and importing it costs more than emitting a default
 * deployment.
 */
import { createRequire } from "node:module";
import type * as Yaml from "yaml";
import { ALWAYS_QUOTED, FRAGILE, FRAGILE_KEY } from "./yaml-style.js";

let yaml: typeof Yaml | undefined;
/** Synchronous on purpose: serialization is; a computed require also keeps the library out of the bundle. */
const lib = (): typeof Yaml => (yaml ??= createRequire(import.meta.url)("yaml") as typeof Yaml);

/** YAML's own escapes for the 1.1 line breaks, valid in double-quoted scalars of both versions. */
const LINE_BREAK_ESCAPES: Readonly<Record<string, string>> = { "\u0085": "\\N", "\u2028": "\\L", "\u2029": "\\P" };
/**
 * Characters the library writes raw inside double quotes (it escapes what JSON
 * escapes) but YAML readers refuse raw: PyYAML stops at DEL and the C1 controls
 * ("special characters are not allowed"), and neither version allows
 * U+FFFE/U+FFFF. The library double-quotes any scalar holding DEL or a C1
 * control; FRAGILE and FRAGILE_KEY double-quote the rest, so every one of these
 * stands inside double quotes, where YAML's escapes are valid.
 */
const UNREADABLE_RAW = /[\x7f-\x9f\u2028\u2029\ufffe\uffff]/g;
const escapeRaw = (c: string): string =>
  LINE_BREAK_ESCAPES[c] ?? (c.charCodeAt(0) <= 0xff ? `\\x${c.charCodeAt(0).toString(16).toUpperCase()}` : `\\u${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * The YAML node of `value`, styled as it is built: one pass instead of the
 * generic createNode and a visit over the tree (a third of the time for 1000
 * workers). `quoteItems`: `value` sits under an ALWAYS_QUOTED key, so its own
 * strings, or those of its direct items or values, are double-quoted.
 */
function toNode(value: unknown, quoteItems = false): Yaml.Scalar | Yaml.YAMLMap | Yaml.YAMLSeq {
  const { Pair, Scalar, YAMLMap, YAMLSeq } = lib();
  if (Array.isArray(value)) {
    const seq = new YAMLSeq();
    for (const item of value) seq.items.push(isComposite(item) ? toNode(item) : scalar(item, quoteItems));
    return seq;
  }
  if (isComposite(value)) {
    const map = new YAMLMap();
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      const quoted = ALWAYS_QUOTED.has(k);
      const key = new Scalar(k);
      if (FRAGILE_KEY.test(k)) key.type = Scalar.QUOTE_DOUBLE;
      map.items.push(new Pair(key, isComposite(v) ? toNode(v, quoted) : scalar(v, quoteItems || quoted)));
    }
    return map;
  }
  return scalar(value, quoteItems);
}

const isComposite = (v: unknown): v is object => v !== null && typeof v === "object";

function scalar(value: unknown, quoted: boolean): Yaml.Scalar {
  const { Scalar } = lib();
  const node = new Scalar(value);
  if (typeof value === "string" && (quoted || FRAGILE.test(value))) node.type = Scalar.QUOTE_DOUBLE;
  return node;
}

/** A document, its keys already in canonical order, as YAML text (no header comments). */
export function libYamlBody(canonicalDoc: object): string {
  // Nodes built here are never shared, so the output has no anchors or aliases:
  // every reader sees each value spelled out.
  // Without the merge tag, "<<" is a string like any other, and FRAGILE / FRAGILE_KEY quote it;
  // with it, the library writes "<<" plain whatever the node's style, a merge key for YAML 1.1 readers.
  const doc = new (lib().Document)(null, { version: "1.1", customTags: (tags) => tags.filter((t) => typeof t === "string" ? t !== "merge" : t.tag !== "tag:yaml.org,2002:merge") });
  doc.contents = toNode(canonicalDoc);
  return doc.toString({ lineWidth: 0, indent: 2, indentSeq: true }).replace(UNREADABLE_RAW, escapeRaw);
}
