/**
 * Where the job round trip (job-roundtrip.ts) finds a running deployment:
 * nginx's ports as the run reaches them, the workers with what the scenario
 * declares about them (kind from the service's role, GPUs from the scenario
 * table, never from the generated command or environment), the datasets
 * marker and the workers' MinIO account from the `.env` init wrote.
 */
import { SERVER_NAME, type Deployment } from "./deployment.js";
import { workerKind, type JobTarget, type WorkerExpectation } from "./job-roundtrip.js";
import type { SwarmDeployment } from "./swarm.js";
import { tail } from "./util.js";

function base(d: Deployment, host: string): Pick<JobTarget, "web" | "mlflow" | "minio" | "http" | "release" | "dataset" | "workerAccount"> {
  const tls = d.scenario.tls;
  const scheme = tls ? "https" : "http";
  const webPort = tls ? (d.scenario.httpsPort ?? 443) : 80;
  return {
    release: d.scenario.release,
    web: `${scheme}://${host}:${webPort}`,
    mlflow: `${scheme}://${host}:35000`,
    minio: `${scheme}://${host}:39000`,
    http: tls ? { ca: d.certificate!.crt, servername: SERVER_NAME } : {},
    dataset: d.datasetMarker,
    workerAccount: d.readEnvFile(".env").get("WORKER_AWS_ACCESS_KEY_ID") ?? "",
  };
}

/** A Compose deployment on its engine host. */
export async function composeJobTarget(d: Deployment): Promise<JobTarget> {
  const workers: WorkerExpectation[] = [];
  for (const name of Object.keys(d.main.services).sort()) {
    const role = name.slice(d.slug.length + 1);
    const kind = workerKind(role);
    if (!kind) continue;
    const hostname = (await d.mustDocker(["inspect", "--format", "{{.Config.Hostname}}", await d.container(name)])).stdout.trim();
    const gpus = kind.endsWith("-gpu") ? d.scenario.gpus?.[role]?.split(",") : [];
    workers.push({ role, kind, hostname, ...(gpus ? { gpus } : {}) });
  }
  return {
    ...base(d, d.address),
    workers,
    logs: async (role) => {
      const r = await d.docker(["logs", "--tail", "12", await d.container(`${d.slug}-${role}`)]);
      return tail(r.stdout + r.stderr, 12);
    },
  };
}

/** The Swarm stack: nginx published on the core node, workers wherever the config places them. */
export async function swarmJobTarget(d: SwarmDeployment): Promise<JobTarget> {
  const workers: WorkerExpectation[] = [];
  for (const role of d.roles()) {
    const kind = workerKind(role);
    if (!kind) continue;
    // Where Swarm runs it (a broken placement puts it elsewhere), else where the config places it.
    const running = (await d.tasks(role)).find((t) => t.state.startsWith("Running"))?.node;
    const node = d.lab.nodes.find((n) => n.node === running) ?? d.nodeOf(d.expectedHost(role));
    const ctr = await d.taskContainer(role, node);
    const hostname = (await d.lab.mustDocker(node, ["inspect", "--format", "{{.Config.Hostname}}", ctr.id])).stdout.trim();
    const gpus = d.expect.gpuWorkers[role];
    workers.push({ role, kind, hostname, where: node.node, ...(gpus === undefined ? { gpus: [] } : { swarmGpus: gpus }) });
  }
  const core = await d.lab.engine(d.lab.manager).address(d.lab.network);
  return {
    ...base(d, core),
    workers,
    logs: async (role) => {
      const node = d.lab.nodes.find((n) => n.node === workers.find((w) => w.role === role)?.where) ?? d.nodeOf(d.expectedHost(role));
      const r = await d.lab.docker(node, ["logs", "--tail", "12", (await d.taskContainer(role, node)).id]);
      return tail(r.stdout + r.stderr, 12);
    },
  };
}
