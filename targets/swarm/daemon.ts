/**
 * The dockerd settings a GPU host needs for Swarm to place GPU workers:
 * its GPUs advertised as named generic resources (their UUIDs: dockerd reads
 * a number as a count, and the nvidia runtime takes a UUID as a device), and
 * nvidia as the default runtime, since a Swarm service cannot ask for one.
 */
import type { HostModel } from "../../model/types.js";
import { GPU_RESOURCE_KIND } from "./lower.js";

/** Where the nvidia runtime is installed by nvidia-container-toolkit. */
export const NVIDIA_RUNTIME_PATH = "/usr/bin/nvidia-container-runtime";

/** The line of /etc/nvidia-container-runtime/config.toml that makes the runtime read Swarm's choice. */
export const SWARM_RESOURCE_LINE = `swarm-resource = "DOCKER_RESOURCE_${GPU_RESOURCE_KIND.toUpperCase()}"`;

export function daemonJson(h: HostModel): object {
  return {
    "default-runtime": "nvidia",
    "node-generic-resources": h.gpuIds.map((id) => `${GPU_RESOURCE_KIND}=${id}`),
    runtimes: { nvidia: { path: NVIDIA_RUNTIME_PATH, runtimeArgs: [] } },
  };
}
