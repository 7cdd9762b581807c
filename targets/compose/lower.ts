/**
 * The Compose target: lowers the target-neutral model to the models of
 * docker-compose.yml and docker-compose.init.yml. Mounts and ports become
 * Compose's short syntax here and nowhere else; literal strings get their
 * `$` escaped, interpolations stay.
 */
import type { Mount } from "../../dsl/props.js";
import type { DeploymentModel, EnvValue, GpuSelection, HardeningModel, HealthcheckProps, MountModel, PortModel, ServiceModel, TmpfsModel, VolumeModel } from "../../model/types.js";
import { envSetPath, type EnvSetRef } from "../../model/env-sets.js";
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

/** `NVIDIA_VISIBLE_DEVICES`; a single index stays a YAML number, as the template writes it. */
function gpuEnv(gpus: GpuSelection | undefined): Record<string, string | number> {
  if (gpus === undefined) return {};
  return { NVIDIA_VISIBLE_DEVICES: gpus === "all" ? "all" : gpus.length === 1 ? gpus[0]! : gpus.join(",") };
}

/** The service's command: its wait flags and arguments, in its order. */
export function composeCommand(s: ServiceModel): string[] | undefined {
  if (!s.hasCommand) return undefined;
  const waits = s.waitFor.flatMap((t) => ["--wait-for", t]);
  const args = s.args.map(composeEnvValue);
  return s.waitAfterArgs ? [...args, ...waits] : [...waits, ...args];
}

/** An env set as Compose reads it: a path relative to docker-compose.yml, the deployment folder. */
export const envFileString = (r: EnvSetRef): string => `./${envSetPath(r)}`;

/** A tmpfs in Compose's syntax: the path, then Docker's mount options for its owner. */
export const tmpfsString = (t: TmpfsModel): string => (t.owner ? `${t.path}:uid=${t.owner.uid},gid=${t.owner.gid},mode=${t.owner.mode}` : t.path);

/** Least privilege in Compose's keys; capabilities are listed only when dropped. */
function hardening(h: HardeningModel): Partial<ComposeService> {
  return {
    ...(h.noNewPrivileges ? { security_opt: ["no-new-privileges:true"] } : {}),
    ...(h.capAdd !== undefined ? { cap_drop: ["ALL"], ...(h.capAdd.length > 0 ? { cap_add: [...h.capAdd] } : {}) } : {}),
    ...(h.readOnly ? { read_only: true } : {}),
    ...(h.tmpfs.length > 0 ? { tmpfs: h.tmpfs.map(tmpfsString) } : {}),
  };
}

/** A node of {@link Lowering}'s table of string lists: the list ending here, and the lists going on. */
interface ListNode {
  readonly next: Map<string, ListNode>;
  list?: string[];
}

/**
 * One lowering of a model. Parts that services have in common (the health
 * check, environment, mounts and command of the 1000 workers of a pool) are
 * lowered once and the result is shared between those services, so the YAML
 * writer and the schema check, which remember what they met by identity, do
 * their work once per distinct part. Lowered documents are never modified
 * in place (the Swarm target and overlays copy what they change).
 */
class Lowering {
  private readonly lists: ListNode = { next: new Map() };
  private readonly healthchecks = new WeakMap<HealthcheckProps, ComposeHealthcheck>();
  private readonly hardenings = new WeakMap<HardeningModel, Partial<ComposeService>>();
  private readonly environments = new WeakMap<object, { base: Record<string, string | number>; byGpus: Map<string, Record<string, string | number>> }>();
  private readonly lowered = new Map<(x: never) => string, WeakMap<readonly unknown[], string[]>>();
  private readonly commands = new WeakMap<readonly string[], WeakMap<readonly EnvValue[], (string[] | undefined)[]>>();
  private readonly networks: string[];

  constructor(network: string) {
    this.networks = [network];
  }

  /** `source` mapped by `f` into the one array of those strings; a source met before (the workers of a pool share theirs) is not mapped again. */
  private listOf<T>(source: readonly T[], f: (x: T) => string): string[] {
    let bySource = this.lowered.get(f);
    if (bySource === undefined) this.lowered.set(f, (bySource = new WeakMap()));
    let out = bySource.get(source);
    if (out === undefined) bySource.set(source, (out = this.list(source.map(f))));
    return out;
  }

  /** The command of `s`, once per list of waits and arguments. */
  private command(s: ServiceModel): string[] | undefined {
    if (!s.hasCommand) return undefined;
    let byArgs = this.commands.get(s.waitFor);
    if (byArgs === undefined) this.commands.set(s.waitFor, (byArgs = new WeakMap()));
    let byOrder = byArgs.get(s.args);
    if (byOrder === undefined) byArgs.set(s.args, (byOrder = []));
    const slot = s.waitAfterArgs ? 1 : 0;
    if (byOrder[slot] === undefined) byOrder[slot] = this.list(composeCommand(s)!);
    return byOrder[slot];
  }

  /** The one array holding exactly these strings. */
  private list(items: readonly string[]): string[] {
    let node = this.lists;
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      let next = node.next.get(item);
      if (next === undefined) node.next.set(item, (next = { next: new Map() }));
      node = next;
    }
    return (node.list ??= [...items]);
  }

  private environment(s: ServiceModel): Record<string, string | number> {
    let lowered = this.environments.get(s.environment);
    if (lowered === undefined) {
      const base = Object.fromEntries(Object.entries(s.environment).map(([k, v]) => [k, composeEnvValue(v)]));
      this.environments.set(s.environment, (lowered = { base, byGpus: new Map() }));
    }
    if (s.gpus === undefined) return lowered.base;
    // Each GPU worker sees its own GPUs: the shared variables, then NVIDIA_VISIBLE_DEVICES.
    const gpuKey = s.gpus === "all" ? "all" : `[${s.gpus.join(",")}]`;
    let env = lowered.byGpus.get(gpuKey);
    if (env === undefined) lowered.byGpus.set(gpuKey, (env = { ...lowered.base, ...gpuEnv(s.gpus) }));
    return env;
  }

  /** The service, its keys set in the order the YAML writer puts them (yaml-style.ts), so it need not sort them. */
  service(s: ServiceModel): ComposeService {
    const out: ComposeService = { image: s.image };
    if (s.dependsOn.length > 0) out.depends_on = Object.fromEntries(s.dependsOn.map((d) => [d.service, { condition: `service_${d.condition}` as const }]));
    if (s.mounts.length > 0) out.volumes = this.listOf(s.mounts, mountString);
    const environment = this.environment(s);
    if (Object.keys(environment).length > 0) out.environment = environment;
    if (s.envSets.length > 0) out.env_file = this.listOf(s.envSets, envFileString);
    if (s.ports.length > 0) out.ports = this.listOf(s.ports, portString);
    if (s.networked) out.networks = this.networks;
    const cmd = this.command(s);
    if (cmd) out.command = cmd;
    if (s.entrypoint) out.entrypoint = this.listOf(s.entrypoint, composeLiteral);
    if (s.restart) out.restart = s.restart;
    if (s.healthcheck) {
      let check = this.healthchecks.get(s.healthcheck);
      if (check === undefined) this.healthchecks.set(s.healthcheck, (check = healthcheck(s.healthcheck)));
      out.healthcheck = check;
    }
    if (s.user) out.user = s.user;
    let fence = this.hardenings.get(s.hardening);
    if (fence === undefined) this.hardenings.set(s.hardening, (fence = hardening(s.hardening)));
    if (fence.cap_add) out.cap_add = fence.cap_add;
    if (fence.cap_drop) out.cap_drop = fence.cap_drop;
    if (s.hostname) out.hostname = s.hostname;
    if (fence.read_only) out.read_only = fence.read_only;
    // GPU access through the NVIDIA container runtime, as the template's GPU workers get it.
    if (s.gpus !== undefined) out.runtime = "nvidia";
    if (fence.security_opt) out.security_opt = fence.security_opt;
    if (s.shmSize) out.shm_size = s.shmSize;
    if (fence.tmpfs) out.tmpfs = fence.tmpfs;
    return out;
  }
}


/** An NFS export as Compose mounts one: the `local` driver with `type: nfs`. */
export const nfsDriverOpts = (server: string, exportPath: string, options: readonly string[]): Record<string, string> => ({
  type: "nfs",
  o: [`addr=${server}`, ...options].join(","),
  device: `:${exportPath}`,
});

export function lowerVolume(v: VolumeModel): ComposeVolume {
  if (v.kind === "named") return { name: v.name };
  const [driver, opts] = v.kind === "nfs" ? ["local", nfsDriverOpts(v.server, v.export, v.options)] : [v.driver, v.driverOpts];
  return {
    name: v.name,
    driver,
    ...(Object.keys(opts).length > 0 ? { driver_opts: Object.fromEntries(Object.entries(opts).map(([k, o]) => [k, composeLiteral(o)])) } : {}),
  };
}

function composeFileOf(m: DeploymentModel, services: readonly ServiceModel[], volumes: readonly VolumeModel[]): ComposeFile {
  const lowering = new Lowering(m.network.key);
  return {
    services: Object.fromEntries(services.map((s) => [s.name, lowering.service(s)])),
    networks: { [m.network.key]: { name: m.network.name } },
    volumes: Object.fromEntries(volumes.map((v) => [v.key, lowerVolume(v)])),
  };
}

/** The model of docker-compose.yml. */
export const mainCompose = (m: DeploymentModel): ComposeFile => composeFileOf(m, m.services, m.volumes);

/** The model of docker-compose.init.yml. */
export const initCompose = (m: DeploymentModel): ComposeFile => composeFileOf(m, m.init.services, m.init.volumes);
