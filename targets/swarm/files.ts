/**
 * The Swarm target's files under swarm/, generated only when `swarm` is set:
 * the stack file (schema-checked like every Compose file), deploy-stack.sh,
 * and the dockerd settings of each GPU host.
 */
import { jsonFile, shellScript } from "../../files/kinds.js";
import type { DeploymentModel } from "../../model/types.js";
import { composeFile } from "../compose/files.js";
import type { SwarmSettings } from "./settings.js";
import type { OutFile } from "../../files/out-file.js";
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
    shellScript(DEPLOY_SCRIPT, deployScript(m, sw)),
    ...sw.hosts.filter((h) => h.gpus > 0).map((h) => jsonFile(`swarm/hosts/${h.key}/daemon.json`, daemonJson(h))),
  ];
}
