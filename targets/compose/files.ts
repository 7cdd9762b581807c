/**
 * The Compose target's files: docker-compose.yml, docker-compose.init.yml
 * and the overlays, each lowered from the model once, schema-checked and
 * serialized.
 */
import { ConfigError } from "../../validation/issues.js";
import type { DeploymentModel } from "../../model/types.js";
import { initCompose, mainCompose } from "./lower.js";
import { yamlBody } from "./serialize.js";
import { hashCommentFile } from "../../files/kinds.js";
import type { ComposeDocument } from "./types.js";
import { composeSchemaIssues } from "./validate.js";
import type { OutFile } from "../../files/out-file.js";
import { overrideFiles } from "./overlays.js";
import type { ComposeSettings } from "./settings.js";

export const INIT_COMPOSE_FILE = "docker-compose.init.yml";

/** Serializes a Compose model after checking it against the Compose schema. */
export function composeFile<T extends ComposeDocument>(path: string, model: T, preamble: readonly string[]): OutFile {
  const issues = composeSchemaIssues(path, model);
  if (issues.length > 0) throw new ConfigError(issues, `${path} would not be a valid Compose file`);
  return hashCommentFile(path, yamlBody(model), preamble);
}

export function composeFiles(m: DeploymentModel, settings: ComposeSettings): OutFile[] {
  const title = `"${m.name.replace(/[^\x20-\x7e]/g, "?")}" (slug ${m.slug})`;
  const main = mainCompose(m);
  return [
    composeFile("docker-compose.yml", main, [`Dioptra deployment ${title}.`, "Secrets come from .env, which init-deployment.sh creates on the host."]),
    composeFile(INIT_COMPOSE_FILE, initCompose(m), [
      `Initialization services of deployment ${title}, run only by init-deployment.sh.`,
      "Scripts reach the containers through a read-only bind mount of ./scripts.",
    ]),
    ...overrideFiles(m, settings, main),
  ];
}
