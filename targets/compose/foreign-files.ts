/** Files Compose reads from the deployment folder without being asked; the writer warns when one is not ours. */
import type { ForeignFile } from "../target.js";

export const COMPOSE_FOREIGN_FILES: readonly ForeignFile[] = [
  {
    path: "docker-compose.override.yml",
    why: "docker compose loads it with docker-compose.yml and its settings win; move it away, or bring it into the config with `dioptra-deploy import --compose`",
    whenKept: "docker compose still loads it with docker-compose.yml",
  },
];
