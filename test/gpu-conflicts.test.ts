/**
 * The indexed GPU-sharing check (dsl/gpu-conflicts.ts) against the rule it
 * implements, written as the pairwise loop it replaced: each user, against
 * every earlier user on its host in order, reported with the first one it
 * shares a GPU with.
 */
import * as fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { deployment } from "../dsl/deployment.js";
import { gpuConflicts, type GpuUser } from "../dsl/gpu-conflicts.js";
import type { GpuSelection } from "../dsl/props.js";

function pairwise<U extends GpuUser>(users: readonly U[]): { user: U; other: U; shared: GpuSelection }[] {
  const out: { user: U; other: U; shared: GpuSelection }[] = [];
  users.forEach((u, i) => {
    for (const v of users.slice(0, i)) {
      if (u.host !== v.host) continue;
      const shared = u.gpus === "all" || v.gpus === "all" ? (u.gpus === "all" ? v.gpus : u.gpus) : u.gpus.filter((g) => (v.gpus as readonly number[]).includes(g));
      if (shared.length === 0) continue;
      out.push({ user: u, other: v, shared });
      return;
    }
  });
  return out;
}

const user = fc.record({
  id: fc.nat(),
  host: fc.constantFrom(undefined, "a", "b"),
  gpus: fc.oneof(fc.constant("all" as const), fc.uniqueArray(fc.nat({ max: 5 }), { maxLength: 3 })),
});

test("gpuConflicts: the same pairs, shared GPUs and order as comparing every pair, on random users", () => {
  fc.assert(
    fc.property(fc.array(user, { maxLength: 12 }), (users) => {
      assert.equal(gpuConflicts(users), pairwise(users));
    }),
    { seed: 7, numRuns: 2000 },
  );
});

test("gpuConflicts: a broken index is caught (users met after a conflict still claim their GPUs)", () => {
  // The second holder of GPU 0 conflicts with the first; the third must be paired with the first, not the second.
  const users = [
    { id: 1, host: undefined, gpus: [0] },
    { id: 2, host: undefined, gpus: [0, 1] },
    { id: 3, host: undefined, gpus: [1, 0] },
  ];
  assert.equal(
    gpuConflicts(users).map((c) => [c.user.id, c.other.id, c.shared]),
    [
      [2, 1, [0]],
      [3, 1, [0]],
    ],
  );
  assert.equal(pairwise(users).map((c) => [c.user.id, c.other.id, c.shared]), [[2, 1, [0]], [3, 1, [0]]]);
});

test("1000 GPU workers numbered by the one-GPU-each rule share no GPU; two given one GPU do", () => {
  assert.equal(deployment({ workers: { tensorflowGpu: 500, pytorchGpu: 500 } }).resolve().issues, []);
  const shared = deployment({ workers: { tensorflowGpu: 500, pytorchGpu: { count: 500, workers: { 500: { gpus: [7] } } } } }).resolve().issues;
  assert.equal(shared.map((i) => i.path), ["workers.pytorchGpu.workers.500.gpus"]);
  assert.match(shared[0]!.message, "would share GPU 7 with dioptra-deployment-tfgpu-08");
});

test.run();
