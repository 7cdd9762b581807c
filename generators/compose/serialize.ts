/**
 * The one YAML serializer for Compose files. Output is YAML 1.1-safe (PyYAML
 * in docker-compose 1.29 reads `yes`/`on` as booleans and `22:22` as a number),
 * so strings that could be misread are quoted, and ports, mounts and
 * environment values are always double-quoted.
 */
import { Document, Scalar, isMap, isScalar, isSeq, visit } from "yaml";
import { withMarker } from "../marker.js";
import type { ComposeFile } from "./types.js";

const TOP_ORDER = ["services", "networks", "volumes"];
/** dclint's service-keys-order, so the real linter finds nothing to reorder. */
const SERVICE_ORDER = [
  "image", "build", "container_name", "depends_on", "volumes", "volumes_from", "configs", "secrets",
  "environment", "env_file", "ports", "networks", "network_mode", "extra_hosts", "command", "entrypoint",
  "working_dir", "restart", "healthcheck", "logging", "labels", "user", "isolation", "hostname", "runtime",
  "shm_size", "profiles",
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

/** A Compose document as YAML text, without header comments. */
export function yamlBody(file: ComposeFile): string {
  // No anchors/aliases: every reader sees each value spelled out.
  const doc = new Document(canonical(file), { version: "1.1", aliasDuplicateObjects: false });
  visit(doc, {
    Pair(_, pair) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "";
      const quote = (node: unknown) => {
        if (isScalar(node) && typeof node.value === "string") node.type = Scalar.QUOTE_DOUBLE;
      };
      if (ALWAYS_QUOTED.has(key)) {
        if (isSeq(pair.value)) pair.value.items.forEach(quote);
        else if (isMap(pair.value)) pair.value.items.forEach((p) => quote(p.value));
        else quote(pair.value);
      }
    },
    Scalar(key, node) {
      if (key !== "key" && typeof node.value === "string" && FRAGILE.test(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  // FRAGILE put every string holding one of these in double quotes, so escaping them there is safe.
  return doc.toString({ lineWidth: 0, indent: 2, indentSeq: true }).replace(/[\u0085\u2028\u2029]/g, (c) => LINE_BREAK_ESCAPES[c]!);
}

/** A Compose file: the generated-file marker, `preamble` comment lines, then the document. */
export function composeYaml(file: ComposeFile, preamble: readonly string[] = []): string {
  const lines = preamble.map((l) => (l === "" ? "#" : `# ${l}`));
  const body = yamlBody(file);
  return withMarker(lines.length ? `${lines.join("\n")}\n${body}` : body, "hash");
}
