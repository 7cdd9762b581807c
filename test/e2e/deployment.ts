/**
 * One generated deployment of the e2e run, in its own temp folder: generate,
 * init (the generated init-deployment.sh --offline), up, wait until healthy,
 * tear down. Names are unique per run (the config's name carries the run id),
 * so every container, volume and network of it is this run's alone.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { ComposeFile } from "./images.js";
import { EngineHost, type EngineVersions } from "./engine-host.js";
import type { Scenario } from "./scenarios.js";
import { CommandError, Timings, log, must, sleep, tail, type RunResult } from "./util.js";

/** Fails unless the engine host runs Docker 26 or newer and Compose v2: what users run today. */
export async function requireCurrent(host: EngineHost): Promise<EngineVersions> {
  const v = await host.versions();
  if (!(Number(/^(\d+)\./.exec(v.engine)?.[1] ?? 0) >= 26) || !/^v?2\./.test(v.compose)) {
    throw new Error(`engine host ${host.hostname}: want Docker 26+ and Compose v2, have Docker ${v.engine || "?"}, Compose ${v.compose || "?"}`);
  }
  return v;
}

/** The extra CA certificate's file name in ssl/ca-certificates/. */
export const EXTRA_CA_FILE = "e2e-extra-ca.crt";

/** nginx.serverName of the e2e configs (the DSL's default). */
export const SERVER_NAME = "dioptra.example.org";

export interface ServiceState {
  readonly service: string;
  readonly id: string;
  readonly state: string;
  readonly health: string;
  readonly restarts: number;
}

export class HealthError extends Error {}

export class Deployment {
  readonly name: string;
  readonly slug: string;
  /** The scenario's temp folder: config, deployment, datasets, logs. */
  readonly root: string;
  /** The generated deployment (init runs here). */
  readonly dir: string;
  readonly datasets: string;
  readonly logFile: string;
  /** Marker file in the datasets folder and its content. */
  readonly datasetMarker = { file: "e2e-marker.txt", content: "" };
  /** The extra CA certificate put in ssl/ca-certificates/ (PEM). */
  extraCa = "";
  /** The self-signed certificate (tls scenario). */
  certificate?: { crt: string; key: string };
  initialized = false;
  tornDown = false;
  /** Service → container id of the running deployment, as last seen healthy. */
  private containers = new Map<string, string>();
  /** The machine the deployment runs on: a current Docker engine with Compose v2 (engine-host.ts). */
  host: EngineHost;
  /** Where the run reaches the ports the deployment publishes (the engine host's address, forwarded to its loopback). */
  address = "127.0.0.1";
  /** Set by run.ts once the images exist: the engine hosts' image, a `docker save` of every image the deployment names. */
  setup?: { engineImage: string; imagesTar: string; aliases: ReadonlyMap<string, string>; timings: Timings };
  /** What the engine host reported (logged, and checked to be current). */
  versions?: EngineVersions;

  constructor(
    readonly scenario: Scenario,
    runRoot: string,
    runId: string,
    private readonly projectRoot: string,
  ) {
    this.name = `e2e ${scenario.id} ${runId}`;
    this.slug = this.name.toLowerCase().replace(/[ _]/g, "-");
    this.root = join(runRoot, scenario.id);
    this.dir = join(this.root, "deployment");
    this.datasets = join(this.root, "datasets");
    this.logFile = join(this.root, "e2e.log");
    this.datasetMarker.content = `dioptra e2e dataset of ${this.slug}\n`;
    this.host = new EngineHost(`dioptra-e2e-${runId}-${scenario.id}`, `e2e-${scenario.id}`, join(this.root, "engine"), [this.root], this.logFile, `dioptra-e2e-${runId}`);
  }

  /** `docker` against the deployment's engine. */
  docker(args: readonly string[], timeoutMs = 120_000): Promise<RunResult> {
    return this.host.docker(args, timeoutMs);
  }

  /** `docker compose` on the engine host, in the deployment folder, as the user runs it there. */
  compose(args: readonly string[], timeoutMs = 5 * 60_000): Promise<RunResult> {
    return this.host.exec(["docker", "compose", ...args], { cwd: this.dir, env: { COMPOSE_PROJECT_NAME: this.slug }, timeoutMs });
  }

  /** Starts the engine host, loads the images, and checks it runs a current engine and Compose v2. */
  protected async startHost(): Promise<void> {
    const s = this.setup;
    if (!s) throw new Error(`${this.scenario.id}: images not prepared`);
    this.initialized = true; // from here on, the host has to be removed
    await s.timings.time(`${this.scenario.id}: engine host start + image load`, async () => {
      // The GPU workers' runtime: named nvidia, running runc (no GPUs here).
      await this.host.start(s.engineImage, { runtimes: { nvidia: { path: "runc" } } });
      await this.host.load(s.imagesTar, s.aliases);
    });
    this.versions = await requireCurrent(this.host);
    log(`${this.scenario.id}: engine host ${this.host.hostname}: Docker ${this.versions.engine}; Compose ${this.versions.compose}`);
  }

  /** Environment of every Compose call: the project is the slug, as init writes into .env. */
  get env(): NodeJS.ProcessEnv {
    return { ...process.env, COMPOSE_PROJECT_NAME: this.slug };
  }

  /** The major version in the db image's tag, as the generator reads it. */
  postgresMajor(): number {
    return Number(/:([0-9]+)/.exec(this.main.services[`${this.slug}-db`]?.image ?? "")?.[1] ?? 0);
  }

  get main(): ComposeFile {
    return parse(readFileSync(join(this.dir, "docker-compose.yml"), "utf8")) as ComposeFile;
  }

  get init(): ComposeFile {
    return parse(readFileSync(join(this.dir, "docker-compose.init.yml"), "utf8")) as ComposeFile;
  }

  /** Writes the config (tokens replaced), the datasets folder, and generates the deployment. */
  async generate(): Promise<void> {
    mkdirSync(this.root, { recursive: true });
    mkdirSync(this.datasets, { recursive: true });
    chmodSync(this.root, 0o755);
    chmodSync(this.datasets, 0o755);
    writeFileSync(join(this.datasets, this.datasetMarker.file), this.datasetMarker.content, { mode: 0o644 });
    const template = readFileSync(join(this.projectRoot, "test", "e2e", "configs", this.scenario.config), "utf8");
    const config = template.replaceAll("__E2E_NAME__", this.name).replaceAll("__E2E_DATASETS__", this.datasets);
    const configFile = join(this.root, "deployment.config.ts");
    writeFileSync(configFile, config);
    await must(process.execPath, [join(this.projectRoot, "bin", "dioptra-deploy.cjs"), "generate", "--config", configFile, "--out", this.dir], {
      logFile: this.logFile,
    });
    if (this.scenario.extraCa) await this.makeExtraCa();
    if (this.scenario.tls) this.certificate = await this.selfSigned("nginx", SERVER_NAME);
    if (this.scenario.postgresTls) await this.selfSigned("db", `${this.slug}-db`);
  }

  /** An extra CA certificate in ssl/ca-certificates/, which init adds to the services' CA bundles. */
  private async makeExtraCa(): Promise<void> {
    const dir = join(this.dir, "ssl", "ca-certificates");
    mkdirSync(dir, { recursive: true });
    const crt = join(dir, EXTRA_CA_FILE);
    await must("openssl", [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
      "-subj", `/CN=dioptra e2e extra CA ${this.slug}`, "-addext", "basicConstraints=critical,CA:TRUE",
      "-keyout", join(this.root, "extra-ca.key"), "-out", crt,
    ]);
    this.extraCa = readFileSync(crt, "utf8");
  }

  /** A self-signed certificate for `name` as ssl/<folder>/server.crt|key, where ssl/<folder>/README.md says to put it. */
  private async selfSigned(folder: "nginx" | "db", name: string): Promise<{ crt: string; key: string }> {
    const crt = join(this.dir, "ssl", folder, "server.crt");
    const key = join(this.dir, "ssl", folder, "server.key");
    mkdirSync(join(this.dir, "ssl", folder), { recursive: true });
    await must("openssl", [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
      "-subj", `/CN=${name}`, "-addext", `subjectAltName=DNS:${name},DNS:localhost,IP:127.0.0.1`,
      "-keyout", key, "-out", crt,
    ]);
    return { crt: readFileSync(crt, "utf8"), key: readFileSync(key, "utf8") };
  }

  /** Edits a generated file in place; throws unless `from` is there (a break mode must break something). */
  edit(file: string, from: string | RegExp, to: string): void {
    const path = join(this.dir, file);
    const text = readFileSync(path, "utf8");
    const next = text.replace(from, to);
    if (next === text) throw new Error(`break: ${from} not found in ${file}`);
    writeFileSync(path, next);
  }

  /** The generated init, offline (no git clone, no frontend build), on the engine host as its user would run it. */
  async runInit(): Promise<void> {
    await this.startHost();
    await this.runInitScript();
  }

  /** init-deployment.sh --offline (twice with `reinit`) on the engine host. */
  protected async runInitScript(): Promise<void> {
    const once = async (what: string) => {
      const r = await this.host.exec(["bash", join(this.dir, "init-deployment.sh"), "--offline"], { cwd: this.dir, env: { COMPOSE_PROJECT_NAME: this.slug }, timeoutMs: 8 * 60_000 });
      if (r.status !== 0) throw new CommandError(`${this.scenario.id}: init-deployment.sh --offline${what} exited ${r.status}:\n${tail(r.stdout + r.stderr, 60)}`);
      return r.stdout + r.stderr;
    };
    await once("");
    for (const f of [".env", "secrets/postgres-passwd.env", `secrets/${this.slug}-minio-accounts.env`]) {
      if (!existsSync(join(this.dir, f))) throw new Error(`${this.scenario.id}: init did not write ${f}`);
    }
    if (this.scenario.reinit) this.reinitOutput = await once(", run again,");
  }

  /** What the second init run printed (scenarios with `reinit`). */
  reinitOutput: string | undefined;

  /** Key=value pairs of a file init wrote (.env, secrets/*.env). */
  readEnvFile(file: string): Map<string, string> {
    const values = new Map<string, string>();
    for (const line of readFileSync(join(this.dir, file), "utf8").split("\n")) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
      if (m) values.set(m[1]!, m[2]!);
    }
    return values;
  }

  /** `docker-compose -f` arguments of the running deployment, with the e2e health timing overlay unless realIntervals. */
  composeFiles(realIntervals: boolean): string[] {
    const files = ["-f", "docker-compose.yml"];
    if (existsSync(join(this.dir, "docker-compose.override.yml"))) files.push("-f", "docker-compose.override.yml");
    if (!realIntervals) {
      // Docker 20.10 has no start_interval: the first check of a service runs one
      // `interval` (30 s) after its start. Checking every 2 s instead changes only
      // when the generated checks run, not what they test (test, retries, timeout
      // and start_period stay as generated).
      const overlay = { services: Object.fromEntries(Object.entries(this.main.services).filter(([, s]) => s.healthcheck).map(([n]) => [n, { healthcheck: { interval: "2s" } }])) };
      writeFileSync(join(this.root, "e2e-health-timing.yml"), JSON.stringify(overlay, null, 2) + "\n");
      files.push("-f", join(this.root, "e2e-health-timing.yml"));
    }
    return files;
  }

  async up(realIntervals: boolean): Promise<void> {
    await this.mustCompose([...this.composeFiles(realIntervals), "up", "-d"]);
    const ports = Object.values(this.main.services).flatMap((svc) => (svc.ports ?? []).map((p) => Number(/:(\d+):\d+(\/tcp)?$/.exec(String(p))?.[1] ?? NaN)));
    this.address = await this.host.forward(ports.filter((p) => p > 0));
  }

  private async mustCompose(args: readonly string[], timeoutMs = 5 * 60_000): Promise<void> {
    const r = await this.compose(args, timeoutMs);
    if (r.status !== 0) throw new CommandError(`\`docker compose ${args.join(" ")}\` on ${this.host.hostname} exited ${r.status}:\n${tail(r.stdout + r.stderr, 40)}`);
  }

  async states(): Promise<ServiceState[]> {
    const ids = (
      await this.mustDocker(["ps", "-aq", "--filter", `label=com.docker.compose.project=${this.slug}`, "--filter", "label=com.docker.compose.oneoff=False"])
    ).stdout
      .split("\n")
      .filter(Boolean);
    if (ids.length === 0) return [];
    const format = '{{index .Config.Labels "com.docker.compose.service"}}|{{.Id}}|{{.State.Status}}|{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}|{{.RestartCount}}';
    const r = await this.mustDocker(["inspect", "--format", format, ...ids]);
    return r.stdout
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [service = "", id = "", state = "", health = "", restarts = "0"] = line.split("|");
        return { service, id, state, health, restarts: Number(restarts) };
      });
  }

  /** The container of a service of the running deployment. */
  /** Replaces a service's container with a new one (its volumes stay), as an upgrade or a host reboot would. */
  async recreate(service: string): Promise<void> {
    await this.mustCompose([...this.composeFiles(false), "up", "-d", "--force-recreate", "--no-deps", service], 3 * 60_000);
    this.containers.delete(service);
  }

  async container(service: string): Promise<string> {
    const known = this.containers.get(service);
    if (known) return known;
    const s = (await this.states()).find((x) => x.service === service);
    if (!s) throw new Error(`no container for service ${service}`);
    return s.id;
  }

  /**
   * Waits until every service of docker-compose.yml is running and healthy.
   * Fails at once when one turns unhealthy or keeps restarting, and at the
   * deadline; either way with the health probes' output and the logs of every
   * service that is not healthy.
   */
  async waitHealthy(timeoutMs: number): Promise<ServiceState[]> {
    const expected = Object.keys(this.main.services).sort();
    const deadline = Date.now() + timeoutMs;
    let last = "";
    for (;;) {
      const states = await this.states();
      const byService = new Map(states.map((s) => [s.service, s]));
      const summary = expected.map((n) => `${n.slice(this.slug.length + 1)}=${byService.get(n)?.health ?? "missing"}`).join(" ");
      if (summary !== last) log(`${this.scenario.id}: ${summary}`);
      last = summary;
      if (expected.every((n) => byService.get(n)?.health === "healthy" && byService.get(n)?.state === "running")) {
        this.containers = new Map(states.map((s) => [s.service, s.id]));
        return states;
      }
      const broken = states.filter((s) => s.health === "unhealthy" || s.restarts >= 3);
      if (broken.length > 0 || Date.now() > deadline) {
        const why = broken.length > 0
          ? `unhealthy or restarting: ${broken.map((s) => `${s.service} (${s.health}, ${s.restarts} restarts)`).join(", ")}`
          : `not healthy after ${Math.round(timeoutMs / 1000)} s`;
        const bad = expected.filter((n) => byService.get(n)?.health !== "healthy");
        throw new HealthError(`${this.scenario.id}: ${why}\n${await this.diagnose(bad, byService)}`);
      }
      await sleep(2000);
    }
  }

  /** Health probe output and log tail of each named service. */
  async diagnose(services: readonly string[], byService: ReadonlyMap<string, ServiceState>): Promise<string> {
    const parts: string[] = [];
    for (const name of services) {
      const s = byService.get(name);
      if (!s) {
        parts.push(`── ${name}: no container`);
        continue;
      }
      const health = await this.docker(["inspect", "--format", "{{json .State.Health}}", s.id]);
      let probes = "";
      try {
        const h = JSON.parse(health.stdout) as { Log?: { ExitCode: number; Output: string }[] } | null;
        probes = (h?.Log ?? []).slice(-2).map((p) => `  probe exit ${p.ExitCode}: ${p.Output.trim()}`).join("\n");
      } catch {
        probes = health.stdout.trim();
      }
      const logs = await this.docker(["logs", "--tail", "40", s.id]);
      parts.push(`── ${name}: ${s.state}, health ${s.health}, ${s.restarts} restarts\n${probes}\n  logs:\n${tail(logs.stdout + logs.stderr, 40).replace(/^/gm, "    ")}`);
    }
    return parts.join("\n");
  }

  /**
   * Removes the deployment's containers, networks and volumes (`down -v` of
   * both Compose files), then anything left that carries the slug.
   */
  async teardown(keepFiles: boolean): Promise<string[]> {
    if (this.tornDown) return [];
    this.tornDown = true;
    const problems: string[] = [];
    if (this.initialized) {
      for (const file of ["docker-compose.yml", "docker-compose.init.yml"]) {
        if (!existsSync(join(this.dir, file))) continue;
        const r = await this.compose(["-f", file, "down", "-v", "--remove-orphans", "--timeout", "5"], 3 * 60_000);
        if (r.status !== 0) problems.push(`docker compose -f ${file} down -v exited ${r.status}: ${tail(r.stderr, 5)}`);
      }
      const left = (await this.docker(["ps", "-aq", "--filter", `label=com.docker.compose.project=${this.slug}`])).stdout.split("\n").filter(Boolean);
      if (left.length) {
        problems.push(`containers left after down: ${left.join(" ")}`);
        await this.docker(["rm", "-f", "-v", ...left]);
      }
      const volumes = (await this.docker(["volume", "ls", "-q", "--filter", `name=${this.slug}_`])).stdout.split("\n").filter((v) => v.startsWith(`${this.slug}_`));
      if (volumes.length) {
        problems.push(`volumes left after down -v: ${volumes.join(" ")}`);
        await this.docker(["volume", "rm", "-f", ...volumes]);
      }
      const networks = (await this.docker(["network", "ls", "--format", "{{.Name}}", "--filter", `name=${this.slug}_`])).stdout.split("\n").filter((n) => n.startsWith(`${this.slug}_`));
      if (networks.length) {
        problems.push(`networks left after down: ${networks.join(" ")}`);
        await this.docker(["network", "rm", ...networks]);
      }
    }
    problems.push(...(await this.host.remove()));
    if (!keepFiles) rmSync(this.root, { recursive: true, force: true });
    return problems;
  }

  async mustDocker(args: readonly string[], timeoutMs = 120_000): Promise<RunResult> {
    return this.host.mustDocker(args, timeoutMs);
  }

  /** Files of the generated deployment's config/minio policies, as MinIO policy names. */
  minioPolicyNames(): string[] {
    return readdirSync(join(this.dir, "config", "minio"))
      .filter((f) => f.endsWith("-policy.json"))
      .map((f) => f.slice(0, -"-policy.json".length))
      .sort();
  }

  copyLogTo(dest: string): void {
    if (existsSync(this.logFile)) copyFileSync(this.logFile, dest);
  }
}
