/**
 * e2e scenario "tls": the default deployment served over HTTPS
 * (`nginx.tls`) and with Postgres requiring SSL from the applications
 * (`postgres.tls`), with the self-signed certificates the run puts in
 * ssl/nginx/ and ssl/db/ before init. Tokens as in default.config.ts.
 */
import { deployment } from "dioptra-deploy";

export default deployment({
  dioptra: "1.1",
  name: "__E2E_NAME__",
  composeCommand: "docker-compose",
  nginx: { tls: true },
  postgres: { tls: true },
  datasetsDirectory: "__E2E_DATASETS__",
});
