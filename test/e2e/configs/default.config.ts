/**
 * e2e scenario "default": the template's default deployment plus a datasets
 * directory, run with `docker compose` (Compose v2) on Docker 26 (an engine
 * host, test/e2e/engine-host.ts), as users run it. test/e2e/run.ts copies
 * this file and replaces __E2E_NAME__ (unique per run, so every container,
 * volume and network name is too) and __E2E_DATASETS__ (a temp folder).
 */
import { deployment } from "dioptra-deploy";

export default deployment({
  dioptra: "1.1",
  name: "__E2E_NAME__",
  datasetsDirectory: "__E2E_DATASETS__",
});
