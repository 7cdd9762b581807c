/**
 * READMEs of the ssl/ folders, where operators put certificates before
 * running init. Each says what init does with the folder's files in this
 * deployment (file names, which containers get them, whether TLS is on and
 * which setting turns it on), so nobody has to read the init scripts.
 */
import { markdownFile } from "../files/kinds.js";
import type { DeploymentSpec } from "../validation/spec.js";
import type { DeploymentModel } from "../model/types.js";
import { nginxPorts } from "../model/core-services.js";
import { portString } from "../targets/compose/lower.js";
import type { OutFile } from "../files/out-file.js";

const code = (s: string | number) => `\`${s}\``;

function caCertificatesReadme(): string {
  return `# Extra CA certificates

Leave this folder empty unless a container must trust a certificate authority that is not in the usual public bundles, for example:

- your network's proxy inspects HTTPS and re-signs it with a company CA;
- workers or the REST API reach internal services whose certificates a private CA issued;
- the certificates you put in \`ssl/nginx/\` or \`ssl/db/\` are signed by your own CA.

A telling sign is a certificate verification error in the log of \`init-deployment.sh\` or of a service.

## What to put here

One CA certificate per file, PEM text (it starts with \`-----BEGIN CERTIFICATE-----\`), with a name ending in \`.crt\`.
Files with any other ending are skipped: rename \`company-root.pem\` to \`company-root.crt\`.
Server certificates and private keys do not belong here; they go to \`ssl/nginx/\` and \`ssl/db/\`.

## What init does with them

\`./init-deployment.sh\` adds every \`*.crt\` of this folder to the system bundle of the nginx, MLflow, REST API and worker containers (their \`/etc/ssl\` volumes),
to MinIO's trusted CAs (\`certs/CAs\`), to pgAdmin's \`cacert.pem\`, and to the MinIO client init uses.
After adding or removing a certificate, run \`./init-deployment.sh\` again and restart the deployment.
`;
}

function dbReadme(spec: DeploymentSpec): string {
  const state = spec.postgres.tls
    ? "TLS for Postgres is **on** in this deployment (`postgres: { tls: true }` in deployment.config.ts), so `./init-deployment.sh` needs both files below."
    : "TLS for Postgres is **off** in this deployment. To turn it on, set `postgres: { tls: true }` in deployment.config.ts and run `npx dioptra-deploy generate` (or pass `--enable-postgres-ssl` to one run of `./init-deployment.sh`), then put both files below here.";
  return `# Postgres server certificate

${state}

## What to put here

| File | Content |
| --- | --- |
| \`server.crt\` | The server certificate, PEM. If an intermediate CA signed it, append the intermediate certificates after it: \`cat my-server.crt intermediates.crt > server.crt\` (the server's own certificate first). |
| \`server.key\` | Its private key, PEM, without a passphrase: the database starts unattended and cannot ask for one. |

If a private CA signed the certificate, also put that CA's certificate in \`ssl/ca-certificates/\`.

## What init does with them

With TLS on, \`./init-deployment.sh\` stops before changing anything if either file is missing.
Otherwise it copies them into the Postgres volume (\`server.key\` with mode 0600, owned by the database user), points Postgres at them,
turns SSL on and requires it when the other services connect as the Dioptra database user. With TLS off it turns SSL off again and leaves these files alone.
`;
}

function nginxReadme(spec: DeploymentSpec): string {
  const { serverName, httpPort, httpsPort } = spec.nginx;
  const state = spec.nginx.tls
    ? spec.nginx.certificate === "self-signed"
      ? "HTTPS is **on** in this deployment (`nginx: { tls: true, certificate: \"self-signed\" }` in deployment.config.ts): when the two files below are missing, `./init-deployment.sh` creates a self-signed pair with the host's `openssl` (and copies the certificate to `ssl/ca-certificates/`), with a warning that clients outside the deployment will not trust it. Put your own files here to replace it."
      : "HTTPS is **on** in this deployment (`nginx: { tls: true, certificate: \"provided\" }` in deployment.config.ts), so `./init-deployment.sh` needs the two files below."
    : "HTTPS is **off** in this deployment. To turn it on, set `nginx: { tls: true, certificate: \"provided\" }` (or `\"self-signed\"` for a lab) in deployment.config.ts and run `npx dioptra-deploy generate`: that publishes the HTTPS port, makes nginx's health check probe HTTPS and makes `./init-deployment.sh` install the HTTPS configuration. Do not edit docker-compose.yml by hand for this; the next generate would undo it.";
  const ports = nginxPorts({ ...spec, nginx: { ...spec.nginx, tls: true } }).map(portString);
  return `# nginx server certificate

${state}

## What to put here

| File | Content |
| --- | --- |
| \`server.crt\` | The certificate for ${code(serverName)} (\`nginx.serverName\`), PEM. If an intermediate CA signed it, append the intermediate certificates after it: \`cat my-server.crt intermediates.crt > server.crt\` (the server's own certificate first). |
| \`server.key\` | Its private key, PEM, without a passphrase. |

nginx reads exactly these two names. A self-signed certificate works too; then put it (or the CA that signed it) in \`ssl/ca-certificates/\` as well, so the containers and pgAdmin trust it.

## What init does with them

With HTTPS on, \`./init-deployment.sh\` stops if this folder has no \`.crt\` file.
Otherwise it copies every \`*.crt\` and \`*.key\` of this folder into nginx's \`/etc/ssl\` volume (keys with mode 0600) and installs the HTTPS configuration in place of the plain HTTP one.

## Ports with HTTPS on

Port ${httpPort} then only redirects to \`https://${serverName}/\`; the application is served on port ${httpsPort}, and MLflow (35000), pgAdmin (35050) and MinIO (39000, 39001) switch to HTTPS on their ports.
nginx publishes:

\`\`\`yaml
ports:
${ports.map((p) => `  - "${p}"`).join("\n")}
\`\`\`
`;
}

export function sslReadmes({ spec }: DeploymentModel): OutFile[] {
  return [
    markdownFile("ssl/ca-certificates/README.md", caCertificatesReadme()),
    markdownFile("ssl/db/README.md", dbReadme(spec)),
    markdownFile("ssl/nginx/README.md", nginxReadme(spec)),
  ];
}
