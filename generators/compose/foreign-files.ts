/** Files Compose reads from the deployment folder without being asked; the writer warns when one is not ours. */
import type { ForeignFile } from "../../writer/index.js";

export const COMPOSE_FOREIGN_FILES: readonly ForeignFile[] = [
  {
    path: "docker-compose.override.yml",
    why: "docker compose loads it with docker-compose.yml and its settings win; move it out of the folder, and state its settings in the config instead (as `overrides`, or typed: `npx dioptra-deploy import --help` shows how import reads an override file)",
    whenKept: "docker compose still loads it with docker-compose.yml",
  },
];
