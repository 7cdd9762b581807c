/** The Dioptra workers and the user's own containers, as services. */
import { DATASETS_TARGET } from "./builtin-volumes.js";
import { envRef } from "./env-value.js";
import type { EnvValue, Mount } from "../dsl/props.js";
import { WORKER_WAIT_FOR, waitTarget } from "./services.js";
import type { CustomContainerSpec, DeploymentSpec, WorkerSpec } from "../validation/spec.js";
import { CA_SET, envSet } from "./env-sets.js";
import { HARDENING } from "./hardening.js";
import { bind, longRunning, service } from "./parts.js";
import type { MountModel, ServiceModel } from "./types.js";

/** A mount as the user wrote it: read-only unless they said otherwise. */
export const userMount = (m: Mount): MountModel => ({ type: m.type, source: m.source, target: m.target, readOnly: m.readOnly !== false });

/** Variables every Dioptra worker reads from `.env` (written by init). */
export const WORKER_ENVIRONMENT: Readonly<Record<string, EnvValue>> = {
  AWS_ACCESS_KEY_ID: envRef("WORKER_AWS_ACCESS_KEY_ID"),
  AWS_SECRET_ACCESS_KEY: envRef("WORKER_AWS_SECRET_ACCESS_KEY"),
  DIOPTRA_RESTAPI_DATABASE_URI: envRef("DIOPTRA_RESTAPI_DATABASE_URI"),
  DIOPTRA_WORKER_USERNAME: envRef("DIOPTRA_WORKER_USERNAME"),
  DIOPTRA_WORKER_PASSWORD: envRef("DIOPTRA_WORKER_PASSWORD"),
  // Carries Redis's password, so it comes from .env, never from a committed env file.
  RQ_REDIS_URI: envRef("RQ_REDIS_URI"),
};

/** The volumes every worker mounts: the CA certificates init installs, and the trust store built from them. */
export const WORKER_VOLUMES: readonly MountModel[] = [
  { type: "volume", source: "worker-ca-certificates", target: "/usr/local/share/ca-certificates", readOnly: false },
  { type: "volume", source: "worker-etc-ssl", target: "/etc/ssl", readOnly: false },
];

/** What the workers of a pool have in common: everything but their name, hostname and GPUs. */
type WorkerParts = Pick<ServiceModel, "waitFor" | "args" | "envSets" | "mounts">;

function workerParts(spec: DeploymentSpec, w: WorkerSpec): WorkerParts {
  const s = spec.slug;
  return {
    waitFor: WORKER_WAIT_FOR.map((d) => waitTarget(s, d)),
    args: [spec.profile.queues[w.kind.key]],
    envSets: [envSet(s, CA_SET), envSet(s, "worker"), ...(w.kind.gpu ? [] : [envSet(s, "worker-cpu")])],
    mounts: [
      ...WORKER_VOLUMES,
      ...(spec.datasetsDirectory ? [bind(spec.datasetsDirectory, DATASETS_TARGET)] : []),
      ...w.mounts.map(userMount),
    ],
  };
}

function workerService(spec: DeploymentSpec, w: WorkerSpec, parts: WorkerParts): ServiceModel {
  return service(longRunning(w.name, "worker", spec.images[w.kind.image]), {
    hardening: HARDENING.dioptra,
    healthcheck: spec.profile.workerHealthcheck,
    environment: WORKER_ENVIRONMENT,
    ...parts,
    gpus: w.gpus,
    placement: { host: w.host },
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
      envSets: k.envSets,
      ports: k.ports.map((p) => ({ hostIp: p.hostIp ?? defaultIp, host: p.host, container: p.container, protocol: p.protocol ?? "tcp" })),
      mounts: k.mounts.map(userMount),
      gpus: k.gpus,
      // Fenced in like the built-in services; `capAdd` gives back what the image needs.
      hardening: { noNewPrivileges: true, capAdd: k.capAdd, readOnly: false, tmpfs: [] },
    },
  );
}

/**
 * The workers as services. Workers of a pool with the same mounts (all of
 * them, unless some have mounts of their own) share one set of parts, so
 * the targets lower and check those parts once (targets/compose/lower.ts).
 */
export function workerServices(spec: DeploymentSpec): ServiceModel[] {
  const shared = new Map<string, WeakMap<object, WorkerParts>>();
  return spec.workers.map((w) => {
    let byMounts = shared.get(w.kind.key);
    if (byMounts === undefined) shared.set(w.kind.key, (byMounts = new WeakMap()));
    let parts = byMounts.get(w.mounts);
    if (parts === undefined) byMounts.set(w.mounts, (parts = workerParts(spec, w)));
    return workerService(spec, w, parts);
  });
}
export const customServices = (spec: DeploymentSpec): ServiceModel[] => spec.containers.map((k) => customService(spec, k));
