/**
 * The Swarm target's files under swarm/, generated only when `swarm` is set:
 * the stack file (schema-checked like every Compose file), deploy-stack.sh,
 * and the dockerd settings of each GPU host.
 */
import type { DeploymentModel } from "../../model/types.js";
import { composeFile } from "../compose/files.js";
import type { SwarmSettings } from "./settings.js";
import type { OutFile } from "../../generators/out-file.js";
import { daemonJson } from "./daemon.js";
import { DEPLOY_SCRIPT, STACK_FILE, deployScript } from "./deploy-script.js";
import { stackFile } from "./lower.js";

export function swarmFiles(m: DeploymentModel, sw: SwarmSettings): OutFile[] {
  // The stack file is a Compose file with deploy blocks: the same schema and serializer apply.
  return [
    composeFile(STACK_FILE, stackFile(m, sw), [
      `Swarm stack of deployment "${m.name.replace(/[^\x20-\x7e]/g, "?")}": deploy it with ${DEPLOY_SCRIPT} on host ${sw.coreHost}.`,
      "Secrets are interpolated from .env, which that script exports; none is written here.",
    ]),
    { path: DEPLOY_SCRIPT, content: deployScript(m, sw), mode: 0o755 },
    // JSON has no comments, so no generated-file marker: its folder says where it comes from.
    ...sw.hosts.filter((h) => h.gpus > 0).map((h) => ({ path: `swarm/hosts/${h.key}/daemon.json`, content: `${JSON.stringify(daemonJson(h), null, 2)}\n`, mode: 0o644 as const })),
  ];
}
