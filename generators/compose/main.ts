/**
 * The Compose target: lowers the target-neutral model to the models of
 * docker-compose.yml and docker-compose.init.yml. Mounts and ports become
 * Compose's short syntax here and nowhere else; literal strings get their
 * `$` escaped, interpolations stay.
 */
import type { Mount } from "../../dsl/props.js";
import type { DeploymentSpec } from "../../dsl/spec.js";
import { nginxPorts as nginxPortModels } from "../../model/core-services.js";
import type { DeploymentModel, GpuSelection, HealthcheckProps, MountModel, PortModel, ServiceModel, VolumeModel } from "../../model/types.js";
import { composeEnvValue, composeLiteral } from "./escape.js";
import type { ComposeFile, ComposeHealthcheck, ComposeService, ComposeVolume } from "./types.js";

export function healthcheck(h: HealthcheckProps): ComposeHealthcheck {
  return {
    test: ["CMD", ...h.test.map(composeLiteral)],
    ...(h.interval ? { interval: h.interval } : {}),
    ...(h.timeout ? { timeout: h.timeout } : {}),
    ...(h.retries !== undefined ? { retries: h.retries } : {}),
    ...(h.startPeriod ? { start_period: h.startPeriod } : {}),
  };
}

/** A mount in short syntax; the mode is always written, as the template does. */
export function mountString(m: MountModel | Mount): string {
  return `${m.source}:${m.target}:${m.readOnly !== false ? "ro" : "rw"}`;
}

/** A port in short syntax, `[ip:]host:container/protocol`, IPv6 addresses in brackets. */
export function portString(p: PortModel): string {
  const ip = p.hostIp === undefined || p.hostIp === "" ? "" : `${p.hostIp.includes(":") && !p.hostIp.startsWith("[") ? `[${p.hostIp}]` : p.hostIp}:`;
  return `${ip}${p.host}:${p.container}/${p.protocol}`;
}

/** nginx's published ports in short syntax. */
export const nginxPorts = (spec: DeploymentSpec): string[] => nginxPortModels(spec).map(portString);

/** `NVIDIA_VISIBLE_DEVICES`; a single index stays a YAML number, as the template writes it. */
function gpuEnv(gpus: GpuSelection | undefined): Record<string, string | number> {
  if (gpus === undefined) return {};
  return { NVIDIA_VISIBLE_DEVICES: gpus === "all" ? "all" : gpus.length === 1 ? gpus[0]! : gpus.join(",") };
}

function command(s: ServiceModel): string[] | undefined {
  if (!s.hasCommand) return undefined;
  const waits = s.waitFor.flatMap((t) => ["--wait-for", t]);
  const args = s.args.map(composeEnvValue);
  return s.waitAfterArgs ? [...args, ...waits] : [...waits, ...args];
}

/** Least privilege in Compose's keys; capabilities are listed only when dropped. */
function hardening({ hardening: h }: ServiceModel): Partial<ComposeService> {
  return {
    ...(h.noNewPrivileges ? { security_opt: ["no-new-privileges:true"] } : {}),
    ...(h.capAdd !== undefined ? { cap_drop: ["ALL"], ...(h.capAdd.length > 0 ? { cap_add: [...h.capAdd] } : {}) } : {}),
    ...(h.readOnly ? { read_only: true } : {}),
    ...(h.tmpfs.length > 0 ? { tmpfs: [...h.tmpfs] } : {}),
  };
}

export function lowerService(s: ServiceModel, network: string): ComposeService {
  const environment = { ...Object.fromEntries(Object.entries(s.environment).map(([k, v]) => [k, composeEnvValue(v)])), ...gpuEnv(s.gpus) };
  const cmd = command(s);
  return {
    image: s.image,
    ...(s.restart ? { restart: s.restart } : {}),
    ...(s.hostname ? { hostname: s.hostname } : {}),
    ...(s.user ? { user: s.user } : {}),
    // GPU access through the NVIDIA container runtime, as the template's GPU workers get it.
    ...(s.gpus !== undefined ? { runtime: "nvidia" } : {}),
    ...(s.shmSize ? { shm_size: s.shmSize } : {}),
    ...(s.healthcheck ? { healthcheck: healthcheck(s.healthcheck) } : {}),
    ...(s.entrypoint ? { entrypoint: s.entrypoint.map(composeLiteral) } : {}),
    ...(Object.keys(environment).length > 0 ? { environment } : {}),
    ...(cmd ? { command: cmd } : {}),
    ...(s.dependsOn.length > 0 ? { depends_on: Object.fromEntries(s.dependsOn.map((d) => [d.service, { condition: `service_${d.condition}` as const }])) } : {}),
    ...(s.envFiles.length > 0 ? { env_file: [...s.envFiles] } : {}),
    ...(s.networked ? { networks: [network] } : {}),
    ...(s.ports.length > 0 ? { ports: s.ports.map(portString) } : {}),
    ...(s.mounts.length > 0 ? { volumes: s.mounts.map(mountString) } : {}),
    ...hardening(s),
  };
}

export function lowerVolume(v: VolumeModel): ComposeVolume {
  return {
    name: v.name,
    ...(v.driver ? { driver: v.driver } : {}),
    ...(v.driverOpts ? { driver_opts: Object.fromEntries(Object.entries(v.driverOpts).map(([k, o]) => [k, composeLiteral(o)])) } : {}),
  };
}

function composeFileOf(m: DeploymentModel, services: readonly ServiceModel[], volumes: readonly VolumeModel[]): ComposeFile {
  return {
    services: Object.fromEntries(services.map((s) => [s.name, lowerService(s, m.network.key)])),
    networks: { [m.network.key]: { name: m.network.name } },
    volumes: Object.fromEntries(volumes.map((v) => [v.key, lowerVolume(v)])),
  };
}

/** The model of docker-compose.yml. */
export const mainCompose = (m: DeploymentModel): ComposeFile => composeFileOf(m, m.services, m.volumes);

/** The model of docker-compose.init.yml. */
export const initCompose = (m: DeploymentModel): ComposeFile => composeFileOf(m, m.init.services, m.init.volumes);
