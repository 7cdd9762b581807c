/**
 * Checks across sections: GPUs shared between containers, host ports claimed twice.
 */
import { Checker } from "./checker.js";
import { gpuConflicts } from "../dsl/gpu-conflicts.js";
import { addressesOverlap, isCount, show } from "./checks.js";
import type { DeploymentProps } from "../dsl/props.js";
import type { CustomContainerSpec, DeploymentSpec, WorkerSpec } from "./spec.js";
import { hostPort, publishedEntryPoints } from "../model/entry-points.js";
import type { TargetHosts } from "../targets/target.js";

/**
 * A GPU given to two containers is an error unless `gpuSharing` says it is
 * meant (two jobs on one GPU share its memory and may run out of it), and
 * with `hostGpus` every index must exist. `"all"` overlaps every other user.
 */
/**
 * GPU indices name devices of one machine: under Swarm two workers on
 * different hosts may both use GPU 0, so users are compared per host
 * (custom containers run on the core host).
 */
export function checkGpus(c: Checker, p: DeploymentProps, workers: readonly WorkerSpec[], containers: readonly CustomContainerSpec[], hosts: TargetHosts | undefined): void {
  const sharing = c.boolean("gpuSharing", p.gpuSharing, false);
  let hostGpus: number | undefined;
  if (p.hostGpus !== undefined) {
    if (isCount(p.hostGpus) && p.hostGpus >= 1) hostGpus = p.hostGpus;
    else c.fail("hostGpus", `must be a whole number ≥ 1 (the GPUs on the host), got ${show(p.hostGpus)}`);
  }
  const poolOf = (w: WorkerSpec) => `workers.${w.kind.key}`;
  const users = [
    ...workers.flatMap((w) => {
      if (w.gpus === undefined) return [];
      const own = p.workers?.[w.kind.key];
      const mine: unknown = typeof own === "object" && own !== null ? own.workers?.[w.index] : undefined;
      const written = typeof mine === "object" && mine !== null && (mine as { gpus?: unknown }).gpus !== undefined;
      // A defaulted GPU (the template's rule) is reported at the pool, where the count is.
      return [{ name: w.name, gpus: w.gpus, path: written ? `${poolOf(w)}.workers.${w.index}.gpus` : poolOf(w), defaulted: !written, host: w.host }];
    }),
    ...containers.flatMap((k) => (k.gpus === undefined ? [] : [{ name: k.name, gpus: k.gpus, path: `customContainers.${k.name}.gpus`, defaulted: false, host: hosts?.coreHost }])),
  ];
  if (hostGpus !== undefined) {
    for (const u of users) {
      if (u.gpus === "all") continue;
      const out = u.gpus.filter((g) => g >= hostGpus!);
      if (out.length > 0)
        c.fail(u.path, `${u.defaulted ? `${u.name} gets GPU ${out.join(", ")} by the one-GPU-each rule` : `GPU ${out.join(", ")}`}, but hostGpus is ${hostGpus} (indices 0 to ${hostGpus - 1})`);
    }
  }
  if (sharing) return;
  for (const { user: u, other: v, shared } of gpuConflicts(users)) {
    c.fail(u.path, `${u.name} would share GPU ${shared === "all" ? "all" : shared.join(", ")} with ${v.name} (${v.path}); give each its own GPUs, or set gpuSharing: true if sharing is intended`);
  }
}

/** Two services cannot publish the same host port on overlapping addresses. */
export function checkHostPorts(c: Checker, nginx: DeploymentSpec["nginx"], containers: readonly CustomContainerSpec[]): void {
  const nginxIp = nginx.exposePortsOnLocalhostOnly ? "127.0.0.1" : "";
  const claims: { port: number; ip: string; proto: string; path: string }[] = publishedEntryPoints(nginx).map((e) => {
    const port = hostPort(e, nginx);
    return { port, ip: nginxIp, proto: "tcp", path: typeof e.host === "string" ? `nginx.${e.host}` : `nginx (fixed port ${port})` };
  });
  for (const k of containers) {
    k.ports.forEach((p, i) => claims.push({ port: p.host, ip: p.hostIp ?? nginxIp, proto: p.protocol ?? "tcp", path: `customContainers.${k.name}.ports.${i}.host` }));
  }
  claims.forEach((a, i) => {
    for (const b of claims.slice(0, i)) {
      if (a.port === b.port && a.proto === b.proto && addressesOverlap(a.ip, b.ip))
        c.fail(a.path.startsWith("nginx (") ? b.path : a.path, `host port ${a.port}/${a.proto} is already published by ${a.path.startsWith("nginx (") ? a.path : b.path}`);
    }
  });
}
