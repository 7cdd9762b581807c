/**
 * How Compose files are spelled in YAML, shared by both serializers (the
 * direct emitter in serialize.ts and the `yaml` library one in yaml-lib.ts):
 * key order, and which strings are double-quoted. Output is YAML 1.1-safe
 * (PyYAML in docker-compose 1.29 reads `yes`/`on` as booleans and `22:22` as
 * a number), so strings that could be misread are quoted, and ports, mounts
 * and environment values are always double-quoted.
 */
import type { ComposeDocument } from "./types.js";

export const TOP_ORDER = ["version", "services", "networks", "volumes"];
/** dclint's service-keys-order, so the real linter finds nothing to reorder. */
export const SERVICE_ORDER = [
  "image", "build", "container_name", "depends_on", "volumes", "volumes_from", "configs", "secrets",
  "environment", "env_file", "ports", "networks", "network_mode", "extra_hosts", "command", "entrypoint",
  "working_dir", "restart", "healthcheck", "logging", "labels", "user", "isolation",
  // Keys dclint does not group come last, in alphabetical order.
  "cap_add", "cap_drop", "hostname", "read_only", "runtime", "security_opt", "shm_size", "tmpfs", "profiles",
];
export const HEALTHCHECK_ORDER = ["test", "interval", "timeout", "retries", "start_period"];
/** Keys whose string values (or those of their direct items or values) are always double-quoted. */
export const ALWAYS_QUOTED = new Set(["ports", "volumes", "environment", "o", "device"]);

function ordered<T extends object>(value: T, order: readonly string[]): T {
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  entries.sort(([a], [b]) => rank(a) - rank(b));
  return Object.fromEntries(entries) as T;
}

/** Fixes the key order, so output never depends on the order code built objects in. */
export function canonical(file: ComposeDocument): object {
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
 * `:` (ports, host:port), edge whitespace, NEL/LS/PS, which YAML 1.1 (PyYAML,
 * so docker-compose 1.29) reads as line breaks but YAML 1.2 writers leave raw,
 * U+FFFE/U+FFFF, which no YAML reader accepts raw, and a tab, which PyYAML's
 * scanner refuses inside a plain scalar; and `<<` and `=`, the merge and value
 * keys of YAML 1.1, which PyYAML resolves to types it then cannot construct
 * (the `yaml` library does not know `=`). A string value matching it is
 * double-quoted.
 */
export const FRAGILE = /[:#{}[\],&*!|>'"%@`\t\u0085\u2028\u2029\ufffe\uffff]|^[-?\s]|\s$|^(?:<<|=)$/;
/** Keys the `yaml` library would leave plain but a YAML 1.1 reader misreads (`<<`) or cannot read (see FRAGILE): double-quoted. */
export const FRAGILE_KEY = /^(?:<<|=)$|[\t\u0085\u2028\u2029\ufffe\uffff]/;
