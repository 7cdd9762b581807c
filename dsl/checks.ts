/**
 * Predicates for the values a deployment config may hold, each tied to the
 * program that will read the value (Docker, Compose, nginx, Postgres, bash,
 * systemd). One table, so the validator and the importer agree.
 */

/** Docker's reference grammar, per part (distribution/reference regexp.go). */
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const TAG = "[\\w][\\w.-]{0,127}";

export const RE = {
  /** A registry host, optionally with a port and a path prefix: `registry.example.org:5000/team`. */
  registry: new RegExp(`^${DOMAIN}(?:/${PATH_COMPONENT})*$`),
  /** Zero or more repository path components: `dioptra`, `team/dioptra`. */
  namespace: new RegExp(`^(?:${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)?$`),
  repository: new RegExp(`^${PATH_COMPONENT}$`),
  tag: new RegExp(`^${TAG}$`),
  /** A full image reference: `[domain/]path[:tag][@digest]`. */
  image: new RegExp(`^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::${TAG})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$`),
  /** Compose service names; also valid host names (RFC 1123 labels joined by dots). */
  serviceName: /^[a-z0-9](?:[a-z0-9_.-]*[a-z0-9])?$/,
  /** Compose named volume keys. */
  volumeName: /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/,
  /** A slug usable as Compose project name, host-name prefix and volume-name prefix. */
  slug: /^[a-z0-9][a-z0-9-]*$/,
  /** An nginx server_name: one host name, optionally with a leading or trailing `*` label, or `_`. */
  serverName: /^(?:_|(?:\*\.)?[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?:\.\*)?)$/,
  /** A command run by bash and by systemd's ExecStart: words of safe characters. */
  command: /^[A-Za-z0-9_./:=@+-]+(?: [A-Za-z0-9_./:=@+-]+)*$/,
  /** A Postgres role or database name that needs no quoting. */
  pgIdentifier: /^[a-z_][a-z0-9_]{0,62}$/,
  /** An e-mail address pgAdmin accepts, with no characters an env file would mangle. */
  email: /^[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/,
  /** A systemd unit name (systemd-escape output is in this set). */
  unitName: /^[A-Za-z0-9:_.\\@-]+\.(?:mount|automount|service|socket|target|device|swap|path|timer)$/,
  /** A Go duration as Compose reads them: `30s`, `1m30s`. */
  duration: /^(?:[0-9]+(?:\.[0-9]+)?(?:ns|us|ms|s|m|h))+$/,
  envName: /^[A-Za-z_][A-Za-z0-9_]*$/,
  /** An NFS server address: host name, IPv4 or bracketed IPv6. */
  nfsServer: /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9a-fA-F:]+\])$/,
  /** One NFS mount option: `rw`, `nfsvers=4`. */
  mountOption: /^[A-Za-z0-9_.=-]+$/,
  /** An IPv4 or IPv6 address for a published port. */
  hostIp: /^(?:(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}|\[?[0-9a-fA-F:]+\]?)$/,
} as const;

/**
 * An absolute host or container path that is safe in Compose's short mount
 * syntax (`source:target:mode`) and in generated shell and unit files: no
 * `:` or `,`, no control characters, no `$`, quotes or backslashes.
 */
export function isSafeAbsolutePath(p: string): boolean {
  return /^\/(?:[A-Za-z0-9_.@+=-]+\/?)*$/.test(p) && !/(?:^|\/)\.\.?(?:\/|$)/.test(p) && !p.includes("//");
}

export function isPort(n: unknown): n is number {
  return typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= 65535;
}

export function isCount(n: unknown): n is number {
  return typeof n === "number" && Number.isInteger(n) && n >= 0;
}

/** Short description of a value for error messages. */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === undefined) return "undefined";
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  try {
    const s = JSON.stringify(value);
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    return typeof value;
  }
}
