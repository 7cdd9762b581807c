/**
 * The job round trip, what a deployment is for: through nginx, a user
 * registers, logs in and submits a job of each worker kind the deployment
 * has; the REST API enqueues it on the release's queue in Redis; a worker of
 * that queue takes it, logs in with the worker account (1.1), creates an
 * MLflow run, writes an artifact into MinIO with its own account, reads the
 * datasets folder and reports its GPUs; the job's status and outputs are read
 * back through nginx, and each output is checked at its source (the MLflow
 * run and the MinIO object, also through nginx). Every worker of a queue
 * must have run a job, so one broken worker among several cannot hide.
 * The stand-ins' side: images/common/jobs.py.
 */
import { createHash } from "node:crypto";
import type { Checker } from "./checks.js";
import { httpRetry, sleep, type HttpAnswer, type HttpOptions } from "./util.js";

export interface WorkerExpectation {
  /** Service role, e.g. tfgpu-01. */
  readonly role: string;
  /** The job kind its service is for (tensorflow-cpu, …): from the role, never from its command. */
  readonly kind: string;
  /** The hostname the worker reports (its container's). */
  readonly hostname: string;
  /** NVIDIA_VISIBLE_DEVICES it must see (Compose GPU workers); [] for CPU workers; undefined: not checked. */
  readonly gpus?: readonly string[];
  /** GPUs Swarm must have assigned it (DOCKER_RESOURCE_NVIDIA-GPU). */
  readonly swarmGpus?: number;
  /** Where it runs, for the log (the Swarm node). */
  readonly where?: string;
}

export interface JobTarget {
  readonly release: "1.0" | "1.1";
  /** nginx's web origin, its MLflow and MinIO ports, as the run reaches them. */
  readonly web: string;
  readonly mlflow: string;
  readonly minio: string;
  readonly http: HttpOptions;
  readonly workers: readonly WorkerExpectation[];
  /** The datasets marker file and its content. */
  readonly dataset: { readonly file: string; readonly content: string };
  /** The MinIO account the workers' artifacts must be written with (WORKER_AWS_ACCESS_KEY_ID). */
  readonly workerAccount: string;
  /** The last log lines of a worker, for a failure's message. */
  logs(role: string): Promise<string>;
}

/** Dioptra's queue name of a kind, per release (1.0 used underscores). */
export const queueOf = (release: string, kind: string) => (release === "1.0" ? kind.replace("-", "_") : kind);

/** tfcpu-01 → tensorflow-cpu, pytorchgpu-02 → pytorch-gpu; undefined for services that are not workers. */
export function workerKind(role: string): string | undefined {
  const m = /^(tf|pytorch)(cpu|gpu)-\d+$/.exec(role);
  return m ? `${m[1] === "tf" ? "tensorflow" : "pytorch"}-${m[2]}` : undefined;
}

function expect(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(msg);
}

function body(a: HttpAnswer): Record<string, unknown> {
  try {
    return JSON.parse(a.body) as Record<string, unknown>;
  } catch {
    throw new Error(`not JSON: ${a.status} ${a.body.slice(0, 200)}`);
  }
}

const call = httpRetry;

interface Job {
  id: string;
  status: string;
  outputs: Record<string, unknown>;
  error: string;
}

export async function checkJobs(t: JobTarget, c: Checker): Promise<void> {
  let cookie = "";
  await c.check("a user registers and logs in through nginx (REST API session)", async () => {
    const user = `e2e-user-${Date.now().toString(36)}`;
    const password = createHash("sha256").update(user).digest("hex").slice(0, 24);
    const reg = await call(`${t.web}/api/v1/users/`, { ...t.http, json: JSON.stringify({ username: user, email: `${user}@example.org`, password, confirmPassword: password }) });
    expect(reg.status === 201, `register: ${reg.status} ${reg.body.slice(0, 200)}`);
    const login = await call(`${t.web}/api/v1/auth/login`, { ...t.http, json: JSON.stringify({ username: user, password }) });
    const set = ([] as string[]).concat(login.headers["set-cookie"] ?? []);
    cookie = set.map((s) => s.split(";")[0]!).find((s) => s.startsWith("session=")) ?? "";
    expect(login.status === 200 && cookie, `login: ${login.status} ${login.body.slice(0, 200)} (cookie ${set.join(" ") || "none"})`);
  });
  const session: HttpOptions = { ...t.http, headers: { Cookie: cookie } };
  const markerSha = createHash("sha256").update(t.dataset.content).digest("hex");

  const kinds = [...new Set(t.workers.map((w) => w.kind))].sort();
  for (const kind of kinds) {
    const workers = t.workers.filter((w) => w.kind === kind);
    const queue = queueOf(t.release, kind);
    await c.check(`job round trip on ${kind} (queue ${queue}; ${workers.map((w) => w.role + (w.where ? `@${w.where}` : "")).join(", ")}): every worker runs a job, read back through nginx`, async () => {
      expect(cookie, "no user session");
      const pending = new Map(workers.map((w) => [w.hostname, w]));
      const ran: string[] = [];
      for (let round = 0; round < 3 && pending.size > 0; round++) {
        const ids: string[] = [];
        for (let i = 0; i < pending.size; i++) {
          const a = await call(`${t.web}/api/v1/jobs/`, { ...session, json: JSON.stringify({ kind }) });
          const j = body(a);
          expect(a.status === 201 && j.queue === queue, `submit: ${a.status} ${a.body.slice(0, 200)}`);
          ids.push(String(j.id));
        }
        for (const id of ids) {
          const job = await waitJob(t, session, id, round === 0 ? 60_000 : 30_000, workers);
          expect(job.status === "finished", `job ${id} ${job.status}: ${job.error}\n${await tails(t, workers)}`);
          const o = job.outputs;
          const w = pending.get(String(o.worker)) ?? workers.find((x) => x.hostname === o.worker);
          expect(w, `job ${id} was run by ${String(o.worker)}, not a ${kind} worker (${workers.map((x) => x.hostname).join(", ")})`);
          expect(o.queue === queue, `job ${id} came from queue ${String(o.queue)}, not ${queue}`);
          await checkOutputs(t, id, o, w, markerSha);
          pending.delete(w.hostname);
          ran.push(`${w.role}: job ${id}, run ${String(o.mlflow_run_id).slice(0, 8)}…, gpus [${(o.gpus as string[]).join(",")}]${o.swarm_gpus ? `, Swarm GPUs [${(o.swarm_gpus as string[]).join(",")}]` : ""}`);
        }
      }
      expect(pending.size === 0, `never took a job: ${[...pending.values()].map((w) => w.role).join(", ")} (ran: ${ran.join("; ")})\n${await tails(t, [...pending.values()])}`);
      console.log(`    ${ran.join("\n    ")}`);
    });
  }
}

async function waitJob(t: JobTarget, session: HttpOptions, id: string, timeoutMs: number, workers: readonly WorkerExpectation[]): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  let job: Job | undefined;
  while (Date.now() < deadline) {
    const a = await call(`${t.web}/api/v1/jobs/${id}`, session);
    expect(a.status === 200, `read job ${id}: ${a.status} ${a.body.slice(0, 200)}`);
    job = body(a) as unknown as Job;
    if (job.status === "finished" || job.status === "failed") return job;
    await sleep(1000);
  }
  throw new Error(`job ${id} still ${job?.status ?? "unknown"} after ${timeoutMs / 1000} s (no worker took it, or it could not report)\n${await tails(t, workers)}`);
}

/** Each output at its source: the MLflow run, the MinIO object, the datasets marker, the GPUs. */
async function checkOutputs(t: JobTarget, id: string, o: Record<string, unknown>, w: WorkerExpectation, markerSha: string): Promise<void> {
  const run = await call(`${t.mlflow}/api/2.0/mlflow/runs/get?run_id=${encodeURIComponent(String(o.mlflow_run_id))}`, t.http);
  const r = body(run).run as { info: { status: string }; data: { tags: { key: string; value: string }[] } } | undefined;
  expect(run.status === 200 && r?.info.status === "FINISHED" && r.data.tags.some((x) => x.key === "dioptra.job" && x.value === id), `job ${id}: MLflow run ${String(o.mlflow_run_id)}: ${run.status} ${run.body.slice(0, 200)}`);
  const obj = await call(`${t.minio}/_e2e/object?path=${encodeURIComponent(String(o.artifact))}`, t.http);
  const ob = obj.status === 200 ? body(obj) : {};
  expect(obj.status === 200 && ob.owner === t.workerAccount && String(ob.content).includes(id), `job ${id}: artifact ${String(o.artifact)} in MinIO: ${obj.status} ${obj.body.slice(0, 200)}`);
  const seen = (o.datasets ?? {}) as Record<string, string>;
  expect(seen[t.dataset.file] === markerSha, `job ${id} on ${w.role}: the datasets folder has ${JSON.stringify(seen)}, not the marker ${t.dataset.file}`);
  expect(o.datasets_writable === false, `job ${id} on ${w.role}: the job could write into the datasets folder`);
  const gpus = (o.gpus ?? []) as string[];
  if (w.gpus) expect(gpus.join(",") === w.gpus.join(","), `job ${id} on ${w.role}: sees GPUs [${gpus.join(",")}], want [${w.gpus.join(",")}]`);
  if (w.swarmGpus !== undefined) {
    const assigned = (o.swarm_gpus ?? []) as string[];
    expect(assigned.length === w.swarmGpus, `job ${id} on ${w.role}: Swarm assigned GPUs [${assigned.join(",")}], want ${w.swarmGpus}`);
  }
}

async function tails(t: JobTarget, workers: readonly WorkerExpectation[]): Promise<string> {
  const parts: string[] = [];
  for (const w of workers) parts.push(`── ${w.role} log:\n${(await t.logs(w.role).catch((e: unknown) => String(e))).replace(/^/gm, "    ")}`);
  return parts.join("\n");
}
