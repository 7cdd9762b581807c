/**
 * Predicates for the values a deployment config may hold, each tied to the
 * program that will read the value (Docker, Compose, nginx, Postgres, bash,
 * systemd). One table, so the validator and the importer agree.
 */

/** Docker's reference grammar, per part (distribution/reference regexp.go). */
// A DNS label is at most 63 characters (RFC 1035); Docker's grammar has no bound, the resolver does.
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]{0,61}[a-zA-Z0-9])";
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const TAG = "[\\w][\\w.-]{0,127}";

/** A value test: a regular expression, or a predicate with the same `test` method. */
export interface ValueTest {
  test(value: string): boolean;
}

/** `re` that also holds the value to at most `max` characters. */
const capped = (re: RegExp, max: number): ValueTest => ({ test: (v) => v.length <= max && re.test(v) });

/** A host name: labels of at most 63 characters, at most 253 in all (RFC 1035, RFC 1123). */
function withinDnsLimits(host: string): boolean {
  return host.length <= 253 && host.split(".").every((l) => l.length <= 63);
}
const dnsName = (re: RegExp): ValueTest => ({ test: (v) => withinDnsLimits(v) && re.test(v) });

/** Docker's bound on a repository name, registry included (distribution/reference NameTotalLengthMax). */
export const IMAGE_NAME_MAX = 255;

/** The repository name of an image reference: without `:tag` and `@digest`. */
export function imageName(ref: string): string {
  const name = ref.split("@")[0]!;
  const colon = name.lastIndexOf(":");
  return colon > name.lastIndexOf("/") ? name.slice(0, colon) : name;
}

export const RE = {
  /** A registry host, optionally with a port and a path prefix: `registry.example.org:5000/team`. */
  registry: capped(new RegExp(`^${DOMAIN}(?:/${PATH_COMPONENT})*$`), IMAGE_NAME_MAX),
  /** Zero or more repository path components: `dioptra`, `team/dioptra`. */
  namespace: capped(new RegExp(`^(?:${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)?$`), IMAGE_NAME_MAX),
  repository: capped(new RegExp(`^${PATH_COMPONENT}$`), IMAGE_NAME_MAX),
  tag: new RegExp(`^${TAG}$`),
  /** A full image reference: `[domain/]path[:tag][@digest]`. */
  image: {
    test: (v: string) =>
      imageName(v).length <= IMAGE_NAME_MAX &&
      new RegExp(`^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::${TAG})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,128})?$`).test(v),
  } as ValueTest,
  /**
   * Compose service names; also the container's default host name, which the
   * kernel holds to 64 bytes, and a DNS name on the network: at most 63.
   */
  serviceName: capped(/^[a-z0-9](?:[a-z0-9_.-]*[a-z0-9])?$/, 63),
  /**
   * Compose named volume keys. Docker keeps a volume in a folder named
   * `<project>_<name>` (at most 255 bytes); 190 leaves room for the 48-character slug.
   */
  volumeName: capped(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 190),
  /** A slug usable as Compose project name, host-name prefix and volume-name prefix. */
  slug: /^[a-z0-9][a-z0-9-]*$/,
  /** An nginx server_name: one host name, optionally with a leading or trailing `*` label, or `_`. */
  serverName: dnsName(/^(?:_|(?:\*\.)?[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?:\.\*)?)$/),
  /** A command run by bash and by systemd's ExecStart: words of safe characters. */
  command: /^[A-Za-z0-9_./:=@+-]+(?: [A-Za-z0-9_./:=@+-]+)*$/,
  /** A Postgres role or database name that needs no quoting. */
  pgIdentifier: /^[a-z_][a-z0-9_]{0,62}$/,
  /** An e-mail address pgAdmin accepts, with no characters an env file would mangle. */
  email: capped(/^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/, 254),
  /** A systemd unit name (systemd-escape output is in this set); systemd's UNIT_NAME_MAX is 256 with the NUL. */
  unitName: capped(/^[A-Za-z0-9:_.\\@-]+\.(?:mount|automount|service|socket|target|device|swap|path|timer)$/, 255),
  /** A Go duration as Compose reads them: `30s`, `1m30s`. */
  duration: /^(?:[0-9]+(?:\.[0-9]+)?(?:ns|us|ms|s|m|h))+$/,
  envName: /^[A-Za-z_][A-Za-z0-9_]*$/,
  /** An NFS server address: host name, IPv4 or bracketed IPv6. */
  nfsServer: { test: (v: string) => ipFamily(v) !== 0 || (withinDnsLimits(v) && /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(v)) } as ValueTest,
  /** A host name of DNS labels (at most 63 each, 253 in all), e.g. the host of a `host:port` wait target. */
  hostName: dnsName(/^[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?)*$/),
  /** One NFS mount option: `rw`, `nfsvers=4`. */
  mountOption: /^[A-Za-z0-9_.=-]+$/,
  /** An IPv4 or IPv6 address (also in brackets) for a published port. */
  hostIp: { test: (v: string) => ipFamily(v) !== 0 } as ValueTest,
} as const;

const OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
const IPV4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);

/** The 8 groups of an IPv6 address (an embedded IPv4 address as the last two), or undefined. */
function ipv6Groups(text: string): number[] | undefined {
  let s = text;
  const tail = s.slice(s.lastIndexOf(":") + 1);
  if (s.includes(":") && tail.includes(".")) {
    if (!IPV4.test(tail)) return undefined;
    const [a, b, c, d] = tail.split(".").map(Number) as [number, number, number, number];
    s = `${s.slice(0, s.length - tail.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const parts = halves.map((h) => (h === "" ? [] : h.split(":")));
  if (parts.flat().some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  const n = parts.flat().length;
  if (halves.length === 1 ? n !== 8 : n > 7) return undefined;
  const groups = [...parts[0]!, ...Array<string>(8 - n).fill("0"), ...(parts[1] ?? [])];
  return groups.map((g) => parseInt(g, 16));
}

/** The family of an IP address (IPv6 also in brackets): 4, 6, or 0 for anything else. */
export function ipFamily(address: string): 0 | 4 | 6 {
  if (IPV4.test(address)) return 4;
  const inner = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  return ipv6Groups(inner) ? 6 : 0;
}

/** One spelling per address, so `::1` and `0:0:0:0:0:0:0:1` compare equal. */
function canonicalIp(address: string): string {
  if (IPV4.test(address)) return address.split(".").map(Number).join(".");
  return ipv6Groups(address.replace(/^\[|\]$/g, ""))!.join(":");
}

/**
 * Whether two published-port addresses take the same socket on the host:
 * no address (every interface) overlaps any; `0.0.0.0` any IPv4 address,
 * `::` any IPv6 address; otherwise only the same address.
 */
export function addressesOverlap(a: string, b: string): boolean {
  if (a === "" || b === "") return true;
  const family = ipFamily(a);
  if (family === 0 || family !== ipFamily(b)) return a === b;
  const [ca, cb] = [canonicalIp(a), canonicalIp(b)];
  const any = family === 4 ? "0.0.0.0" : "0:0:0:0:0:0:0:0";
  return ca === cb || ca === any || cb === any;
}

/** Keys that reach an object's prototype when assigned: never setting names. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Problems of any string or key anywhere in `value`, as [setting path,
 * message]: a NUL (no reader downstream can carry it: YAML, env files,
 * exec argv), a control character in a key (keys become names and paths
 * printed on one line), and keys that reach the prototype.
 */
export function textProblems(value: unknown, path = "", seen = new Set<object>()): [string, string][] {
  if (typeof value === "string") return value.includes("\0") ? [[path, "must not contain a NUL character"]] : [];
  if (value === null || typeof value !== "object" || seen.has(value)) return [];
  seen.add(value);
  const out: [string, string][] = [];
  for (const key of Object.keys(value)) {
    const at = path === "" ? key : `${path}.${key}`;
    if (RESERVED_KEYS.has(key)) out.push([at, `${show(key)} cannot be a name here: it reaches the object's prototype`]);
    // eslint-disable-next-line no-control-regex
    else if (/[\u0000-\u001f\u007f\u2028\u2029]/.test(key)) out.push([at, `the name ${show(key)} holds a control character`]);
    else out.push(...textProblems((value as Record<string, unknown>)[key], at, seen));
  }
  return out;
}

/**
 * Problems with Compose's interpolation in the strings of an overlay, which
 * Compose reads raw: `$` must start `$$`, `${NAME…}` or `$NAME`
 * (compose-go's template syntax); anything else fails only at `docker compose up`.
 */
export function interpolationProblems(value: unknown, path: string): [string, string][] {
  if (typeof value === "string") {
    const bad = /\$(?!\$|\{[A-Za-z_][A-Za-z0-9_]*(?:(?::?[-?+])[^}]*)?\}|[A-Za-z_])/.exec(value.replace(/\$\$/g, ""));
    return bad ? [[path, `${show(value)}: Compose reads "$" as the start of a variable (\${NAME} or $NAME); write "$$" for a literal "$"`]] : [];
  }
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) => interpolationProblems(v, `${path}.${k}`));
}

/**
 * An absolute host or container path that is safe in Compose's short mount
 * syntax (`source:target:mode`) and in generated shell and unit files: no
 * `:` or `,`, no control characters, no `$`, quotes or backslashes.
 */
export function isSafeAbsolutePath(p: string): boolean {
  // PATH_MAX is 4096 with the NUL; NAME_MAX 255 a component.
  if (p.length > 4095 || p.split("/").some((c) => c.length > 255)) return false;
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
