/** Shared test helpers: paths, real-tool gating, running the generator and the CLI. */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { synth, type OutFile } from "../generators/index.js";
import { writeOut } from "../generators/write.js";
import { loadConfig } from "../scripts/load-config.js";

/** The project root (tests run from dist/test). */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const FIXTURES = join(ROOT, "test", "fixtures");
export const CLI = join(ROOT, "bin", "dioptra-deploy.js");
export const IN_CI = process.env.CI === "true";

const toolCache = new Map<string, boolean>();

/**
 * True when `name` can run. Locally a missing tool prints why the check is
 * skipped; under CI=true it fails the test, so CI never passes by skipping.
 */
export function haveTool(name: string, args: readonly string[] = ["--version"]): boolean {
  let ok = toolCache.get(name);
  if (ok === undefined) {
    const r = spawnSync(name, args, { stdio: "ignore" });
    ok = r.error === undefined;
    toolCache.set(name, ok);
    if (!ok && !IN_CI) console.log(`  (skipping checks that need ${name}: not installed)`);
  }
  if (!ok && IN_CI) throw new Error(`${name} is required under CI but is not installed`);
  return ok;
}

export function fixtureNames(): string[] {
  return readdirSync(FIXTURES).filter((n) => statSync(join(FIXTURES, n)).isDirectory()).sort();
}

export function tempDir(prefix = "dd-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Loads, validates and synthesizes a config file in-process. */
export async function synthConfig(configPath: string): Promise<OutFile[]> {
  const d = await loadConfig(configPath);
  return synth(d.toSpec());
}

/** Generates a config into a fresh temporary folder and returns it. */
export async function generateTo(configPath: string, dir = tempDir()): Promise<string> {
  writeOut(await synthConfig(configPath), dir);
  return dir;
}

/** Runs the CLI as a child process. */
export function runCli(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, encoding: "utf8" });
}

/** Every file under `dir`, relative, sorted. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, n.name);
      if (n.isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * `docker-compose config` of some Compose files in `dir`: Compose's own
 * normalization (env files inlined, durations and ports canonical), with the
 * folder path replaced so two folders can be compared.
 */
export function composeConfig(dir: string, files: readonly string[]): string {
  const args = [...files.flatMap((f) => ["-f", f]), "config", "--no-interpolate"];
  const r = spawnSync("docker-compose", args, { cwd: dir, encoding: "utf8", env: { ...process.env, COMPOSE_PROJECT_NAME: "parity" } });
  if (r.status !== 0) throw new Error(`docker-compose ${args.join(" ")} failed in ${dir}:\n${r.stderr}`);
  return r.stdout.replaceAll(dir.replace(/\/$/, ""), "<DIR>");
}

/** A parsed Compose document with keys sorted, so assertion diffs line up. */
export function normalizeCompose(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalizeCompose);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, normalizeCompose((value as Record<string, unknown>)[k])]),
  );
}
