/**
 * The Pod Security level a workload's pod meets, for the namespace label and
 * the README's list of exceptions: hostPath volumes (bind mounts) fall
 * outside "baseline"; a pod without a fixed non-root user (a custom
 * container keeps its image's) outside "restricted".
 */
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";

export type PodSecurityLevel = "restricted" | "baseline" | "privileged";

export function podLevel(pod: IPodSpec): { level: PodSecurityLevel; why?: string } {
  if ((pod.volumes ?? []).some((v) => v.hostPath !== undefined)) return { level: "privileged", why: "mounts host folders (hostPath): datasetsDirectory or a bindMount" };
  const c = pod.containers[0]!;
  if (pod.securityContext?.runAsNonRoot !== true) return { level: "baseline", why: "runs as its image's user, which may be root (a custom container)" };
  const added = c.securityContext?.capabilities?.add ?? [];
  if (added.some((a) => a !== "NET_BIND_SERVICE")) return { level: "baseline", why: `adds capabilities ${added.join(", ")}` };
  return { level: "restricted" };
}

const ORDER: readonly PodSecurityLevel[] = ["restricted", "baseline", "privileged"];

export function podSecurityLevel(workloads: readonly { spec?: { template: { spec?: IPodSpec } } }[]): PodSecurityLevel {
  return workloads.reduce<PodSecurityLevel>((lvl, w) => {
    const l = podLevel(w.spec!.template.spec!).level;
    return ORDER.indexOf(l) > ORDER.indexOf(lvl) ? l : lvl;
  }, "restricted");
}
