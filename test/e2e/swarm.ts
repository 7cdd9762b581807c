/**
 * The e2e "swarm" scenario: the generated Swarm target (swarm/docker-stack.yml,
 * swarm/deploy-stack.sh, swarm/hosts/<host>/daemon.json) on a real three-node
 * swarm. Each node is an engine host (engine-host.ts: Debian's current
 * docker.io in a container) on a bridge network of the host engine; the run's
 * docker CLI drives each engine through a socket in the run's temp folder.
 * The core node is the manager; init and deploy-stack.sh run on it, with its
 * own docker CLI, the deployment folder mounted at the same path in every node
 * so bind mounts resolve.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { Checker } from "./checks.js";
import { Deployment, HealthError } from "./deployment.js";
import type { Scenario } from "./scenarios.js";
import { SwarmLab } from "./swarm-lab.js";
import { log, sleep, tail } from "./util.js";

export interface SwarmNode {
  /** Key under `hosts` in the config. */
  readonly host: string;
  /** Node name (`hosts.<host>.node`), the container's hostname. */
  readonly node: string;
  readonly manager?: boolean;
}

/** What the scenario's config (configs/swarm.config.ts) declares: checked against what Swarm did, not read from the generated files. */
export interface SwarmExpectations {
  readonly nodes: readonly SwarmNode[];
  /** The GPU node and its GPU count. */
  readonly gpuHost: string;
  readonly gpus: number;
  /** Worker role → host; every other service runs on the manager's host. */
  readonly placement: Readonly<Record<string, string>>;
  /** GPU worker role → number of GPUs it reserves. */
  readonly gpuWorkers: Readonly<Record<string, number>>;
  /** A worker on another node than the core, whose container probes the core services. */
  readonly remoteWorker: string;
}

const GPU_KIND = "NVIDIA-GPU";

interface Task {
  readonly node: string;
  readonly state: string;
  readonly error: string;
}

/** A Deployment whose engine is the swarm's manager and whose "up" is deploy-stack.sh. */
export class SwarmDeployment extends Deployment {
  readonly lab: SwarmLab;
  readonly expect: SwarmExpectations;
  private deployed = false;

  constructor(scenario: Scenario & { swarm: SwarmExpectations }, runRoot: string, runId: string, projectRoot: string) {
    super(scenario, runRoot, runId, projectRoot);
    this.expect = scenario.swarm;
    this.lab = new SwarmLab(runId, scenario.swarm.nodes, join(this.root, "nodes"), [this.root], this.logFile);
    this.host = this.lab.engine(this.lab.manager); // init and deploy-stack.sh run on the manager
  }

  get stack(): string {
    return this.slug;
  }

  service(role: string): string {
    return `${this.stack}_${this.slug}-${role}`;
  }

  /** Roles (service keys without the slug) of the stack file. */
  roles(): string[] {
    const stack = parse(readFileSync(join(this.dir, "swarm", "docker-stack.yml"), "utf8")) as { services: Record<string, unknown> };
    return Object.keys(stack.services).map((s) => s.slice(this.slug.length + 1)).sort();
  }

  /** The GPU host's daemon.json as generated, with the runtime nvidia pointed at runc (no GPUs here). */
  gpuDaemonJson(): object {
    const generated = JSON.parse(readFileSync(join(this.dir, "swarm", "hosts", this.expect.gpuHost, "daemon.json"), "utf8")) as Record<string, unknown>;
    return { ...generated, runtimes: { nvidia: { path: "runc" } } };
  }

  /** The engines, the swarm and the images, then the generated init on the manager. */
  override async runInit(): Promise<void> {
    const s = this.setup;
    if (!s) throw new Error("swarm scenario: images not prepared");
    this.initialized = true; // from here on, the lab has to be torn down
    this.versions = await s.timings.time("swarm: engines + swarm init/join", () => this.lab.start(s.engineImage, new Map([[this.expect.gpuHost, this.gpuDaemonJson()]])));
    log(`swarm: ${this.lab.nodes.length} engine hosts: Docker ${this.versions.engine}; Compose ${this.versions.compose}`);
    await s.timings.time("swarm: image load", () => this.lab.loadImages(s.imagesTar, s.aliases), () => `into ${this.lab.nodes.length} engines`);
    const start = Date.now();
    await this.runInitScript();
    s.timings.add("swarm: init-deployment.sh on the manager", Date.now() - start);
  }

  /** swarm/deploy-stack.sh on the manager, with the e2e health timing unless realIntervals. */
  override async up(realIntervals: boolean, timeoutMs = 300_000): Promise<void> {
    if (!realIntervals) {
      // As the Compose overlay: only when the generated checks run changes (see README).
      const file = join(this.dir, "swarm", "docker-stack.yml");
      writeFileSync(file, readFileSync(file, "utf8").replace(/^(\s+interval:) 30s$/gm, "$1 2s"));
    }
    this.deployed = true;
    const r = await this.host.exec(["bash", join(this.dir, "swarm", "deploy-stack.sh"), "--timeout", String(Math.round(timeoutMs / 1000))], { cwd: this.dir, env: { COMPOSE_PROJECT_NAME: this.slug }, timeoutMs: timeoutMs + 120_000 });
    if (r.status !== 0) throw new HealthError(`swarm: deploy-stack.sh exited ${r.status}:\n${tail(r.stdout + r.stderr, 40)}\n${await this.diagnoseStack()}`);
  }

  /** The last log lines of every service not running its replica. */
  private async diagnoseStack(): Promise<string> {
    const ls = await this.lab.docker(this.lab.manager, ["service", "ls", "--filter", `label=com.docker.stack.namespace=${this.stack}`, "--format", "{{.Name}} {{.Replicas}}"]);
    const parts: string[] = [];
    for (const line of ls.stdout.split("\n").filter(Boolean)) {
      const [name = "", replicas = ""] = line.split(" ");
      if (/^1\/1/.test(replicas)) continue;
      const logs = await this.lab.docker(this.lab.manager, ["service", "logs", "--no-task-ids", "--tail", "15", name], 30_000);
      parts.push(`── ${name} ${replicas}\n${tail(logs.stdout + logs.stderr, 15).replace(/^/gm, "    ")}`);
    }
    return parts.join("\n");
  }

  /** Tasks of a service that should be running (desired state running). */
  async tasks(role: string): Promise<Task[]> {
    const r = await this.lab.mustDocker(this.lab.manager, ["service", "ps", "--no-trunc", "--filter", "desired-state=running", "--format", "{{.Node}}|{{.CurrentState}}|{{.Error}}", this.service(role)]);
    return r.stdout.split("\n").filter(Boolean).map((l) => {
      const [node = "", state = "", error = ""] = l.split("|");
      return { node, state, error };
    });
  }

  /** Every task of a service, any desired state, that is running now. */
  async runningOn(role: string): Promise<string[]> {
    const r = await this.lab.mustDocker(this.lab.manager, ["service", "ps", "--format", "{{.Node}}|{{.CurrentState}}", this.service(role)]);
    return r.stdout.split("\n").filter((l) => /\|Running/.test(l)).map((l) => l.split("|")[0]!);
  }

  nodeOf(host: string): SwarmNode {
    return this.lab.nodes.find((n) => n.host === host)!;
  }

  expectedHost(role: string): string {
    return this.expect.placement[role] ?? this.lab.manager.host;
  }

  /** The container of a role's running task, on its node, with its health and environment. */
  async taskContainer(role: string, node: SwarmNode): Promise<{ id: string; health: string; env: string[] }> {
    const id = (await this.lab.mustDocker(node, ["ps", "-q", "--filter", `label=com.docker.swarm.service.name=${this.service(role)}`])).stdout.trim().split("\n")[0] ?? "";
    if (!id) throw new Error(`no container of ${role} on ${node.node}`);
    const r = await this.lab.mustDocker(node, ["inspect", "--format", "{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}|{{json .Config.Env}}", id]);
    const [health = "", env = "[]"] = r.stdout.trim().split("|");
    return { id, health, env: JSON.parse(env) as string[] };
  }

  private tearingDown?: Promise<string[]>;

  /**
   * One teardown however often it is asked for (the run's end and SIGINT may
   * overlap): a later call waits for the first, so nothing removes the run's
   * folder while the nodes are still being taken down, and reports nothing.
   */
  override async teardown(keepFiles: boolean): Promise<string[]> {
    if (this.tearingDown) return this.tearingDown.then(() => []);
    this.tornDown = true;
    this.tearingDown = (async () => {
      const problems = await this.lab.teardown(this.deployed ? this.stack : undefined);
      if (!keepFiles) rmSync(this.root, { recursive: true, force: true });
      return problems;
    })();
    return this.tearingDown;
  }
}

function expect(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(msg);
}

/** Polls `probe` until it returns undefined (done) or the deadline; throws its last message. */
async function until(timeoutMs: number, probe: () => Promise<string | undefined>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const why = await probe();
    if (why === undefined) return;
    if (Date.now() > deadline) throw new Error(`after ${Math.round(timeoutMs / 1000)} s: ${why}`);
    await sleep(2000);
  }
}

/** GPU ids of a task container: Swarm's choice among the node's named GPUs. */
function gpuIds(env: readonly string[]): string[] {
  const v = env.find((e) => e.startsWith(`DOCKER_RESOURCE_${GPU_KIND}=`));
  return v ? v.slice(v.indexOf("=") + 1).split(",").filter(Boolean).sort() : [];
}

/** Placement, health, GPU ids, cross-node reachability, drain and un-drain. */
export async function checkSwarm(d: SwarmDeployment, c: Checker): Promise<void> {
  const roles = d.roles();
  const x = d.expect;
  const gpuRoles = Object.keys(x.gpuWorkers).sort();

  await c.check("every service converged: one task running on the node its host names, healthy", async () => {
    const wrong: string[] = [];
    for (const role of roles) {
      const tasks = await d.tasks(role);
      const want = d.nodeOf(d.expectedHost(role)).node;
      const running = tasks.filter((t) => t.state.startsWith("Running"));
      if (running.length !== 1 || running[0]!.node !== want) {
        wrong.push(`${role}: want 1 task running on ${want}, have ${tasks.map((t) => `${t.node || "(no node)"} ${t.state} ${t.error}`).join("; ") || "none"}`);
        continue;
      }
      const ctr = await d.taskContainer(role, d.nodeOf(d.expectedHost(role)));
      if (ctr.health !== "healthy" && ctr.health !== "none") wrong.push(`${role}: container health ${ctr.health}`);
    }
    expect(wrong.length === 0, wrong.join("\n"));
    log(`    ${roles.length} services: ${roles.map((r) => `${r}@${d.expectedHost(r)}`).join(" ")}`);
  });

  const checkGpuIds = async () => {
    const seen = new Map<string, string>();
    const problems: string[] = [];
    for (const role of gpuRoles) {
      // Wherever the task runs: a GPU worker Swarm put elsewhere shows it has no GPUs.
      const node = (await d.tasks(role)).find((t) => t.state.startsWith("Running"))?.node;
      const at = d.lab.nodes.find((n) => n.node === node);
      if (!at) {
        problems.push(`${role}: no running task`);
        continue;
      }
      const ids = gpuIds((await d.taskContainer(role, at)).env);
      if (ids.length !== x.gpuWorkers[role]) problems.push(`${role}: ${ids.length} GPUs (${ids.join(",") || "none"}), want ${x.gpuWorkers[role]}`);
      for (const id of ids) {
        if (!/^GPU-e2e-[0-9]+$/.test(id) || Number(id.slice(8)) >= x.gpus) problems.push(`${role}: ${id} is not a GPU of ${x.gpuHost}`);
        if (seen.has(id)) problems.push(`${role} and ${seen.get(id)} share ${id}`);
        seen.set(id, role);
      }
      log(`    ${role} on ${at.node}: DOCKER_RESOURCE_${GPU_KIND}=${ids.join(",")}`);
    }
    expect(problems.length === 0, problems.join("\n"));
  };
  await c.check(`GPU workers hold their own GPUs of ${x.gpuHost} (DOCKER_RESOURCE_${GPU_KIND})`, checkGpuIds);

  await c.check(`a worker on ${x.placement[x.remoteWorker]} reaches Redis, the REST API, MLflow and MinIO across the overlay`, async () => {
    const ctr = await d.taskContainer(x.remoteWorker, d.nodeOf(x.placement[x.remoteWorker]!));
    // Redis answers NOAUTH to a PING without the password: Redis itself, not just a port.
    const probe = [
      "import socket, sys, urllib.request",
      `slug = ${JSON.stringify(d.slug)}`,
      "s = socket.create_connection((slug + '-redis', 6379), 5); s.sendall(b'PING\\r\\n'); print('redis', s.recv(64).decode().strip())",
      "for name, url in [('restapi', f'http://{slug}-restapi:5000/health'), ('mlflow', f'http://{slug}-mlflow-tracking:5000/'), ('minio', f'http://{slug}-minio:9000/minio/health/live')]:",
      "    with urllib.request.urlopen(url, timeout=5) as r: print(name, r.status, r.read(200).decode(errors='replace').replace(chr(10), ' '))",
    ].join("\n");
    const r = await d.lab.mustDocker(d.nodeOf(x.placement[x.remoteWorker]!), ["exec", ctr.id, "python3", "-c", probe]);
    const out = r.stdout;
    log(out.trim().replace(/^/gm, "    "));
    expect(/^redis -NOAUTH/m.test(out), `Redis did not answer NOAUTH:\n${out}`);
    for (const [name, who] of [["restapi", "restapi"], ["mlflow", "mlflow-tracking"]] as const) {
      expect(new RegExp(`^${name} 200 .*${who}`, "m").test(out), `${name} did not answer as ${who}:\n${out}`);
    }
    expect(/^minio 200/m.test(out), `MinIO did not answer:\n${out}`);
    const logs = await d.lab.mustDocker(d.nodeOf(x.placement[x.remoteWorker]!), ["logs", ctr.id]);
    expect(/listening on queues/.test(logs.stdout + logs.stderr), `the worker stand-in did not start listening:\n${tail(logs.stdout + logs.stderr, 10)}`);
  });

  const gpuNode = d.nodeOf(x.gpuHost);
  const misplaced = async (): Promise<string[]> => {
    const out: string[] = [];
    for (const role of gpuRoles) for (const node of await d.runningOn(role)) if (node !== gpuNode.node) out.push(`${role} runs on ${node}`);
    return out;
  };
  await c.check(`draining ${gpuNode.node} leaves the GPU workers pending, on no other node`, async () => {
    await d.lab.mustDocker(d.lab.manager, ["node", "update", "--availability", "drain", gpuNode.node]);
    await until(120_000, async () => {
      const bad = await misplaced();
      if (bad.length) throw new Error(`GPU workers moved off the drained node: ${bad.join(", ")}`);
      const notPending: string[] = [];
      for (const role of gpuRoles) {
        const tasks = await d.tasks(role);
        if (!(tasks.length === 1 && tasks[0]!.node === "" && tasks[0]!.state.startsWith("Pending"))) notPending.push(`${role}: ${tasks.map((t) => `${t.node || "(no node)"} ${t.state}`).join("; ")}`);
      }
      return notPending.length ? `not pending: ${notPending.join(", ")}` : undefined;
    });
    await sleep(10_000); // and they stay so: the scheduler had time to misplace them
    const bad = await misplaced();
    expect(bad.length === 0, `GPU workers moved off the drained node: ${bad.join(", ")}`);
    const why = (await d.tasks(gpuRoles[0]!))[0]?.error ?? "";
    log(`    pending: ${why}`);
  });

  await c.check(`un-draining ${gpuNode.node} brings the GPU workers back there, healthy, with GPUs`, async () => {
    await d.lab.mustDocker(d.lab.manager, ["node", "update", "--availability", "active", gpuNode.node]);
    await until(240_000, async () => {
      // Swarm never moves a running task back: one elsewhere stays misplaced.
      const bad = await misplaced();
      if (bad.length) throw new Error(`GPU workers off ${gpuNode.node}: ${bad.join(", ")}`);
      const waiting: string[] = [];
      for (const role of gpuRoles) {
        const running = (await d.tasks(role)).filter((t) => t.state.startsWith("Running"));
        if (running.length !== 1 || running[0]!.node !== gpuNode.node) {
          waiting.push(`${role} not running on ${gpuNode.node}`);
          continue;
        }
        const ctr = await d.taskContainer(role, gpuNode);
        if (ctr.health !== "healthy") waiting.push(`${role} ${ctr.health}`);
      }
      return waiting.length ? waiting.join(", ") : undefined;
    });
    await checkGpuIds();
  });
}
