/** The Dioptra workers and the user's own containers, as services. */
import { DATASETS_TARGET } from "../dsl/builtin-volumes.js";
import { WORKER_ENVIRONMENT, WORKER_MOUNTS } from "../dsl/container.js";
import type { Mount } from "../dsl/props.js";
import { WORKER_WAIT_FOR, waitTarget } from "../dsl/services.js";
import type { CustomContainerSpec, DeploymentSpec, WorkerSpec } from "../dsl/spec.js";
import { CA_ENV_FILE, envFileOf } from "./core-services.js";
import { HARDENING } from "./hardening.js";
import { bind, longRunning, service } from "./parts.js";
import type { MountModel, ServiceModel } from "./types.js";

/** A mount as the user wrote it: read-only unless they said otherwise. */
export const userMount = (m: Mount): MountModel => ({ type: m.type, source: m.source, target: m.target, readOnly: m.readOnly !== false });


function workerService(spec: DeploymentSpec, w: WorkerSpec): ServiceModel {
  const s = spec.slug;
  return service(longRunning(w.name, "worker", spec.images[w.kind.image]), {
    hardening: HARDENING.dioptra,
    healthcheck: spec.profile.workerHealthcheck,
    environment: WORKER_ENVIRONMENT,
    waitFor: WORKER_WAIT_FOR.map((d) => waitTarget(s, d)),
    args: [spec.profile.queues[w.kind.key]],
    envFiles: [CA_ENV_FILE, envFileOf(s, "worker"), ...(w.kind.gpu ? [] : [envFileOf(s, "worker-cpu")])],
    mounts: [
      ...WORKER_MOUNTS.map(userMount),
      ...(spec.datasetsDirectory ? [bind(spec.datasetsDirectory, DATASETS_TARGET)] : []),
      ...w.mounts.map(userMount),
    ],
    gpus: w.gpus,
  });
}

function customService(spec: DeploymentSpec, k: CustomContainerSpec): ServiceModel {
  const defaultIp = spec.nginx.exposePortsOnLocalhostOnly ? "127.0.0.1" : undefined;
  return service(
    { name: k.name, role: "custom", image: k.image },
    {
      restart: k.restart,
      hostname: k.hostname,
      healthcheck: k.healthcheck,
      entrypoint: k.entrypoint,
      environment: k.environment,
      // Only a Dioptra entrypoint reads --wait-for flags; any other image keeps its own command unless one is given.
      waitFor: k.dioptraEntrypoint ? k.waitFor : [],
      args: k.command ?? [],
      hasCommand: (k.dioptraEntrypoint && k.waitFor.length > 0) || k.command !== undefined,
      dependsOn: k.dependsOn,
      envFiles: k.envFiles,
      ports: k.ports.map((p) => ({ hostIp: p.hostIp ?? defaultIp, host: p.host, container: p.container, protocol: p.protocol ?? "tcp" })),
      mounts: k.mounts.map(userMount),
      gpus: k.gpus,
      // Fenced in like the built-in services; `capAdd` gives back what the image needs.
      hardening: { noNewPrivileges: true, capAdd: k.capAdd, readOnly: false, tmpfs: [] },
    },
  );
}

export const workerServices = (spec: DeploymentSpec): ServiceModel[] => spec.workers.map((w) => workerService(spec, w));
export const customServices = (spec: DeploymentSpec): ServiceModel[] => spec.containers.map((k) => customService(spec, k));
