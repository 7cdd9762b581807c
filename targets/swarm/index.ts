/**
 * The Docker Swarm target, on when the config sets `swarm`: swarm/ holds the
 * stack file, deploy-stack.sh and each GPU host's dockerd settings. It runs
 * on several machines, so it offers the core checks its hosts.
 */
import { serviceNamesOf } from "../../validation/service-names.js";
import type { Target } from "../target.js";
import { swarmFiles } from "./files.js";
import { swarmReadmeSection } from "./readme.js";
import { checkSwarmNames, checkSwarmPlacement, resolveSwarm, type SwarmSettings } from "./settings.js";

export const swarmTarget: Target<SwarmSettings> = {
  key: "swarm",
  settings: (check, props, { slug }) => resolveSwarm(check, props, slug),
  hosts: (sw) => ({ coreHost: sw.coreHost, coreHostPath: "swarm.coreHost", hosts: sw.hosts }),
  validate: (check, spec, sw) => {
    checkSwarmPlacement(check, sw, spec.nginx, spec.workers, spec.containers);
    checkSwarmNames(check, sw, serviceNamesOf(spec), spec.containers);
  },
  synth: swarmFiles,
  readme: (model, sw) => ({
    section: swarmReadmeSection(model, sw),
    folders: [["`swarm/`", "The Swarm stack, deploy-stack.sh and the GPU hosts' dockerd settings (see above)."]],
  }),
};
