/**
 * The Swarm target's settings (`swarm`, `hosts`) and the checks only Swarm
 * needs: what it cannot publish, GPUs a host cannot supply, names too long
 * for a stack.
 */
import type { CustomContainerSpec, DeploymentSpec, WorkerSpec } from "../../validation/spec.js";
import type { DeploymentProps, GpuSelection } from "../../dsl/props.js";
import { RE, isCount, show } from "../../validation/checks.js";
import { SETTINGS } from "../../validation/settings.js";
import type { HostModel } from "../../model/types.js";
import type { Checker } from "../../validation/checker.js";
import { checkHostGpus } from "../../validation/hosts.js";

/** The Swarm target's settings, present only when `swarm` is set. */
export interface SwarmSettings {
  readonly stackName: string;
  /** Host of the core services and of the deployment folder. */
  readonly coreHost: string;
  /** Declared hosts, in the config's order. */
  readonly hosts: readonly HostModel[];
  /** The node label that pins services to a host: `dioptra.<slug>.host`. */
  readonly hostLabel: string;
}

/** Host names become node label values and DNS-safe words in deploy-stack.sh. */
const HOST_KEY = /^[a-z][a-z0-9-]{0,62}$/;
/** Docker label keys and values we pass through the shell and into placement constraints. */
const LABEL_KEY = /^[a-z0-9](?:[a-z0-9._-]{0,126}[a-z0-9])?$/;
const LABEL_VALUE = /^[A-Za-z0-9._\/:-]{1,128}$/;

/** The Swarm target's hosts and switch; undefined (after reporting stray host settings) without `swarm`. */
export function resolveSwarm(c: Checker, p: DeploymentProps, slug: string): SwarmSettings | undefined {
  if (p.swarm === undefined) {
    if (p.hosts !== undefined) c.fail("hosts", "only the Swarm target reads hosts: add swarm: {} (or remove hosts)");
    return undefined;
  }
  const sp = c.object<NonNullable<DeploymentProps["swarm"]>>("swarm", p.swarm, SETTINGS.swarm) ?? {};
  const stackName = c.string("swarm.stackName", sp.stackName, slug, { re: /^[a-z0-9][a-z0-9_-]{0,62}$/, what: "a stack name (lower-case letters, digits, _ and -, at most 63)" });
  const coreHost = c.string("swarm.coreHost", sp.coreHost, "core");
  if (p.hosts === undefined) {
    c.fail("hosts", "the Swarm target needs the machines it runs on, e.g. hosts: { core: {}, gpu1: { gpus: 4 } }");
    return { stackName, coreHost, hosts: [], hostLabel: `dioptra.${slug}.host` };
  }
  const hp = c.object<Record<string, unknown>>("hosts", p.hosts, Object.keys(p.hosts ?? {})) ?? {};
  const hostLabel = `dioptra.${slug}.host`;
  const hosts: HostModel[] = [];
  const nodes = new Map<string, string>();
  const folders: string[] = [];
  for (const key of Object.keys(hp)) {
    const path = `hosts.${key}`;
    if (!HOST_KEY.test(key)) c.fail(path, `${show(key)} is not a host name for the config: lower-case letters, digits and -, starting with a letter`);
    const h = c.object<NonNullable<DeploymentProps["hosts"]>[string]>(path, hp[key] ?? {}, SETTINGS["hosts.*"]) ?? {};
    const node = c.string(`${path}.node`, h.node, key, { re: RE.hostName, what: "a Swarm node name (a host name)" });
    const other = nodes.get(node);
    if (other !== undefined) c.fail(`${path}.node`, `node ${show(node)} is already hosts.${other}: each host is one machine`);
    nodes.set(node, key);
    const gpuIds = c.array<unknown>(`${path}.gpuIds`, h.gpuIds).filter((id, i): id is string => {
      // Not a bare number: dockerd would read NVIDIA-GPU=<number> as a count of GPUs, not a GPU.
      const ok = typeof id === "string" && /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/.test(id) && !/^[0-9]+$/.test(id);
      if (!ok) c.fail(`${path}.gpuIds.${i}`, `${show(id)} is not a GPU UUID such as "GPU-6f1d2c3a-8e4b-…" (nvidia-smi --query-gpu=uuid --format=csv,noheader)`);
      return ok;
    });
    if (new Set(gpuIds).size !== gpuIds.length) c.fail(`${path}.gpuIds`, "lists a GPU twice");
    let gpus = gpuIds.length;
    if (h.gpus !== undefined && !isCount(h.gpus)) c.fail(`${path}.gpus`, `must be a whole number ≥ 0, got ${show(h.gpus)}`);
    else if (h.gpus !== undefined) gpus = h.gpus;
    if (gpus > 0 && gpuIds.length !== gpus)
      c.fail(
        `${path}.gpuIds`,
        h.gpuIds === undefined
          ? `a host with GPUs lists their UUIDs (nvidia-smi --query-gpu=uuid --format=csv,noheader), which its daemon.json advertises to Swarm; dockerd reads a number there as a count, not a GPU`
          : `lists ${gpuIds.length} GPUs, but gpus is ${gpus}`,
      );
    const lp = c.object<Record<string, unknown>>(`${path}.labels`, h.labels, Object.keys(h.labels ?? {})) ?? {};
    const labels: [string, string][] = [];
    for (const k of Object.keys(lp).sort()) {
      const v = lp[k];
      if (!LABEL_KEY.test(k)) c.fail(`${path}.labels.${k}`, `${show(k)} is not a node label key (lower-case letters, digits, . _ -)`);
      else if (k === hostLabel) c.fail(`${path}.labels.${k}`, "is the label deploy-stack.sh sets from the host's key; choose another");
      if (typeof v !== "string" || !LABEL_VALUE.test(v)) c.fail(`${path}.labels.${k}`, `must be a label value of letters, digits and . _ / : - (no spaces or commas), got ${show(v)}`);
      else labels.push([k, v]);
    }
    if (c.boolean(`${path}.deploymentFolder`, h.deploymentFolder, false)) folders.push(key);
    hosts.push({ key, node, gpus, gpuIds, labels });
  }
  if (!hosts.some((h) => h.key === coreHost))
    c.fail("swarm.coreHost", `${show(coreHost)} is not a declared host (hosts: ${hosts.map((h) => h.key).join(", ") || "none"})${sp.coreHost === undefined ? '; it defaults to "core"' : ""}`);
  folders.slice(1).forEach((k) => c.fail(`hosts.${k}.deploymentFolder`, `only one host holds the deployment folder, and hosts.${folders[0]} already does`));
  const folder = folders[0];
  if (folder !== undefined && folder !== coreHost)
    c.fail(
      "swarm.coreHost",
      `core services run on ${show(coreHost)} but the deployment folder is on ${show(folder)} (hosts.${folder}.deploymentFolder): they keep their data in the named volumes init fills there, so they must run on that host`,
    );
  return { stackName, coreHost, hosts, hostLabel };
}

/** What Swarm cannot do, and GPUs a host cannot supply, reported at the setting. */
export function checkSwarmPlacement(c: Checker, swarm: SwarmSettings, nginx: DeploymentSpec["nginx"], workers: readonly WorkerSpec[], containers: readonly CustomContainerSpec[]): void {
  if (nginx.exposePortsOnLocalhostOnly)
    c.fail("nginx.exposePortsOnLocalhostOnly", "Swarm cannot publish a port on one address only: set it to false and firewall the core host, or keep the Compose target");
  const reserved = new Map<string, { n: number; who: string[] }>();
  const reserve = (host: string, gpus: GpuSelection | undefined, who: string) => {
    if (gpus === undefined) return;
    const have = swarm.hosts.find((h) => h.key === host)?.gpus ?? 0;
    const r = reserved.get(host) ?? { n: 0, who: [] };
    r.n += gpus === "all" ? have : gpus.length;
    r.who.push(who);
    reserved.set(host, r);
  };
  for (const w of workers) if (w.host !== undefined) reserve(w.host, w.gpus, w.name);
  for (const k of containers) {
    k.ports.forEach((p, i) => {
      if (p.hostIp !== undefined && p.hostIp !== "") c.fail(`customContainers.${k.name}.ports.${i}.hostIp`, "Swarm cannot publish a port on one address only: remove hostIp");
    });
    if (k.gpus !== undefined) {
      checkHostGpus(c, swarm.hosts, swarm.coreHost, k.gpus, `customContainers.${k.name}.gpus`, false);
      reserve(swarm.coreHost, k.gpus, k.name);
    }
  }
  for (const h of swarm.hosts) {
    const r = reserved.get(h.key);
    if (r && h.gpus > 0 && r.n > h.gpus)
      c.fail(`hosts.${h.key}.gpus`, `its services reserve ${r.n} GPUs (${r.who.join(", ")}) but it has ${h.gpus}: Swarm would leave the rest pending`);
  }
}

/** Swarm names a service `<stack>_<name>` and takes only a DNS label of at most 63 characters (no dots). */
export function checkSwarmNames(c: Checker, swarm: SwarmSettings, serviceNames: ReadonlySet<string>, containers: readonly CustomContainerSpec[]): void {
  const dnsLabel = /^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$/;
  for (const k of containers) if (!dnsLabel.test(k.name)) c.fail(`customContainers.${k.name}`, `${show(k.name)} cannot name a Swarm service: use letters, digits, - and _ (no dots)`);
  const longest = [...serviceNames].reduce((a, b) => (b.length > a.length ? b : a), "");
  const full = `${swarm.stackName}_${longest}`;
  if (full.length > 63)
    c.fail("swarm.stackName", `Swarm would name a service ${show(full)} (${full.length} characters) and allows 63: set a shorter swarm.stackName (or name)`);
}
