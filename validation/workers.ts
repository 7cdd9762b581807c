/**
 * The worker pools, expanded to one worker each, with their GPUs, mounts and hosts.
 */
import { Checker } from "./checker.js";
import { DATASETS_TARGET } from "../model/builtin-volumes.js";
import { isCount, show } from "./checks.js";
import type { GpuSelection } from "../dsl/props.js";
import { workerName } from "../model/services.js";
import type { WorkerSpec } from "./spec.js";
import type { TargetHosts } from "../targets/target.js";
import { checkHostGpus, resolveHostRef } from "./hosts.js";
import { SETTINGS } from "./settings.js";
import { WORKER_KINDS } from "../dsl/worker-kinds.js";
import { DEFAULTS } from "./core.js";
import { resolveMounts, checkMountTargets } from "./volumes.js";

export function resolveGpus(c: Checker, path: string, value: unknown): GpuSelection | undefined {
  if (value === undefined) return undefined;
  if (value === "all") return "all";
  if (!Array.isArray(value) || value.length === 0) {
    c.fail(path, `must be "all" or a non-empty list of GPU indices, got ${show(value)}`);
    return undefined;
  }
  value.forEach((g, i) => {
    if (!isCount(g)) c.fail(`${path}.${i}`, `GPU indices are whole numbers ≥ 0, got ${show(g)}`);
  });
  if (new Set(value).size !== value.length) c.fail(path, `lists a GPU twice: ${show(value)}`);
  return value as number[];
}

export function resolveWorkers(c: Checker, value: unknown, slug: string, volumeNames: ReadonlySet<string>, hasDatasets: boolean, hosts: TargetHosts | undefined): WorkerSpec[] {
  const wp = c.object<Record<string, unknown>>("workers", value, WORKER_KINDS.map((k) => k.key)) ?? {};
  const workers: WorkerSpec[] = [];
  // Per host: each machine numbers its own GPUs from 0 (one counter without swarm).
  const nextGpu = new Map<string, number>();
  for (const kind of WORKER_KINDS) {
    const path = `workers.${kind.key}`;
    const raw = wp[kind.key] ?? DEFAULTS.workers[kind.key];
    const pool = typeof raw === "number" ? { count: raw } : c.object<{ count?: unknown; mounts?: unknown; host?: unknown; workers?: unknown }>(path, raw, SETTINGS["workers.*"]) ?? { count: 0 };
    const countPath = typeof raw === "number" ? path : `${path}.count`;
    let count = 0;
    if (!isCount(pool.count)) c.fail(countPath, `must be a whole number ≥ 0, got ${show(pool.count)}`);
    else count = pool.count;
    const poolMounts = resolveMounts(c, `${path}.mounts`, pool.mounts, volumeNames);
    const poolHost = resolveHostRef(c, `${path}.host`, pool.host, hosts);
    const perWorker = c.object<Record<string, { mounts?: unknown; gpus?: unknown; host?: unknown }>>(`${path}.workers`, pool.workers, Object.keys(pool.workers ?? {})) ?? {};
    for (const key of Object.keys(perWorker)) {
      const n = Number(key);
      if (!Number.isInteger(n) || n < 1 || n > count) c.fail(`${path}.workers.${key}`, `is not a worker of this pool: worker numbers run from 1 to count (${count})`);
      c.keys(`${path}.workers.${key}`, perWorker[key] ?? {}, kind.gpu ? SETTINGS["workers.*.workers.*"] : SETTINGS["workers.*.workers.*"].filter((k) => k !== "gpus"));
    }
    const reserved = hasDatasets ? [DATASETS_TARGET, "/usr/local/share/ca-certificates", "/etc/ssl"] : ["/usr/local/share/ca-certificates", "/etc/ssl"];
    // The pool's mounts are checked once, where they are written; a worker's own mounts against those.
    checkMountTargets(c, `${path}.mounts`, poolMounts, reserved);
    const poolTargets = [...reserved, ...poolMounts.map((m) => m.target)];
    for (let index = 1; index <= count; index++) {
      const own = perWorker[String(index)];
      const wpath = `${path}.workers.${index}`;
      // A worker with no settings of its own shares the pool's list: the model and the Compose target then meet it once.
      let mounts = poolMounts;
      if (own?.mounts !== undefined) {
        const ownMounts = resolveMounts(c, `${wpath}.mounts`, own.mounts, volumeNames);
        checkMountTargets(c, `${wpath}.mounts`, ownMounts, poolTargets);
        mounts = [...poolMounts, ...ownMounts];
      }
      const ownHost = own?.host === undefined ? undefined : resolveHostRef(c, `${wpath}.host`, own.host, hosts);
      const host = hosts ? (ownHost ?? poolHost ?? hosts.coreHost) : undefined;
      // The template's rule: one GPU per worker, numbered across the GPU pools in table order (per host under swarm).
      const next = nextGpu.get(host ?? "") ?? 0;
      const explicit = kind.gpu && own?.gpus !== undefined ? resolveGpus(c, `${wpath}.gpus`, own.gpus) : undefined;
      const gpus = kind.gpu ? (explicit ?? [next]) : undefined;
      if (kind.gpu) nextGpu.set(host ?? "", next + 1);
      if (hosts && host !== undefined && gpus !== undefined) {
        const hostPath = ownHost !== undefined ? `${wpath}.host` : poolHost !== undefined ? `${path}.host` : hosts.coreHostPath;
        checkHostGpus(c, hosts.hosts, host, gpus, explicit !== undefined ? `${wpath}.gpus` : hostPath, explicit === undefined);
      }
      workers.push({ kind, index, name: workerName(slug, kind.short, index), gpus, mounts, host });
    }
  }
  return workers;
}
