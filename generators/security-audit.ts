/**
 * What generate says about a deployment's security: every setting that
 * weakens a safe default, and every port reachable beyond this host, each
 * named with what protects it (a login, TLS) or that nothing does. Printed
 * as warnings; nothing here stops generation (the user asked for it), but
 * nothing is exposed silently either.
 */
import type { DeploymentSpec } from "../dsl/spec.js";

/** A port nginx publishes, what it serves, and what guards it: a login, or nothing at all. */
interface PublicPort {
  readonly port: (spec: DeploymentSpec) => number | undefined;
  readonly what: string;
  readonly guard: string;
  /** Whether it is encrypted, and the setting that would encrypt it. */
  readonly tls: (spec: DeploymentSpec) => boolean;
  readonly tlsSetting: string;
}

const nginxTls = (spec: DeploymentSpec) => spec.nginx.tls;

const PUBLIC_PORTS: readonly PublicPort[] = [
  {
    port: (s) => s.nginx.httpPort,
    what: "the web app and REST API over HTTP",
    guard: "Dioptra's login",
    // With TLS on, the HTTP port only redirects: reported as such below.
    tls: () => false,
    tlsSetting: "nginx.tls",
  },
  { port: (s) => (s.nginx.tls ? s.nginx.httpsPort : undefined), what: "the web app and REST API over HTTPS", guard: "Dioptra's login", tls: nginxTls, tlsSetting: "nginx.tls" },
  { port: () => 35000, what: "MLflow Tracking", guard: "NO authentication at all: whoever reaches it reads and writes every run and artifact", tls: nginxTls, tlsSetting: "nginx.tls" },
  { port: () => 35050, what: "the pgAdmin console", guard: "pgAdmin's login (PGADMIN_DEFAULT_PASSWORD in .env), which reaches every database", tls: nginxTls, tlsSetting: "nginx.tls" },
  { port: () => 35432, what: "PostgreSQL, plain TCP through nginx", guard: "the database passwords", tls: (s) => s.postgres.tls, tlsSetting: "postgres.tls" },
  { port: () => 39000, what: "the MinIO S3 API", guard: "MinIO access keys", tls: nginxTls, tlsSetting: "nginx.tls" },
  { port: () => 39001, what: "the MinIO console", guard: "MinIO's login (MINIO_ROOT_PASSWORD in .env gives full control)", tls: nginxTls, tlsSetting: "nginx.tls" },
];

/** Whether a host address keeps a port on this host: the loopback networks. */
const isLoopback = (ip: string | undefined) => ip !== undefined && (/^127\./.test(ip) || ip === "::1" || ip === "[::1]");

/** One warning per port published beyond localhost, with what protects it. */
function portAudit(spec: DeploymentSpec): string[] {
  const out: string[] = [];
  if (!spec.nginx.exposePortsOnLocalhostOnly) {
    for (const p of PUBLIC_PORTS) {
      const port = p.port(spec);
      if (port === undefined) continue;
      if (port === spec.nginx.httpPort && spec.nginx.tls) {
        out.push(`port ${port} is open on every interface: it only redirects to HTTPS`);
        continue;
      }
      const wire = p.tls(spec) ? "encrypted" : `in clear text (set ${p.tlsSetting})`;
      out.push(`port ${port} (${p.what}) is open on every interface, protected by ${p.guard}; passwords and data travel ${wire}`);
    }
  }
  for (const k of spec.containers) {
    for (const p of k.ports) {
      const ip = p.hostIp ?? (spec.nginx.exposePortsOnLocalhostOnly ? "127.0.0.1" : undefined);
      if (isLoopback(ip)) continue;
      out.push(
        `customContainers.${k.name}: port ${p.host}/${p.protocol ?? "tcp"} is open on ${ip === undefined ? "every interface (hostIp unset, and nginx.exposePortsOnLocalhostOnly is false)" : `${ip}`}, ` +
          "protected only by what its image does (no login or TLS from dioptra-deploy); set hostIp: \"127.0.0.1\" to keep it on this host",
      );
    }
  }
  return out;
}

export function securityAudit(spec: DeploymentSpec): string[] {
  const { nginx, security } = spec;
  const out = portAudit(spec);
  if (security.legacyTls)
    out.push("security.legacyTls: nginx accepts TLS 1.0 and 1.1 (Mozilla's \"old\" profile, weaker ciphers); turn it off once no client needs them");
  if (!nginx.exposePortsOnLocalhostOnly && nginx.tls && !security.hsts)
    out.push("security.hsts is off on a deployment reachable beyond localhost: a browser can be downgraded to plain HTTP on its first visit");
  for (const k of spec.containers) {
    if (k.capAdd.length > 0) out.push(`customContainers.${k.name}.capAdd gives back ${k.capAdd.join(", ")} (every other capability stays dropped)`);
  }
  return out;
}
