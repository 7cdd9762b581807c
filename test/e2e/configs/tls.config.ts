/**
 * e2e scenario "tls": the default deployment served over HTTPS
 * (`nginx.tls`) and with Postgres requiring SSL from the applications
 * (`postgres.tls`), with the self-signed certificates the run puts in
 * ssl/nginx/ and ssl/db/ before init, on Postgres 18's data layout
 * (checks.ts checkPostgresLayout). HTTPS on a port other than 443, so the
 * redirect's port is checked, and HSTS on (it is off by default on
 * localhost). Tokens as in default.config.ts.
 */
import { deployment } from "dioptra-deploy";

export default deployment({
  dioptra: "1.1",
  name: "__E2E_NAME__",
  nginx: { tls: true, certificate: "provided", httpsPort: 8443 },
  security: { hsts: true },
  // Postgres 18's data layout (reproduced by the e2e db stand-in): PGDATA must keep the data in the volume.
  postgres: { tls: true, tag: "18" },
  datasetsDirectory: "__E2E_DATASETS__",
});
