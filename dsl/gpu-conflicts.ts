/**
 * Which services would share a GPU: the check behind `gpuSharing`. Each
 * user is paired with the first earlier user on its host that it shares a
 * GPU with, found through an index of first claims per host, not by
 * comparing pairs (1000 GPU workers are half a million pairs).
 */
import type { GpuSelection } from "./props.js";

export interface GpuUser {
  readonly gpus: GpuSelection;
  /** The host under Swarm; undefined on one machine. */
  readonly host: string | undefined;
}

export interface GpuConflict<U extends GpuUser> {
  readonly user: U;
  /** The first user before it, on its host, with a GPU in common. */
  readonly other: U;
  /** The GPUs they share ("all" when both see every GPU). */
  readonly shared: GpuSelection;
}

/** The users, in order, that share a GPU with an earlier user on their host. */
export function gpuConflicts<U extends GpuUser>(users: readonly U[]): GpuConflict<U>[] {
  const firsts = new Map<string | undefined, { any?: number; all?: number; byGpu: Map<number, number> }>();
  const out: GpuConflict<U>[] = [];
  users.forEach((u, i) => {
    let host = firsts.get(u.host);
    if (host === undefined) firsts.set(u.host, (host = { byGpu: new Map() }));
    // "all" meets anyone holding a GPU; a list meets "all" and the holders of its GPUs; an empty list meets no one.
    const candidates = u.gpus === "all" ? [host.any] : u.gpus.length === 0 ? [] : [host.all, ...u.gpus.map((g) => host.byGpu.get(g))];
    const first = Math.min(...candidates.map((k) => k ?? Infinity));
    if (first !== Infinity) {
      const v = users[first]!;
      const shared = u.gpus === "all" ? v.gpus : v.gpus === "all" ? u.gpus : u.gpus.filter((g) => (v.gpus as readonly number[]).includes(g));
      out.push({ user: u, other: v, shared });
    }
    if (u.gpus === "all" || u.gpus.length > 0) host.any ??= i;
    if (u.gpus === "all") host.all ??= i;
    else for (const g of u.gpus) if (!host.byGpu.has(g)) host.byGpu.set(g, i);
  });
  return out;
}
