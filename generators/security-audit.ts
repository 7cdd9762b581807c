/**
 * What generate says about a deployment's security: every setting that
 * weakens a safe default, and the ports that would carry passwords or data
 * in clear text beyond this host. Printed as warnings; nothing here stops
 * generation (the user asked for it), but nothing weakens silently either.
 */
import type { DeploymentSpec } from "../dsl/spec.js";

export function securityAudit(spec: DeploymentSpec): string[] {
  const { nginx, postgres, security } = spec;
  const out: string[] = [];
  const publicPorts = !nginx.exposePortsOnLocalhostOnly;
  if (publicPorts && !nginx.tls) {
    const data = [35000, 39000, ...(postgres.tls ? [] : [35432])];
    out.push(
      `nginx.exposePortsOnLocalhostOnly is false and nginx.tls is off: on every interface, ports ${nginx.httpPort} (Dioptra logins), ` +
        `35050 (pgAdmin login) and 39001 (MinIO console login) carry passwords in clear text, and ports ${data.join(", ")} ` +
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
