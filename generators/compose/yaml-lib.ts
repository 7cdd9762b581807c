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
import { ALWAYS_QUOTED, FRAGILE } from "./yaml-style.js";

let yaml: typeof Yaml | undefined;
/** Synchronous on purpose: serialization is; a computed require also keeps the library out of the bundle. */
const lib = (): typeof Yaml => (yaml ??= createRequire(import.meta.url)("yaml") as typeof Yaml);

/** YAML's own escapes for the 1.1 line breaks, valid in double-quoted scalars of both versions. */
const LINE_BREAK_ESCAPES: Readonly<Record<string, string>> = { "\u0085": "\\N", "\u2028": "\\L", "\u2029": "\\P" };

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
      map.items.push(new Pair(new Scalar(k), isComposite(v) ? toNode(v, quoted) : scalar(v, quoteItems || quoted)));
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
  const doc = new (lib().Document)(null, { version: "1.1" });
  doc.contents = toNode(canonicalDoc);
  // FRAGILE put every string holding one of these in double quotes, so escaping them there is safe.
  return doc.toString({ lineWidth: 0, indent: 2, indentSeq: true }).replace(/[\u0085\u2028\u2029]/g, (c) => LINE_BREAK_ESCAPES[c]!);
}
