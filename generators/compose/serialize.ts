/**
 * The one YAML serializer for Compose files. Output is YAML 1.1-safe (PyYAML
 * in docker-compose 1.29 reads `yes`/`on` as booleans and `22:22` as a number),
 * so strings that could be misread are quoted, and ports, mounts and
 * environment values are always double-quoted.
 */
import { Document, Pair, Scalar, YAMLMap, YAMLSeq } from "yaml";
import { withMarker } from "../marker.js";
import type { ComposeFile } from "./types.js";

const TOP_ORDER = ["version", "services", "networks", "volumes"];
/** dclint's service-keys-order, so the real linter finds nothing to reorder. */
const SERVICE_ORDER = [
  "image", "build", "container_name", "depends_on", "volumes", "volumes_from", "configs", "secrets",
  "environment", "env_file", "ports", "networks", "network_mode", "extra_hosts", "command", "entrypoint",
  "working_dir", "restart", "healthcheck", "logging", "labels", "user", "isolation",
  // Keys dclint does not group come last, in alphabetical order.
  "cap_add", "cap_drop", "hostname", "read_only", "runtime", "security_opt", "shm_size", "tmpfs", "profiles",
];
const HEALTHCHECK_ORDER = ["test", "interval", "timeout", "retries", "start_period"];
/** Keys whose string values are always double-quoted. */
const ALWAYS_QUOTED = new Set(["ports", "volumes", "environment", "o", "device"]);

function ordered<T extends object>(value: T, order: readonly string[]): T {
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  entries.sort(([a], [b]) => rank(a) - rank(b));
  return Object.fromEntries(entries) as T;
}

/** Fixes the key order, so output never depends on the order code built objects in. */
function canonical(file: ComposeFile): object {
  if (!file.services) return ordered(file, TOP_ORDER);
  const services = Object.fromEntries(
    Object.entries(file.services).map(([n, s]) => [
      n,
      ordered({ ...s, ...(s.healthcheck ? { healthcheck: ordered(s.healthcheck, HEALTHCHECK_ORDER) } : {}) }, SERVICE_ORDER),
    ]),
  );
  return ordered({ ...file, services }, TOP_ORDER);
}

/**
 * Characters that make a plain scalar fragile for YAML 1.1 readers: indicators,
 * `:` (ports, host:port), edge whitespace, and NEL/LS/PS, which YAML 1.1 (PyYAML,
 * so docker-compose 1.29) reads as line breaks but YAML 1.2 writers leave raw.
 */
const FRAGILE = /[:#{}[\],&*!|>'"%@`\u0085\u2028\u2029]|^[-?\s]|\s$/;
/** YAML's own escapes for the 1.1 line breaks, valid in double-quoted scalars of both versions. */
const LINE_BREAK_ESCAPES: Readonly<Record<string, string>> = { "\u0085": "\\N", "\u2028": "\\L", "\u2029": "\\P" };

/**
 * The YAML node of `value`, styled as it is built: one pass instead of the
 * generic createNode and a visit over the tree (a third of the time for 1000
 * workers). `quoteItems`: `value` sits under an ALWAYS_QUOTED key, so its own
 * strings, or those of its direct items or values, are double-quoted.
 */
function toNode(value: unknown, quoteItems = false): Scalar | YAMLMap | YAMLSeq {
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

function scalar(value: unknown, quoted: boolean): Scalar {
  const node = new Scalar(value);
  if (typeof value === "string" && (quoted || FRAGILE.test(value))) node.type = Scalar.QUOTE_DOUBLE;
  return node;
}

/** A Compose document as YAML text, without header comments. */
export function yamlBody(file: ComposeFile): string {
  // Nodes built here are never shared, so the output has no anchors or aliases:
  // every reader sees each value spelled out.
  const doc = new Document(null, { version: "1.1" });
  doc.contents = toNode(canonical(file));
  // FRAGILE put every string holding one of these in double quotes, so escaping them there is safe.
  return doc.toString({ lineWidth: 0, indent: 2, indentSeq: true }).replace(/[\u0085\u2028\u2029]/g, (c) => LINE_BREAK_ESCAPES[c]!);
}

/** A Compose file: the generated-file marker, `preamble` comment lines, then the document. */
export function composeYaml(file: ComposeFile, preamble: readonly string[] = []): string {
  const lines = preamble.map((l) => (l === "" ? "#" : `# ${l}`));
  const body = yamlBody(file);
  return withMarker(lines.length ? `${lines.join("\n")}\n${body}` : body, "hash");
}
