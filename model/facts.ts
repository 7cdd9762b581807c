/**
 * The facts about a deployment that decide whether a change keeps its data:
 * its release and identity, PostgreSQL's major, which named volumes hold
 * state, the hosts `.env` URIs name, MinIO's key and accounts. Generate
 * records them in out/ (generators/state-record.ts), so the next generate
 * can tell what a change does to a running deployment (app/changes.ts).
 */
import { serviceName } from "../dsl/services.js";
import type { DeploymentModel } from "./types.js";

/** Built-in volumes whose contents nothing can rebuild, and what each holds. */
export const STATE_VOLUMES: Readonly<Record<string, string>> = {
  "postgres-data": "Dioptra's and MLflow's databases",
  "minio-data": "MLflow's artifacts and MinIO's users and policies",
  "redis-data": "queued jobs (Redis's append-only file)",
  "dbadmin-data": "pgAdmin's saved servers and settings",
};

export interface VolumeFact {
  readonly key: string;
  /** The engine-wide name. */
  readonly name: string;
  /** `data`: nothing rebuilds it; `rebuildable`: init fills it again; `outside`: its driver keeps the data elsewhere (NFS). */
  readonly holds: "data" | "rebuildable" | "outside";
}

export interface DeploymentFacts {
  readonly release: string;
  readonly name: string;
  readonly slug: string;
  readonly postgres: { readonly major: number; readonly image: string };
  /** Images of the core services, by service name. */
  readonly images: Readonly<Record<string, string>>;
  readonly volumes: readonly VolumeFact[];
  /** Host each `.env` URI variable names. */
  readonly envHosts: Readonly<Record<string, string>>;
  readonly minio: { readonly kmsKeyName: string; readonly users: readonly string[]; readonly buckets: readonly string[] };
  /** The RQ queue each worker kind listens on. */
  readonly queues: Readonly<Record<string, string>>;
  /** What the config declares (`upgrade`). */
  readonly upgrade: { readonly postgresFrom?: number; readonly dioptraFrom?: string };
}

/** The `.env` variables whose URI names a deployment host, and the service it names. */
export const ENV_URI_HOSTS = {
  DIOPTRA_RESTAPI_DATABASE_URI: "db",
  DIOPTRA_MLFLOW_TRACKING_DATABASE_URI: "db",
  RQ_REDIS_URI: "redis",
} as const;

/** MinIO's account names, fixed by init (generators/init/secrets.ts). */
const MINIO_USERS = ["dioptra-admin", "dioptra-mlflow-tracking", "dioptra-restapi", "dioptra-worker"];

export function factsOf(model: DeploymentModel): DeploymentFacts {
  const { spec } = model;
  const s = spec.slug;
  // A user's volume on a driver (NFS and the like) keeps its data outside Docker: a new name finds it again.
  const outside = (v: (typeof spec.volumes)[number][1]) => v.type === "nfs" || (v.driver ?? "local") !== "local" || Object.keys(v.driverOpts ?? {}).length > 0;
  const userDriven = new Set(spec.volumes.filter(([, v]) => outside(v)).map(([k]) => k));
  const userVolumes = new Set(spec.volumes.map(([k]) => k));
  return {
    release: spec.profile.release,
    name: spec.name,
    slug: s,
    postgres: { major: spec.postgres.major, image: spec.images.db },
    images: Object.fromEntries(model.services.filter((x) => x.role === "core").map((x) => [x.name.slice(s.length + 1), x.image])),
    volumes: model.volumes.map((v) => ({
      key: v.key,
      name: v.name,
      holds: userDriven.has(v.key) ? "outside" : v.key in STATE_VOLUMES || userVolumes.has(v.key) ? "data" : "rebuildable",
    })),
    envHosts: Object.fromEntries(Object.entries(ENV_URI_HOSTS).map(([k, svc]) => [k, serviceName(s, svc)])),
    minio: { kmsKeyName: `${serviceName(s, "minio")}-key`, users: MINIO_USERS, buckets: [...spec.profile.minio.buckets] },
    queues: { ...spec.profile.queues },
    upgrade: {
      ...(spec.upgrade.postgresFrom !== undefined ? { postgresFrom: spec.upgrade.postgresFrom } : {}),
      ...(spec.upgrade.dioptraFrom !== undefined ? { dioptraFrom: spec.upgrade.dioptraFrom } : {}),
    },
  };
}
