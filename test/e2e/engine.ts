/**
 * The machine's Docker engine, which holds the e2e images and the engine
 * hosts (engine-host.ts; the deployments run on those): the one that
 * answers, or a dockerd started here and stopped again by its process id.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { log, run, sleep } from "./util.js";

export interface Engine {
  /** True when this run started dockerd. */
  readonly started: boolean;
  readonly serverVersion: string;
  readonly runtimes: readonly string[];
  /** Stops dockerd if this run started it; no-op otherwise. */
  stop(): Promise<void>;
}

async function info(): Promise<{ version: string; runtimes: string[] } | undefined> {
  const r = await run("docker", ["info", "--format", "{{.ServerVersion}}|{{range $k, $v := .Runtimes}}{{$k}} {{end}}"], { timeoutMs: 20_000 });
  if (r.status !== 0) return undefined;
  const [version = "", runtimes = ""] = r.stdout.trim().split("|");
  return { version, runtimes: runtimes.trim().split(/\s+/).filter(Boolean) };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function ensureEngine(stateDir: string): Promise<Engine> {
  const found = await info();
  if (found) {
    log(`Docker engine ${found.version} answers (runtimes: ${found.runtimes.join(", ")}); using it`);
    return { started: false, serverVersion: found.version, runtimes: found.runtimes, stop: async () => {} };
  }
  const which = await run("sh", ["-c", "command -v dockerd"]);
  if (which.status !== 0) throw new Error("no Docker engine answers and dockerd is not installed (apt-get install docker.io)");

  mkdirSync(stateDir, { recursive: true });
  const config = join(stateDir, "daemon.json");
  const pidFile = join(stateDir, "dockerd.pid");
  const logFile = join(stateDir, "dockerd.log");
  writeFileSync(config, "{}\n");
  log(`no Docker engine answers: starting dockerd (config ${config}, log ${logFile})`);
  const out = openSync(logFile, "a");
  const child = spawn("dockerd", ["--config-file", config, "--pidfile", pidFile], { detached: true, stdio: ["ignore", out, out] });
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error("could not start dockerd");

  let ready: Awaited<ReturnType<typeof info>>;
  for (let i = 0; i < 120 && !ready; i++) {
    if (!alive(pid)) break;
    await sleep(500);
    ready = await info();
  }
  const stop = async () => {
    if (!alive(pid)) return;
    log(`stopping the dockerd this run started (pid ${pid})`);
    process.kill(pid, "SIGTERM");
    for (let i = 0; i < 60 && alive(pid); i++) await sleep(500);
    if (alive(pid)) {
      log(`dockerd (pid ${pid}) did not stop in 30 s; sending SIGKILL`);
      process.kill(pid, "SIGKILL");
    }
  };
  if (!ready) {
    await stop();
    const text = existsSync(logFile) ? readFileSync(logFile, "utf8").split("\n").slice(-30).join("\n") : "";
    throw new Error(`dockerd did not come up in 60 s:\n${text}`);
  }
  log(`dockerd ${ready.version} started (pid ${pid}; runtimes: ${ready.runtimes.join(", ")})`);
  return { started: true, serverVersion: ready.version, runtimes: ready.runtimes, stop };
}
