/**
 * The `generate` command a message tells the user to run: with the same
 * --config and --out as the run that printed it (quoted for the shell), and
 * with the flag the situation needs, so it works as printed.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { shellWord } from "../app/shell-word.js";
import { MANIFEST, type Drift } from "../writer/index.js";

/** The flags that name the config and the output folder, as the user gave them. */
export interface Target {
  readonly config: string;
  readonly out?: string | undefined;
}

/** `npx dioptra-deploy generate [--config …] [--out …] [extra]`. */
export function generateCommand(target: Target, extra = ""): string {
  const config = target.config === "deployment.config.ts" ? "" : ` --config ${shellWord(target.config)}`;
  const out = target.out === undefined ? "" : ` --out ${shellWord(target.out)}`;
  return `npx dioptra-deploy generate${config}${out}${extra === "" ? "" : ` ${extra}`}`;
}

/**
 * What to run after `--check` found drift: plain generate when only the
 * config changed; `--force` when a generated file was edited by hand (plain
 * generate would refuse it), `--adopt` when a file is in the way that
 * dioptra-deploy did not generate.
 */
export function fixCommand(target: Target, drift: readonly Drift[], outDir: string, manifest: ReadonlyMap<string, string>): string {
  const flags = new Set<string>();
  for (const d of drift) {
    if (d.kind !== "changed" || d.path === MANIFEST) continue;
    let hash: string;
    try {
      hash = createHash("sha256").update(readFileSync(join(outDir, d.path))).digest("hex");
    } catch {
      continue;
    }
    const listed = manifest.get(d.path);
    if (listed === undefined) flags.add("--adopt");
    else if (listed !== hash) flags.add("--force");
  }
  const extra = [...flags].sort().join(" ");
  const why = flags.has("--force") ? " (a file was edited by hand: --force keeps a backup of it, then replaces it)" : flags.has("--adopt") ? " (a file is in the way that dioptra-deploy did not generate: --adopt keeps a backup, then takes it over)" : "";
  return `\`${generateCommand(target, extra)}\`${why}`;
}
