/** Shared by the init-*.test.ts files: generating a deployment, running its scripts with a controlled PATH. */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { chmodSync, mkdirSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deployment } from "../../dsl/deployment.js";
import type { DeploymentProps } from "../../dsl/props.js";
import { synth, type OutFile } from "../../generators/index.js";
import { writeOut } from "../../writer/index.js";
import { FIXTURES, generateTo, synthConfig, tempDir } from "../helpers.js";

const generated = new Map<string, Promise<OutFile[]>>();

/** Everything a fixture generates, once per test run. */
export function filesOf(fixture: string): Promise<OutFile[]> {
  let files = generated.get(fixture);
  if (!files) generated.set(fixture, (files = synthConfig(join(FIXTURES, fixture, "deployment.config.ts"))));
  return files;
}

/** A fixture generated into a fresh folder (realpath, as init sees it). */
export async function freshFixtureOut(fixture: string): Promise<string> {
  return realpathSync(await generateTo(join(FIXTURES, fixture, "deployment.config.ts")));
}

const outs = new Map<string, Promise<string>>();

/** A fixture generated once per test run (shared by every test file), for tests that change nothing in the folder. */
export function fixtureOut(fixture: string): Promise<string> {
  let out = outs.get(fixture);
  if (!out) outs.set(fixture, (out = freshFixtureOut(fixture)));
  return out;
}

/** A deployment from props, generated into a fresh folder. */
export function propsOut(props: DeploymentProps, dir = tempDir()): string {
  writeOut(synth(deployment(props).toSpec()), dir);
  return realpathSync(dir);
}

export function propsFiles(props: DeploymentProps): OutFile[] {
  return synth(deployment(props).toSpec());
}

/** Finds a program on the test's own PATH. */
export function which(name: string): string {
  const r = spawnSync("bash", ["-c", `command -v -- "$1"`, "bash", name], { encoding: "utf8" });
  const path = r.stdout.trim();
  if (r.status !== 0 || path === "") throw new Error(`${name} is not on PATH`);
  return realpathSync(path);
}

/**
 * Programs from GNU coreutils that the init scripts may use on the host.
 * A PATH built by restrictedPath() holds bash plus only names from here.
 */
export const COREUTILS = new Set(["base64", "cat", "chmod", "dirname", "head", "ln", "mkdir", "mv", "rm", "tail", "tr"]);

/** A folder holding symlinks to exactly bash and the given coreutils, for use as the whole PATH. */
export function restrictedPath(coreutils: readonly string[]): string {
  const dir = tempDir("dd-path-");
  for (const tool of coreutils) {
    if (!COREUTILS.has(tool)) throw new Error(`${tool} is not in the coreutils list`);
    symlinkSync(which(tool), join(dir, tool));
  }
  symlinkSync(which("bash"), join(dir, "bash"));
  return dir;
}

/** A folder with executable stubs (name → bash body) to put first on PATH. */
export function stubPath(stubs: Record<string, string>): string {
  const dir = tempDir("dd-stub-");
  for (const [name, body] of Object.entries(stubs)) {
    const file = join(dir, name);
    writeFileSync(file, `#!/usr/bin/env bash\n${body}\n`);
    chmodSync(file, 0o755);
  }
  return dir;
}

/**
 * Runs `bash <dir>/<script> args…` with `path` as the whole PATH and no
 * terminal, from another folder (init must find its own).
 */
export function runScript(dir: string, script: string, args: readonly string[], path: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const cwd = tempDir("dd-cwd-");
  return spawnSync(which("bash"), [join(dir, script), ...args], {
    cwd,
    encoding: "utf8",
    env: { PATH: path, HOME: cwd, LC_ALL: "C", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

export function mkdirs(root: string, ...dirs: string[]): void {
  for (const d of dirs) mkdirSync(join(root, d), { recursive: true });
}
