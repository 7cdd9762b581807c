/**
 * READMEs of the ssl/ folders, where operators drop certificates before
 * running init. The CA and Postgres ones are the template's text; the nginx
 * one no longer tells you to hand-edit docker-compose.yml, because
 * `nginx.tls` in the config does that edit.
 */
import type { DeploymentSpec } from "../dsl/spec.js";
import { nginxPorts } from "./compose/main.js";
import { withMarker } from "./marker.js";
import type { OutFile } from "./out-file.js";

const CA_CERTIFICATES = `# Extra CA certificates (optional)

**IMPORTANT: This folder is for CA certificates, not your server's public certificate(s) and private key(s).**

If you have extra CA certificates that you want to include in the containers at runtime, copy them into this folder before running the \`init-deployment.sh\` script.
Only CA certificate files that meet the following criteria will be bundled and made available to the containers at runtime:

-   Each CA certificate file must be in the PEM format.
    The PEM format encodes the certificate using base64 and stores it in a plain text file between two lines, \`-----BEGIN CERTIFICATE-----\` and \`-----END CERTIFICATE-----\`.
-   Each file should include one, and only one, CA certificate.
    Do not bundle multiple CA certificates together.
-   Each PEM-formatted CA certificate file **must** have the file extension \`crt\`, for example \`ca-root.crt\`.
    If your CA certificate has a different file extension (such as \`pem\`), rename it to \`crt\` after copying to this folder.

## How do I know if I need to do this?

There are some common situations where it is necessary to provide one or more extra CA certificates:

1.  You are running the containers in a corporate environment that has its own certificate authority and that terminates all HTTPS traffic and then re-encrypts and re-signs it before sending it to you.
2.  You are running the containers in a corporate environment that has its own certificate authority and the containers need to access resources on the corporate network.
3.  You are using one or more self-signed certificates to encrypt communications between the containers.

If none of these situations apply to you, or if you are unsure if they apply to you, then it is recommended that you run \`init-deployment.sh\` and try starting the deployment without adding anything to this folder first.
If the \`init-deployment.sh\` script or one of the deployed containers logs an HTTPS or SSL error, then that is a telltale sign that you might need to add extra CA certificates to this folder.
`;

/** The template's READMEs for the server certificates of Postgres and nginx differ only by service and flag. */
function serverCertificates(title: string, purpose: string, flag: string): string {
  return `# ${title} server certificates

To configure ${purpose}, copy the appropriate server certificate and private key into this folder before running the \`init-deployment.sh\` script with the \`${flag}\` option flag.
The initialization script expects the following file names:

-   **Server certificate:** \`server.crt\`
-   **Private key:** \`server.key\`

If your server certificate has been signed using an intermediate certificate, then it should be concatenated with the appropriate bundle of chained certificates provided to you by the signing certificate authority.
**When concatenating, make sure that the server certificate comes _before_ the chained certificates:**

\`\`\`sh
cat server-certificate.crt bundle.crt > server.crt
\`\`\`

Note that some certificate authorities may provide an option to download the bundled version, or even distribute the bundled version by default.
`;
}

const DB = serverCertificates("Postgres", "Postgres to encrypt database connections", "--enable-postgres-ssl");
const NGINX_INTRO = `${serverCertificates("NGINX", "NGINX to run a HTTPS server", "--enable-nginx-ssl")}\n`;

function nginxReadme(spec: DeploymentSpec): string {
  const state = spec.nginx.tls
    ? `HTTPS is **on** in this deployment (\`nginx: { tls: true }\` in deployment.config.ts): nginx publishes port ${spec.nginx.httpsPort} and its health check probes the HTTPS endpoints, and \`init-deployment.sh\` enables the SSL configuration by default.`
    : "HTTPS is **off** in this deployment. To turn it on, set `nginx: { tls: true }` in deployment.config.ts and run `npx dioptra-deploy generate`: that publishes the HTTPS port, switches the health check to the HTTPS endpoints and makes `init-deployment.sh` enable the SSL configuration by default. Do not edit docker-compose.yml by hand; the next generate would undo it.";
  const ports = spec.nginx.tls ? nginxPorts(spec) : nginxPorts({ ...spec, nginx: { ...spec.nginx, tls: true } });
  return `${NGINX_INTRO}${state}\n\nWith HTTPS on, nginx publishes:\n\n\`\`\`yaml\nports:\n${ports.map((p) => `  - "${p}"`).join("\n")}\n\`\`\`\n`;
}

export function sslReadmes(spec: DeploymentSpec): OutFile[] {
  return [
    { path: "ssl/ca-certificates/README.md", content: withMarker(CA_CERTIFICATES, "html"), mode: 0o644 },
    { path: "ssl/db/README.md", content: withMarker(DB, "html"), mode: 0o644 },
    { path: "ssl/nginx/README.md", content: withMarker(nginxReadme(spec), "html"), mode: 0o644 },
  ];
}
