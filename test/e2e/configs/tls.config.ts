/**
 * e2e scenario "tls": the default deployment served over HTTPS
 * (`nginx.tls`) and with Postgres requiring SSL from the applications
 * (`postgres.tls`), with the self-signed certificates the run puts in
 * ssl/nginx/ and ssl/db/ before init. HTTPS on a port other than 443, so
 * the redirect's port is checked, and HSTS on (it is off by default on
 * localhost). Tokens as in default.config.ts.
 */
import { deployment } from "dioptra-deploy";

export default deployment({
  // Dioptra 1.0: the stand-ins check 1.0's MinIO accounts and policies (a 1.1 scenario is still to come).
  dioptra: "1.0",
  name: "__E2E_NAME__",
  composeCommand: "docker-compose",
  nginx: { tls: true, httpsPort: 8443 },
  security: { hsts: true },
  postgres: { tls: true },
  datasetsDirectory: "__E2E_DATASETS__",
});
