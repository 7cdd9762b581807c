/**
 * What generate says about a deployment's security: every setting that
 * weakens a safe default, and the ports that would carry passwords or data
 * in clear text beyond this host. Printed as warnings; nothing here stops
 * generation (the user asked for it), but nothing weakens silently either.
 */
import type { DeploymentSpec } from "../validation/spec.js";
import { hostPort, publishedEntryPoints } from "../model/entry-points.js";

export function securityAudit(spec: DeploymentSpec): string[] {
  const { nginx, postgres, security } = spec;
  const out: string[] = [];
  const publicPorts = !nginx.exposePortsOnLocalhostOnly;
  if (publicPorts && !nginx.tls) {
    const open = publishedEntryPoints(nginx);
    const logins = open.flatMap((e) => (e.carries === "data" ? [] : [`${hostPort(e, nginx)} (${e.carries.logins})`]));
    // HTTP services before TCP streams; Postgres's own TLS covers its stream.
    const data = [...open.filter((e) => e.protocol === "http"), ...open.filter((e) => e.protocol === "tcp" && !postgres.tls)].flatMap((e) => (e.carries === "data" ? [hostPort(e, nginx)] : []));
    out.push(
      `nginx.exposePortsOnLocalhostOnly is false and nginx.tls is off: on every interface, ports ${logins.slice(0, -1).join(", ")} and ${logins.at(-1)} carry passwords in clear text, and ports ${data.join(", ")} ` +
        "carry data unencrypted; set nginx.tls (certificates in ssl/nginx/)",
    );
  }
  if (security.legacyTls)
    out.push("security.legacyTls: nginx accepts TLS 1.0 and 1.1 (Mozilla's \"old\" profile, weaker ciphers); turn it off once no client needs them");
  if (publicPorts && nginx.tls && !security.hsts)
    out.push("security.hsts is off on a deployment reachable beyond localhost: a browser can be downgraded to plain HTTP on its first visit");
  for (const k of spec.containers) {
    if (k.capAdd.length > 0) out.push(`customContainers.${k.name}.capAdd gives back ${k.capAdd.join(", ")} (every other capability stays dropped)`);
  }
  return out;
}
