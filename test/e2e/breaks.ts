/**
 * The break modes of the e2e run (`--break MODE`): each corrupts a generated
 * deployment the way a real mistake would, on the scenario it needs, and
 * names the assertion that must catch it. The run passes only when a failure
 * matching `caughtBy` is reported (test/e2e/README.md lists them; .ci/run runs
 * every one, read from `--list-breaks`; test/e2e/breaks.test.ts keeps the three in step).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import type { Deployment } from "./deployment.js";
import type { ScenarioId } from "./scenarios.js";

export interface BreakMode {
  readonly scenario: ScenarioId;
  /** What the corruption does (README's table). */
  readonly breaks: string;
  /** The assertion that catches it (README's table). */
  readonly caughtBy: string;
  /** A failure message that counts as caught: the assertion above, not any failure. */
  readonly match: RegExp;
  apply(d: Deployment): void;
}

/**
 * Every string double-quoted when a break writes YAML back: Docker's parser
 * reads YAML 1.1, where a plain `no` or `on` that YAML 1.2 leaves unquoted is a boolean.
 */
const writeYaml = (file: string, doc: unknown) => writeFileSync(file, stringify(doc, { defaultStringType: "QUOTE_DOUBLE", defaultKeyType: "PLAIN" }));

/** MLflow's nginx upstream lines of the generated nginx configuration. */
const mlflowConfs = ["config/nginx/http_mlflow.conf", "config/nginx/https_mlflow.conf"];

/** Edits one service of the temp copy of docker-compose.yml (parsed, not by text: a break must hit the service it names). */
function editService(d: Deployment, role: string, edit: (svc: Record<string, unknown>) => void): void {
  const file = join(d.dir, "docker-compose.yml");
  const compose = parse(readFileSync(file, "utf8")) as { services: Record<string, Record<string, unknown>> };
  const svc = compose.services[`${d.slug}-${role}`];
  if (!svc) throw new Error(`break: no service ${role} in docker-compose.yml`);
  edit(svc);
  writeYaml(file, compose);
}

/** Edits a service's environment, which must set `key` (a break must hit what it names). */
function editEnv(d: Deployment, role: string, key: string, edit: (env: Record<string, unknown>) => void): void {
  editService(d, role, (svc) => {
    const env = (svc.environment ?? {}) as Record<string, unknown>;
    if (!env[key]) throw new Error(`break: ${role} has no ${key}`);
    edit(env);
  });
}

export const BREAKS: Readonly<Record<string, BreakMode>> = {
  "nginx-upstream": {
    scenario: "default",
    breaks: "MLflow's nginx upstream points to the REST API (nginx stays healthy)",
    caughtBy: "`:35000/ answers from MLflow`",
    match: /:35000\/ answers from MLflow/,
    apply: (d) => {
      for (const f of mlflowConfs) d.edit(f, `server ${d.slug}-mlflow-tracking:5000;`, `server ${d.slug}-restapi:5000;`);
    },
  },
  "nginx-port": {
    scenario: "default",
    breaks: "MLflow's nginx upstream port is 5999",
    caughtBy: "nginx's healthcheck (502): unhealthy",
    match: /unhealthy or restarting: .*-nginx/,
    apply: (d) => {
      for (const f of mlflowConfs) d.edit(f, `server ${d.slug}-mlflow-tracking:5000;`, `server ${d.slug}-mlflow-tracking:5999;`);
    },
  },
  healthcheck: {
    scenario: "default",
    breaks: "the REST API's healthcheck probes `/no-such-path`",
    caughtBy: "the REST API turns unhealthy",
    match: /unhealthy or restarting: .*-restapi/,
    apply: (d) => d.edit("docker-compose.yml", '"http://localhost:5000/health"', '"http://localhost:5000/no-such-path"'),
  },
  "wait-for": {
    scenario: "default",
    breaks: "the REST API `--wait-for`s Redis on a port nothing listens on",
    caughtBy: "the REST API never starts: it (and nginx, waiting for it) turn unhealthy",
    match: /(unhealthy or restarting|not healthy after).*-restapi|-restapi.*(unhealthy|starting)/s,
    apply: (d) => d.edit("docker-compose.yml", `"${d.slug}-redis:6379"`, `"${d.slug}-redis:6390"`),
  },
  pgdata: {
    scenario: "tls",
    breaks: "no `PGDATA` on the Postgres 18 image (the template's layout): the data lives outside the volume",
    caughtBy:
      "the db never turns healthy (on Docker 26 its entrypoint, root with the generated capabilities, cannot create /var/lib/postgresql/18) or, where it starts, `Postgres ≥ 18: the server's data folder is the named volume's`",
    match: /Postgres ≥ 18|unhealthy or restarting: [^\n]*-db \(/,
    apply: (d) => d.edit("docker-compose.yml", /\n\s+PGDATA: [^\n]+/, ""),
  },
  "worker-account": {
    scenario: "default",
    breaks: "the workers log in with a password the REST API does not know (they stay up and healthy)",
    caughtBy: "the job round trip: the worker's login at the job is refused, the job never finishes",
    match: /job round trip/,
    apply: (d) => d.edit("docker-compose.yml", /DIOPTRA_WORKER_PASSWORD: "\$\{DIOPTRA_WORKER_PASSWORD\}"/g, 'DIOPTRA_WORKER_PASSWORD: "not-the-registered-password"'),
  },
  "worker-queue": {
    scenario: "default",
    breaks: "tfcpu-01's command listens on `tensorflow-cpu-renamed`; the REST API still enqueues on `tensorflow-cpu`",
    caughtBy: "the job round trip on tensorflow-cpu: no worker takes the job",
    match: /job round trip on tensorflow-cpu/,
    apply: (d) =>
      editService(d, "tfcpu-01", (svc) => {
        const cmd = svc.command as string[];
        const i = cmd.indexOf("tensorflow-cpu");
        if (i < 0) throw new Error("break: tfcpu-01's command has no tensorflow-cpu queue");
        cmd[i] = "tensorflow-cpu-renamed";
      }),
  },
  "worker-minio": {
    scenario: "default",
    breaks: "pytorchcpu-01 has no MinIO account (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` removed; it stays healthy)",
    caughtBy: "the job round trip on pytorch-cpu: writing the artifact is refused, the job fails",
    match: /job round trip on pytorch-cpu/,
    apply: (d) =>
      editEnv(d, "pytorchcpu-01", "AWS_ACCESS_KEY_ID", (env) => {
        delete env.AWS_ACCESS_KEY_ID;
        delete env.AWS_SECRET_ACCESS_KEY;
      }),
  },
  "gpu-devices": {
    scenario: "gpu",
    breaks: "tfgpu-02's `NVIDIA_VISIBLE_DEVICES` is emptied (the runtime then exposes no GPU; the worker stays healthy)",
    caughtBy: "the job round trip on tensorflow-gpu: the job run by tfgpu-02 reports no GPU",
    match: /job round trip on tensorflow-gpu/,
    apply: (d) => editEnv(d, "tfgpu-02", "NVIDIA_VISIBLE_DEVICES", (env) => (env.NVIDIA_VISIBLE_DEVICES = "")),
  },
  "swarm-placement": {
    scenario: "swarm",
    breaks: "the GPU workers of the stack lose their placement constraints and GPU reservations",
    caughtBy: "the GPU-id and drain assertions (GPU workers without GPUs, placed on CPU nodes once `e2e-gpu1` is drained)",
    match: /GPU workers|GPUs|converged/,
    apply: (d) => {
      const file = join(d.dir, "swarm", "docker-stack.yml");
      const stack = parse(readFileSync(file, "utf8")) as { services: Record<string, { deploy: { placement?: unknown; resources?: unknown } }> };
      const gpu = Object.values(stack.services).filter((s) => s.deploy.resources);
      if (gpu.length === 0) throw new Error("break: no GPU reservation in swarm/docker-stack.yml");
      for (const s of gpu) {
        delete s.deploy.placement;
        delete s.deploy.resources;
      }
      writeYaml(file, stack);
    },
  },
};
