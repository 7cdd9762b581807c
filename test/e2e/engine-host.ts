/**
 * An engine host of the e2e run: a container of the host engine running
 * Debian's own dockerd, docker CLI and Compose v2 plugin (images/engine-host,
 * Images.ensureEngine), standing in for the machine a user deploys on. The
 * Compose scenarios run init and `docker compose` inside one; the Swarm
 * scenario's nodes are three. The run's `docker` client drives the inner
 * engine through a socket in the run's temp folder, and the folders the
 * deployment binds are mounted at the same path inside, so bind mounts resolve.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CommandError, must, run, sleep, tail, type RunOptions, type RunResult } from "./util.js";

/** Private ranges of the inner engines: bridges, Compose networks, and overlays. */
export const INNER = { bip: "10.231.0.1/24", pool: "10.232.0.0/16", swarmPool: "10.233.0.0/16" };
export const HOST_LABEL = "org.dioptra-deploy.e2e.engine-host";

export interface EngineVersions {
  readonly engine: string;
  readonly compose: string;
}

export class EngineHost {
  readonly socket: string;
  private started = false;

  constructor(
    /** Container (and volume) name on the host engine. */
    readonly container: string,
    /** The container's hostname: the Swarm node name. */
    readonly hostname: string,
    /** Folder for the socket and daemon.json. */
    private readonly stateDir: string,
    /** Host folders mounted at the same path inside (the deployment, the datasets). */
    private readonly shared: readonly string[],
    private readonly logFile: string,
    /** Label value that marks what this run created on the host engine. */
    private readonly runLabel: string,
  ) {
    this.socket = join(stateDir, "docker.sock");
  }

  get dockerHost(): string {
    return `unix://${this.socket}`;
  }

  /** `docker` against the inner engine. */
  docker(args: readonly string[], timeoutMs = 120_000): Promise<RunResult> {
    return run("docker", ["-H", this.dockerHost, ...args], { logFile: this.logFile, timeoutMs });
  }

  async mustDocker(args: readonly string[], timeoutMs = 120_000): Promise<RunResult> {
    const r = await this.docker(args, timeoutMs);
    if (r.status !== 0) throw new CommandError(`docker -H ${this.hostname} ${args.join(" ")} exited ${r.status}:\n${tail(r.stdout + r.stderr, 20)}`);
    return r;
  }

  /** A command on the engine host itself (its bash, its docker CLI and Compose), as a user on that machine runs it. */
  exec(args: readonly string[], options: { cwd?: string; env?: Readonly<Record<string, string>>; timeoutMs?: number; detach?: boolean } = {}): Promise<RunResult> {
    const env = Object.entries(options.env ?? {}).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
    const opts: RunOptions = { logFile: this.logFile, timeoutMs: options.timeoutMs ?? 300_000 };
    return run("docker", ["exec", ...(options.detach ? ["-d"] : []), ...(options.cwd ? ["-w", options.cwd] : []), ...env, this.container, ...args], opts);
  }

  /**
   * Starts the container and waits for its engine. Not --privileged: that asks
   * for every capability, and a host (this one) may lack one (CAP_SYS_RESOURCE).
   * Every capability the host has, no seccomp or AppArmor, all devices; the
   * engine's data root is a volume (overlay2 does not stack on the container's own).
   */
  async start(image: string, daemonJson: object, network?: string): Promise<void> {
    mkdirSync(this.stateDir, { recursive: true });
    const config = { bip: INNER.bip, "default-address-pools": [{ base: INNER.pool, size: 24 }], ...daemonJson };
    writeFileSync(join(this.stateDir, "daemon.json"), JSON.stringify(config, null, 2) + "\n");
    this.started = true;
    await must("docker", [
      "run", "-d", "--name", this.container, "--hostname", this.hostname, ...(network ? ["--network", network] : []),
      "--label", `${HOST_LABEL}=${this.runLabel}`,
      "--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE",
      "--security-opt", "seccomp=unconfined", "--security-opt", "apparmor=unconfined", "--security-opt", "systempaths=unconfined",
      "--device-cgroup-rule", "a *:* rwm", "--cgroupns", "private", "--tmpfs", "/run", "--tmpfs", "/tmp",
      "--mount", `type=volume,source=${this.container},target=/var/lib/docker,volume-label=${HOST_LABEL}=${this.runLabel}`,
      "-v", `${this.stateDir}:${this.stateDir}`,
      ...this.shared.flatMap((p) => ["-v", `${p}:${p}`]),
      image, "--config-file", join(this.stateDir, "daemon.json"), "-H", this.dockerHost, "-H", "unix:///run/docker.sock",
    ], { logFile: this.logFile });
    for (let i = 0; i < 120; i++) {
      if ((await this.docker(["info", "--format", "{{.ServerVersion}}"], 10_000)).status === 0) return;
      await sleep(500);
    }
    const logs = await run("docker", ["logs", "--tail", "30", this.container]);
    throw new Error(`the engine of ${this.hostname} did not answer in 60 s:\n${tail(logs.stdout + logs.stderr, 30)}`);
  }

  /** The container's address on `network` (default: the host engine's bridge). */
  async address(network = "bridge"): Promise<string> {
    const r = await must("docker", ["inspect", "--format", `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, this.container]);
    return r.stdout.trim();
  }

  /** The engine's version and the Compose plugin's, as the host's own CLI reports them. */
  async versions(): Promise<EngineVersions> {
    const engine = (await this.exec(["docker", "version", "--format", "{{.Server.Version}} (API {{.Server.APIVersion}}), client {{.Client.Version}}"])).stdout.trim();
    const compose = (await this.exec(["docker", "compose", "version", "--short"])).stdout.trim();
    return { engine, compose };
  }

  /**
   * Makes `ports`, which the deployment publishes on the engine host's
   * loopback (its default), reachable from the run at the container's
   * address: one socat per port, as an SSH tunnel would. Idempotent.
   */
  private forwarded = new Set<number>();
  async forward(ports: readonly number[]): Promise<string> {
    const ip = await this.address();
    for (const p of ports) {
      if (this.forwarded.has(p)) continue;
      const r = await this.exec(["socat", `TCP-LISTEN:${p},bind=${ip},fork,reuseaddr`, `TCP:127.0.0.1:${p}`], { detach: true });
      if (r.status !== 0) throw new CommandError(`socat for port ${p} on ${this.hostname}: ${r.stderr}`);
      this.forwarded.add(p);
    }
    return ip;
  }

  /** Loads a `docker save` tarball into the inner engine, then tags each image name of the deployment from its stand-in. */
  async load(tarball: string, aliases: ReadonlyMap<string, string>): Promise<void> {
    await this.mustDocker(["load", "-q", "-i", tarball], 10 * 60_000);
    for (const [ref, tag] of aliases) await this.mustDocker(["tag", tag, ref]);
  }

  /** Removes the container and its volume; returns what is left of them (each a failure). */
  async remove(): Promise<string[]> {
    if (!this.started) return [];
    this.started = false;
    await run("docker", ["rm", "-f", "-v", this.container], { logFile: this.logFile, timeoutMs: 120_000 });
    await run("docker", ["volume", "rm", "-f", this.container], { logFile: this.logFile });
    const problems: string[] = [];
    if ((await run("docker", ["container", "inspect", this.container])).status === 0) problems.push(`engine host container ${this.container} left on the host engine`);
    if ((await run("docker", ["volume", "inspect", this.container])).status === 0) problems.push(`engine host volume ${this.container} left on the host engine`);
    return problems;
  }
}
