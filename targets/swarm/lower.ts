/**
 * The Swarm target: lowers the same target-neutral model the Compose target
 * reads to the model of swarm/docker-stack.yml. Each service is written in the
 * keys Swarm reads (mapping.ts says how each Compose feature becomes one),
 * with the Compose target's escaping, commands and health checks.
 */
import type { SwarmSettings } from "./settings.js";
import type { DeploymentModel, MountModel, ServiceModel } from "../../model/types.js";
import { composeCommand, healthcheck, lowerVolume } from "../compose/lower.js";
import { composeEnvValue, composeLiteral } from "../compose/escape.js";
import { defaultOf, parseEnvRef } from "../../model/env-value.js";
import { envSetPath } from "../../model/env-sets.js";
import type { ComposeHealthcheck, ComposeVolume } from "../compose/types.js";

/** The generic resource kind GPU nodes advertise and GPU services reserve. */
export const GPU_RESOURCE_KIND = "NVIDIA-GPU";
/** Compose file format the stack declares: the oldest with every key used here (generic_resources, named networks and volumes, tmpfs size). */
export const STACK_VERSION = "3.8";

export interface SwarmMount {
  type: "volume" | "bind" | "tmpfs";
  source?: string;
  target: string;
  read_only?: boolean;
  tmpfs?: { size: number };
}

export interface SwarmPort {
  target: number;
  published: number;
  protocol: "tcp" | "udp";
  mode: "host";
}

export interface SwarmDeploy {
  mode: "replicated";
  replicas: number;
  endpoint_mode: "dnsrr";
  placement: { constraints: string[] };
  restart_policy: { condition: "any" | "on-failure" | "none" };
  resources?: { reservations: { generic_resources: { discrete_resource_spec: { kind: string; value: number } }[] } };
}

export interface SwarmService {
  image?: string;
  hostname?: string;
  user?: string;
  cap_add?: string[];
  cap_drop?: string[];
  read_only?: boolean;
  healthcheck?: ComposeHealthcheck;
  entrypoint?: string[];
  environment?: Record<string, string | number>;
  command?: string[];
  env_file?: string[];
  networks?: string[];
  ports?: SwarmPort[];
  volumes?: SwarmMount[];
  deploy: SwarmDeploy;
}

export interface SwarmStackFile {
  version: string;
  services: Record<string, SwarmService>;
  networks: Record<string, { name: string; driver: "overlay"; attachable: boolean }>;
  volumes: Record<string, ComposeVolume>;
}

const RESTART: Readonly<Record<NonNullable<ServiceModel["restart"]>, SwarmDeploy["restart_policy"]["condition"]>> = {
  always: "any",
  "unless-stopped": "any",
  "on-failure": "on-failure",
  no: "none",
};

/** Docker's size units (`256MB`, `1g`): binary multiples, as `shm_size` reads them. */
export function sizeInBytes(size: string): number {
  const m = /^([0-9]+)\s*([kmg]?)b?$/i.exec(size.trim());
  if (!m) throw new Error(`internal error: cannot read the size ${JSON.stringify(size)}`);
  return Number(m[1]) * 1024 ** ["", "k", "m", "g"].indexOf(m[2]!.toLowerCase());
}

/** The placement constraints that pin a service to `host`. */
export function constraintsOf(swarm: SwarmSettings, host: string): string[] {
  const labels = swarm.hosts.find((h) => h.key === host)?.labels ?? [];
  return [`node.labels.${swarm.hostLabel} == ${host}`, ...labels.map(([k, v]) => `node.labels.${k} == ${v}`)];
}

/** GPUs a service reserves: its list's length, or every GPU of its host for "all". */
export function gpuCount(s: ServiceModel, swarm: SwarmSettings, host: string): number {
  if (s.gpus === undefined) return 0;
  return s.gpus === "all" ? (swarm.hosts.find((h) => h.key === host)?.gpus ?? 0) : s.gpus.length;
}

/** A relative bind source is relative to the deployment folder, one up from swarm/. */
function mount(m: MountModel): SwarmMount {
  const source = m.type === "bind" && m.source.startsWith("./") ? `../${m.source.slice(2)}` : m.source;
  return { type: m.type, source, target: m.target, read_only: m.readOnly };
}

/** The host a service runs on: its placement, or the core host. */
export const hostOf = (s: ServiceModel, swarm: SwarmSettings): string => s.placement.host ?? swarm.coreHost;

function swarmService(m: DeploymentModel, s: ServiceModel, swarm: SwarmSettings): SwarmService {
  const host = hostOf(s, swarm);
  const gpus = gpuCount(s, swarm, host);
  // Swarm hands the node's reserved GPUs to the container (DOCKER_RESOURCE_NVIDIA-GPU); a fixed index list would contradict it.
  const environment = Object.fromEntries(
    Object.entries(s.environment).filter(([k]) => !(s.gpus !== undefined && k === "NVIDIA_VISIBLE_DEVICES")).map(([k, v]) => [k, composeEnvValue(v)]),
  );
  // docker stack deploy ignores the service-level `tmpfs` key, and a Swarm tmpfs mount takes
  // no owner (uid=, gid=): plain paths become tmpfs mounts; a service whose tmpfs needs an owner
  // keeps a writable root instead, or it could write nowhere.
  const h = s.hardening;
  const ownedTmpfs = h.tmpfs.some((t) => t.owner !== undefined);
  const volumes = [
    ...s.mounts.map(mount),
    ...(ownedTmpfs ? [] : h.tmpfs.map((t) => ({ type: "tmpfs" as const, target: t.path }))),
    ...(s.shmSize ? [{ type: "tmpfs" as const, target: "/dev/shm", tmpfs: { size: sizeInBytes(s.shmSize) } }] : []),
  ];
  const command = composeCommand(s);
  return {
    image: s.image,
    ...(s.hostname ? { hostname: s.hostname } : {}),
    ...(s.user ? { user: s.user } : {}),
    ...(s.healthcheck ? { healthcheck: healthcheck(s.healthcheck) } : {}),
    ...(s.entrypoint ? { entrypoint: s.entrypoint.map(composeLiteral) } : {}),
    ...(Object.keys(environment).length > 0 ? { environment } : {}),
    ...(command ? { command } : {}),
    ...(s.networked ? { networks: [m.network.key] } : {}),
    ...(h.capAdd !== undefined ? { cap_drop: ["ALL"], ...(h.capAdd.length > 0 ? { cap_add: [...h.capAdd] } : {}) } : {}),
    ...(h.readOnly && !ownedTmpfs ? { read_only: true } : {}),
    ...(s.envSets.length > 0 ? { env_file: s.envSets.map((r) => `../${envSetPath(r)}`) } : {}),
    ...(s.ports.length > 0 ? { ports: s.ports.map((p) => ({ target: p.container, published: p.host, protocol: p.protocol, mode: "host" as const })) } : {}),
    ...(volumes.length > 0 ? { volumes } : {}),
    deploy: {
      mode: "replicated",
      replicas: 1,
      // One replica each: a virtual IP adds nothing but IPVS, which cuts idle connections
      // (Redis, Postgres) after 15 minutes and is missing from some kernels. The name
      // resolves to the task itself instead.
      endpoint_mode: "dnsrr",
      placement: { constraints: constraintsOf(swarm, host) },
      restart_policy: { condition: RESTART[s.restart ?? "always"] },
      ...(gpus > 0 ? { resources: { reservations: { generic_resources: [{ discrete_resource_spec: { kind: GPU_RESOURCE_KIND, value: gpus } }] } } } : {}),
    },
  };
}

/** The model of swarm/docker-stack.yml: the long-running services only (init runs with Compose on the core host). */
export function stackFile(m: DeploymentModel, swarm: SwarmSettings): SwarmStackFile {
  return {
    version: STACK_VERSION,
    services: Object.fromEntries(m.services.map((s) => [s.name, swarmService(m, s, swarm)])),
    // Not the Compose network's name: a local bridge of that name may exist on the core host.
    networks: { [m.network.key]: { name: `${m.network.name}_overlay`, driver: "overlay", attachable: true } },
    volumes: Object.fromEntries(m.volumes.map((v) => [v.key, lowerVolume(v)])),
  };
}

/** `${NAME}` variables the stack needs (no default), which deploy-stack.sh exports from .env. */
export function interpolatedNames(m: DeploymentModel): string[] {
  const names = new Set<string>();
  for (const s of m.services) {
    for (const v of Object.values(s.environment)) {
      if (typeof v !== "string") {
        const r = parseEnvRef(v.interpolate);
        if (r && defaultOf(r) === undefined) names.add(r.var);
      }
    }
  }
  return [...names].sort();
}
