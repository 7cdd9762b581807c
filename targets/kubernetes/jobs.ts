/**
 * The one-shot init steps as Jobs. Kubernetes starts them all at once, so
 * each waits for what it needs and they complete in order: the database
 * (once PostgreSQL answers; skipped when the role exists), MinIO's accounts
 * and buckets (init-minio.sh retries until MinIO answers), then the workers'
 * account (register-worker.sh waits for the REST API, which needs the
 * database). They run the same scripts init runs under Compose.
 */
import type { IJob } from "kubernetes-models/batch/v1/Job";
import type { IEnvVar } from "kubernetes-models/v1/EnvVar";
import type { IVolume } from "kubernetes-models/v1/Volume";
import type { IVolumeMount } from "kubernetes-models/v1/VolumeMount";
import type { DioptraService } from "../../dsl/props.js";
import { serviceName } from "../../dsl/services.js";
import type { Edge } from "./connections.js";
import { jobName, stepsOf, type JobStep } from "./job-names.js";
import { configMapNames, labels, POSTGRES_PASSWORD_KEY, secretNames } from "./names.js";
import type { Source } from "./source.js";

/** Where the scripts ConfigMap is mounted: where init's containers see ./scripts. */
const SCRIPTS = "/scripts";

interface JobRow {
  readonly image: (src: Source) => string;
  readonly user: readonly [number, number];
  readonly command: (src: Source) => string[];
  readonly env: (src: Source) => IEnvVar[];
  readonly volumes: (src: Source) => { volume: IVolume; mount: IVolumeMount }[];
  /** The services it connects to (every port they listen on that it uses). */
  readonly reaches: readonly (readonly [DioptraService, number])[];
}

const fromSecret = (src: Source, name: string, key = name): IEnvVar => ({ name, valueFrom: { secretKeyRef: { name: secretNames(src.slug).env, key } } });
const scripts = (src: Source) => ({ volume: { name: "scripts", configMap: { name: configMapNames(src.slug).scripts } }, mount: { name: "scripts", mountPath: SCRIPTS, readOnly: true } });
const tmp = { volume: { name: "tmp", emptyDir: {} }, mount: { name: "tmp", mountPath: "/tmp" } };

const JOBS: Readonly<Record<JobStep, JobRow>> = {
  database: {
    image: (src) => src.images.db,
    user: [999, 999],
    // init-db.sh creates the role and databases; a second run would fail on CREATE USER, so it runs once.
    command: () => [
      "/bin/bash",
      "-c",
      `until pg_isready --quiet; do echo "waiting for $PGHOST"; sleep 2; done
if [[ $(psql -XtAc "SELECT 1 FROM pg_roles WHERE rolname = 'dioptra'") == 1 ]]; then echo "the dioptra role exists: nothing to do"; exit 0; fi
exec bash ${SCRIPTS}/init-db.sh`,
    ],
    env: (src) => [
      { name: "PGHOST", value: serviceName(src.slug, "db") },
      { name: "POSTGRES_USER", value: src.postgres.adminUser },
      { name: "POSTGRES_DB", value: src.postgres.adminDatabase },
      { name: "PGUSER", value: src.postgres.adminUser },
      { name: "PGDATABASE", value: src.postgres.adminDatabase },
      { name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: secretNames(src.slug).postgres, key: POSTGRES_PASSWORD_KEY } } },
      fromSecret(src, "POSTGRES_USER_DIOPTRA_PASSWORD"),
    ],
    volumes: (src) => [scripts(src), tmp],
    reaches: [["db", 5432]],
  },
  minio: {
    image: (src) => src.images.mc,
    user: [1000, 1000],
    command: () => ["/bin/bash", `${SCRIPTS}/init-minio.sh`, "--accounts-file", "/secrets/minio-accounts.env", "--policy-dir", "/s3-policy"],
    // mc keeps its aliases under $HOME, which must be writable.
    env: () => [{ name: "HOME", value: "/tmp" }],
    volumes: (src) => [
      scripts(src),
      tmp,
      { volume: { name: "accounts", secret: { secretName: secretNames(src.slug).minioAccounts } }, mount: { name: "accounts", mountPath: "/secrets", readOnly: true } },
      { volume: { name: "policies", configMap: { name: configMapNames(src.slug).minioPolicies } }, mount: { name: "policies", mountPath: "/s3-policy", readOnly: true } },
    ],
    reaches: [["minio", 9000]],
  },
  "worker-account": {
    image: (src) => src.images.restapi,
    user: [39000, 100],
    command: () => ["/bin/bash", `${SCRIPTS}/register-worker.sh`],
    env: (src) => [fromSecret(src, "DIOPTRA_WORKER_USERNAME"), fromSecret(src, "DIOPTRA_WORKER_PASSWORD")],
    volumes: (src) => [scripts(src), tmp],
    reaches: [["restapi", 5000]],
  },
};

/** The steps this release runs. */
export const jobSteps = (src: Source): JobStep[] => stepsOf(src.workerAccount);

export function jobEdges(src: Source): Edge[] {
  return jobSteps(src).flatMap((j) => JOBS[j].reaches.map(([svc, port]) => ({ from: jobName(src.slug, j), to: serviceName(src.slug, svc), port })));
}

/** The key of the accounts file in its Secret, as the minio Job reads it. */
export const MINIO_ACCOUNTS_KEY = "minio-accounts.env";

export function job(src: Source, step: JobStep): IJob {
  const row = JOBS[step];
  const name = jobName(src.slug, step);
  const vols = row.volumes(src);
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, labels: labels(src.slug, name, "init") },
    spec: {
      backoffLimit: 10,
      template: {
        metadata: { labels: labels(src.slug, name, "init") },
        spec: {
          restartPolicy: "OnFailure",
          ...(src.settings.imagePullSecrets.length > 0 ? { imagePullSecrets: src.settings.imagePullSecrets.map((n) => ({ name: n })) } : {}),
          securityContext: { runAsNonRoot: true, runAsUser: row.user[0], runAsGroup: row.user[1], fsGroup: row.user[1], seccompProfile: { type: "RuntimeDefault" } },
          containers: [
            {
              name: "main",
              image: row.image(src),
              command: row.command(src),
              env: row.env(src),
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true },
              volumeMounts: vols.map((v) => v.mount),
            },
          ],
          volumes: vols.map((v) => v.volume),
        },
      },
    },
  };
}
