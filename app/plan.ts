/**
 * The plan use case: what a generate of `files` would change in `outDir`,
 * and what that means for the running deployment. Reads the folder, writes
 * nothing; the CLI prints the result.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { OutFile } from "../files/out-file.js";
import type { Plan } from "../generators/plan.js";

export async function planOf(files: readonly OutFile[], outDir: string): Promise<Plan> {
  const write = await import("../writer/index.js");
  const { planChanges } = await import("../generators/plan.js");
  const drift = existsSync(outDir) ? await write.checkOut(files, outDir) : files.map((f) => ({ path: f.path, kind: "missing" as const }));
  // The writer's own bookkeeping is no change to the deployment.
  const ours = (p: string) => p !== write.MANIFEST && p !== write.JOURNAL;
  const changed = drift.filter((d) => d.kind !== "stale" && ours(d.path)).map((d) => d.path);
  const removed = drift.filter((d) => d.kind === "stale" && ours(d.path)).map((d) => d.path);
  const read = (p: string) => {
    const abs = join(outDir, p);
    return existsSync(abs) && statSync(abs).isFile() ? readFileSync(abs, "utf8") : undefined;
  };
  return planChanges(files, read, changed, removed);
}
