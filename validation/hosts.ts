/**
 * Placement on the machines of a multi-host target: which hosts a config may
 * name, and whether a host has the GPUs asked of it. The hosts come from the
 * target that runs on several machines (targets/target.ts `hosts`).
 */
import type { GpuSelection } from "../dsl/props.js";
import { show } from "./checks.js";
import type { HostModel } from "../model/types.js";
import type { TargetHosts } from "../targets/target.js";
import type { Checker } from "./checker.js";

/** A worker's or pool's `host`: a declared host, and only with a multi-host target. */
export function resolveHostRef(c: Checker, path: string, value: unknown, hosts: TargetHosts | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!hosts) {
    c.fail(path, "only the Swarm target places workers on hosts: add swarm: {} and hosts: { … }");
    return undefined;
  }
  if (typeof value !== "string" || !hosts.hosts.some((h) => h.key === value)) {
    c.fail(path, `${show(value)} is not a declared host (hosts: ${hosts.hosts.map((h) => h.key).join(", ") || "none"})`);
    return undefined;
  }
  return value;
}

/** GPU indices exist on the host a service runs on. */
export function checkHostGpus(c: Checker, hosts: readonly HostModel[], host: string, gpus: GpuSelection, path: string, byRule: boolean): void {
  const have = hosts.find((h) => h.key === host)?.gpus;
  if (have === undefined) return;
  if (have === 0) {
    c.fail(path, `runs on host ${show(host)}, which declares no GPUs (hosts.${host}.gpus)`);
    return;
  }
  if (gpus === "all") return;
  gpus.forEach((g, i) => {
    if (g < have)
      return;
    if (byRule) c.fail(path, `the one-GPU-each rule gives a worker on host ${show(host)} GPU ${g}, but it has ${have} (0–${have - 1}): move workers to another host or raise hosts.${host}.gpus`);
    else c.fail(`${path}.${i}`, `GPU ${g} is past host ${show(host)}'s ${have} GPUs (0–${have - 1}, hosts.${host}.gpus)`);
  });
}

