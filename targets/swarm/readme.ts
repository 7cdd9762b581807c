/** The "Running on several hosts (Docker Swarm)" section of the deployment's README.md. */
import type { DeploymentModel } from "../../model/types.js";
import type { SwarmSettings } from "./settings.js";
import { DEFAULT_TIMEOUT, DEPLOY_SCRIPT, STACK_FILE } from "./deploy-script.js";
import { SWARM_RESOURCE_LINE } from "./daemon.js";

const code = (s: string | number) => `\`${s}\``;

export function swarmReadmeSection(m: DeploymentModel, sw: SwarmSettings): string {
  const rows = sw.hosts.map((h) => {
    const workers = m.services.filter((s) => s.role === "worker" && s.placement.host === h.key).map((s) => code(s.name));
    const runs = [...(h.key === sw.coreHost ? ["core services, custom containers"] : []), ...workers].join(", ") || "nothing yet";
    return `| ${code(h.key)} | ${code(h.node)} | ${h.gpus} | ${runs} |`;
  });
  const gpuHosts = sw.hosts.filter((h) => h.gpus > 0);
  return `## Running on several hosts (Docker Swarm)

${code(STACK_FILE)} runs the same services as docker-compose.yml as the Swarm stack ${code(sw.stackName)}, on these hosts:

| Host | Swarm node | GPUs | Runs |
| --- | --- | --- | --- |
${rows.join("\n")}

Core services keep their data in named volumes on ${code(sw.coreHost)}, where this folder lives, and are pinned there by the node label ${code(`${sw.hostLabel}=${sw.coreHost}`)}; workers are pinned to their host the same way.

On each host, once:

1. Install Docker and join the swarm: \`docker swarm init\` on ${code(sw.coreHost)} (a manager), then the command \`docker swarm join-token worker\` prints on every other host. Open TCP 2377, TCP/UDP 7946 and UDP 4789 between them.
${gpuHosts.length > 0 ? `2. On each GPU host (${gpuHosts.map((h) => code(h.key)).join(", ")}): install the NVIDIA driver and nvidia-container-toolkit, merge ${code("swarm/hosts/<host>/daemon.json")} into ${code("/etc/docker/daemon.json")} (it advertises the GPUs as ${code("NVIDIA-GPU")} resources and makes nvidia the default runtime), add ${code(SWARM_RESOURCE_LINE)} to ${code("/etc/nvidia-container-runtime/config.toml")}, and restart dockerd.\n` : ""}${gpuHosts.length > 0 ? "3" : "2"}. Make the datasets directory and every bind-mounted folder exist on the hosts whose workers mount them; NFS volumes are mounted by each host's engine.

Then, on ${code(sw.coreHost)}:

\`\`\`sh
./init-deployment.sh --branch main   # once: secrets in .env, named volumes filled on this host
${DEPLOY_SCRIPT}                  # labels the nodes, checks them, deploys, waits up to ${DEFAULT_TIMEOUT}s
docker stack services ${sw.stackName}
docker stack rm ${sw.stackName}      # stop
\`\`\`

${code(DEPLOY_SCRIPT)} refuses to deploy, listing every problem, while a host is not a ready node, lacks its labels or advertises fewer GPUs than declared, or .env lacks a value.
\`docker stack deploy\` reads no .env: the script exports the values the stack file interpolates, so no secret is written into the stack file.
Workers on other hosts get the image's own CA bundle: certificates added at init reach only the workers on ${code(sw.coreHost)}.
`;
}
