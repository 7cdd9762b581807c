/**
 * Type-checks a deployment config with the TypeScript compiler, so a typo
 * (`servername`) or a wrong type (`tensorflowGpu: "2"`) is reported as a
 * compiler diagnostic with file and line, as an editor would show it. esbuild,
 * which loads the config, only strips types. `dioptra-deploy` is mapped to
 * this package's own declarations, so this works for a config anywhere.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { Issue } from "../dsl/errors.js";
import { packagePath } from "../generators/package-path.js";

const DSL_TYPES = packagePath("dist", "dsl", "index.d.ts");

/** The compiler's command, or undefined when TypeScript is not installed. */
function tscCommand(): string | undefined {
  try {
    const pkg = createRequire(import.meta.url).resolve("typescript/package.json");
    return join(dirname(pkg), "bin", "tsc");
  } catch {
    return undefined;
  }
}

/** Diagnostics in `files` (the config and what it imports), or undefined when the check could not run. */
export function typecheckConfig(files: readonly string[]): Issue[] | undefined {
  const tsc = tscCommand();
  if (!tsc) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "dioptra-deploy-tsc-"));
  try {
    const tsconfig = {
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        skipLibCheck: true,
        types: [],
        allowImportingTsExtensions: true,
        paths: { "dioptra-deploy": [DSL_TYPES] },
      },
      files: files.filter((f) => /\.[cm]?tsx?$/.test(f)),
    };
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(tsconfig));
    const r = spawnSync(process.execPath, [tsc, "-p", join(dir, "tsconfig.json"), "--pretty", "false"], { cwd: dir, encoding: "utf8" });
    if (r.status === 0) return [];
    const wanted = new Set(files.map((f) => resolve(f)));
    const diagnostics = [...`${r.stdout}\n${r.stderr}`.matchAll(/^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/gm)];
    // No diagnostic at all: the compiler itself failed; the check could not run.
    if (diagnostics.length === 0) return undefined;
    // Diagnostics inside the DSL's declarations would be our bug, not the user's; our own type check catches those.
    return diagnostics
      .filter((m) => wanted.has(resolve(dir, m[1]!)))
      .map((m) => ({ path: m[4]!, message: m[5]!, location: `${resolve(dir, m[1]!)}:${m[2]}:${m[3]}` }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
