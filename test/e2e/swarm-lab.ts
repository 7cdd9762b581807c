/**
 * The swarm of the e2e "swarm" scenario (swarm.ts): three engine hosts
 * (engine-host.ts) on one bridge network of the machine's engine, one swarm
 * among them, and a teardown that reports whatever it leaves behind.
 */
import { join } from "node:path";
import { requireCurrent } from "./deployment.js";
import { EngineHost, HOST_LABEL, INNER, type EngineVersions } from "./engine-host.js";
import type { SwarmNode } from "./swarm.js";
import { must, run, sleep, type RunResult } from "./util.js";

/** Three engines in containers, one swarm; everything named `<prefix>-…` and labelled with the run. */
export class SwarmLab {
  readonly prefix: string;
  readonly network: string;
  private started = false;
  /** The host engine's swarm state before the run: the run must leave it so. */
  private hostSwarm = "";
  private readonly engines = new Map<string, EngineHost>();

  constructor(
    runId: string,
    readonly nodes: readonly SwarmNode[],
    /** Folder for the nodes' sockets and daemon.json files. */
    stateDir: string,
    /** Host folders mounted at the same path in every node (the deployment, the datasets). */
    shared: readonly string[],
    private readonly logFile: string,
  ) {
    this.prefix = `dioptra-e2e-${runId}-swarm`;
    this.network = `${this.prefix}-net`;
    for (const n of nodes) this.engines.set(n.host, new EngineHost(`${this.prefix}-${n.host}`, n.node, join(stateDir, n.host), shared, logFile, this.prefix));
  }

  get manager(): SwarmNode {
    return this.nodes.find((n) => n.manager)!;
  }

  engine(n: SwarmNode): EngineHost {
    return this.engines.get(n.host)!;
  }

  dockerHost(n: SwarmNode): string {
    return this.engine(n).dockerHost;
  }

  /** `docker` against node `n`'s engine. */
  docker(n: SwarmNode, args: readonly string[], timeoutMs = 120_000): Promise<RunResult> {
    return this.engine(n).docker(args, timeoutMs);
  }

  async mustDocker(n: SwarmNode, args: readonly string[], timeoutMs = 120_000): Promise<RunResult> {
    return this.engine(n).mustDocker(args, timeoutMs);
  }

  /** Starts the engines (daemon.json per host), inits the swarm on the manager and joins the others. */
  async start(image: string, daemonJson: ReadonlyMap<string, object>): Promise<EngineVersions> {
    const routes = (await run("ip", ["-o", "route"])).stdout;
    for (const range of Object.values(INNER)) {
      if (routes.includes(range.split(".").slice(0, 2).join(".") + ".")) throw new Error(`swarm scenario: the host routes ${range.split(".").slice(0, 2).join(".")}.x, which the inner engines use`);
    }
    this.hostSwarm = (await run("docker", ["info", "--format", "{{.Swarm.LocalNodeState}}"])).stdout.trim();
    this.started = true;
    await must("docker", ["network", "create", "--label", `${HOST_LABEL}=${this.prefix}`, this.network], { logFile: this.logFile });
    await Promise.all(this.nodes.map((n) => this.engine(n).start(image, daemonJson.get(n.host) ?? {}, this.network)));
    const versions = await requireCurrent(this.engine(this.manager));
    const ip = await this.engine(this.manager).address(this.network);
    await this.mustDocker(this.manager, ["swarm", "init", "--advertise-addr", ip, "--default-addr-pool", INNER.swarmPool]);
    const token = (await this.mustDocker(this.manager, ["swarm", "join-token", "-q", "worker"])).stdout.trim();
    for (const n of this.nodes.filter((x) => !x.manager)) await this.mustDocker(n, ["swarm", "join", "--token", token, `${ip}:2377`]);
    return versions;
  }

  /**
   * Loads every image into every engine from one `docker save` (no registry):
   * the layers are shared, so one tarball costs little more than the workers'
   * alone, and a misplaced task (--break swarm-placement) starts wherever Swarm puts it.
   */
  async loadImages(tarball: string, aliases: ReadonlyMap<string, string>): Promise<void> {
    await Promise.all(this.nodes.map((n) => this.engine(n).load(tarball, aliases)));
  }

  /**
   * Removes the stack, leaves the swarm, removes the node containers, their
   * volumes and the network; returns what was left behind (each a failure).
   */
  async teardown(stack: string | undefined): Promise<string[]> {
    if (!this.started) return [];
    this.started = false;
    const problems: string[] = [];
    const up = [];
    for (const n of this.nodes) if ((await this.docker(n, ["info", "--format", "{{.Swarm.LocalNodeState}}"], 10_000)).status === 0) up.push(n);
    if (stack && up.includes(this.manager)) {
      await this.docker(this.manager, ["stack", "rm", stack]);
      let left = "";
      for (let i = 0; i < 60; i++) {
        left = (await Promise.all(up.map(async (n) => (await this.docker(n, ["ps", "-q"])).stdout.trim()))).join(" ").trim();
        if (!left) break;
        await sleep(1000);
      }
      if (left) problems.push(`containers still running 60 s after docker stack rm: ${left}`);
      const services = (await this.docker(this.manager, ["service", "ls", "-q"])).stdout.trim();
      if (services) problems.push(`services left after docker stack rm: ${services}`);
    }
    for (const n of up.filter((x) => !x.manager)) await this.docker(n, ["swarm", "leave"]);
    if (up.includes(this.manager)) await this.docker(this.manager, ["swarm", "leave", "--force"]);
    for (const n of up) {
      const state = (await this.docker(n, ["info", "--format", "{{.Swarm.LocalNodeState}}"], 10_000)).stdout.trim();
      if (state !== "inactive") problems.push(`${n.node} is still in a swarm (${state}) after swarm leave`);
    }
    for (const n of this.nodes) problems.push(...(await this.engine(n).remove()));
    await run("docker", ["network", "rm", this.network], { logFile: this.logFile });
    const filter = `label=${HOST_LABEL}=${this.prefix}`;
    const containers = (await run("docker", ["ps", "-aq", "--filter", filter])).stdout.trim();
    const volumes = (await run("docker", ["volume", "ls", "-q", "--filter", filter])).stdout.trim();
    const networks = (await run("docker", ["network", "ls", "-q", "--filter", filter])).stdout.trim();
    const host = (await run("docker", ["info", "--format", "{{.Swarm.LocalNodeState}}"])).stdout.trim();
    if (host !== this.hostSwarm) problems.push(`the host engine's swarm state changed from ${this.hostSwarm} to ${host}`);
    if (containers) problems.push(`node containers left on the host engine: ${containers}`);
    if (volumes) problems.push(`node volumes left on the host engine: ${volumes}`);
    if (networks) problems.push(`node network left on the host engine: ${networks}`);
    return problems;
  }
}

