/**
 * The one-shot services of docker-compose.init.yml that init-deployment.sh
 * runs: the reference's init services minus the argbash compiler, with the
 * scripts bind-mounted from ./scripts instead of an argbash-filled volume,
 * plus (Dioptra 1.1) the job that registers the workers' account.
 */
import type { ImageName } from "../dsl/images.js";
import { serviceName, waitTarget } from "./services.js";
import type { DeploymentSpec } from "../validation/spec.js";
import { WORKER_KINDS } from "../dsl/worker-kinds.js";
import {
  MINIO_COMMAND,
  MINIO_ENVIRONMENT,
  MINIO_MOUNTS,
  POSTGRES_MOUNTS,
  RESTAPI_ENVIRONMENT,
  RESTAPI_MOUNTS,
  postgresEnvironment,
} from "./core-services.js";
import { CA_SET, envSet } from "./env-sets.js";
import { HARDENING, INIT_HARDENING } from "./hardening.js";
import { bind, fromDotEnv, ro, rw, service } from "./parts.js";
import type { MountModel, ServiceModel } from "./types.js";

/** Where the scripts are inside the containers. */
export const CONTAINER_SCRIPTS_DIR = "/scripts";

/**
 * The scripts, straight from the host folder: they are plain bash, so there
 * is nothing to compile into a volume first, and a regenerated script is
 * what the next init runs (no stale copy left in a volume). Read-only, so no
 * init container can change them.
 */
const SCRIPTS: MountModel = bind("./scripts", CONTAINER_SCRIPTS_DIR);

/** Service names init-deployment.sh runs, as the reference names them. */
export const INIT_SERVICES = {
  minio: "minio",
  db: "db",
  restapi: "restapi",
  mc: "mc",
  namedVolumes: "named-volumes",
  frontend: "frontend-build",
  workerAccount: "init-dioptra-worker",
} as const;

/**
 * The services that copy extra CA certificates into a service's volumes and
 * rebuild its bundle, using that service's own image (so the bundle matches
 * its distro). They differ only by these fields.
 */
interface SslRow {
  readonly service: string;
  readonly image: ImageName;
  /** Prefix of the `<prefix>-ca-certificates` and `<prefix>-etc-ssl` volumes. */
  readonly volumes: string;
}

const SERVICE_SSL_ROWS: readonly SslRow[] = [
  { service: "nginx-ssl", image: "nginx", volumes: "nginx" },
  { service: "mlflow-tracking-ssl", image: "mlflowTracking", volumes: "mlflow-tracking" },
  { service: "restapi-ssl", image: "restapi", volumes: "restapi" },
];

/**
 * The worker volumes are shared by every worker, so one CPU worker image
 * fills them: `--worker-ssl-service` picks which (tfcpu or pytorchcpu).
 */
export const WORKER_SSL_ROWS: readonly (SslRow & { readonly short: string })[] = WORKER_KINDS.filter((k) => !k.gpu).map((k) => ({
  short: k.short,
  service: `${k.short}-ssl`,
  image: k.image,
  volumes: "worker",
}));

/** The reference's default for `--worker-ssl-service`. */
export const DEFAULT_WORKER_SSL = "tfcpu";

/** SSL services init always runs, in the reference's order. */
export const SERVICE_SSL_SERVICES: readonly string[] = SERVICE_SSL_ROWS.map((r) => r.service);

/** Volumes the named-volumes service fills, in the reference's order. */
const NAMED_VOLUME_MOUNTS: readonly MountModel[] = [
  ...["init-repos", "dbadmin-ca-certificates", "dbadmin-data", "mc-ca-certificates", "minio-certs", "minio-data", "nginx-conf-d"].map((v) => rw(v, `/volumes/${v}`)),
  // nginx's own CA bundle, which the dbadmin volume copies from.
  rw("nginx-ca-certificates", "/usr/local/share/ca-certificates"),
  rw("nginx-etc-ssl", "/volumes/nginx-etc-ssl"),
  rw("nginx-etc-ssl", "/etc/ssl"),
  ...["postgres-docker-entrypoint-initdb-d", "postgres-etc-postgresql", "postgres-var-certs", "redis-data"].map((v) => rw(v, `/volumes/${v}`)),
];

/**
 * A one-shot container that runs a script as root through bash, as every
 * reference init service does: they all change ownership in the volumes.
 */
function runner(name: string, image: string, mounts: readonly MountModel[]): ServiceModel {
  return service({ name, role: "init", image }, { user: "root", entrypoint: ["/bin/bash"], mounts, networked: false, hardening: INIT_HARDENING.owner });
}

function sslService(spec: DeploymentSpec, row: SslRow): ServiceModel {
  return runner(row.service, spec.images[row.image], [
    bind("./ssl", "/ssl"),
    SCRIPTS,
    rw(`${row.volumes}-ca-certificates`, "/usr/local/share/ca-certificates"),
    rw(`${row.volumes}-etc-ssl`, "/etc/ssl"),
  ]);
}

export function initServices(spec: DeploymentSpec): ServiceModel[] {
  const s = spec.slug;
  const init = (name: string, image: ImageName) => ({ name, role: "init" as const, image: spec.images[image] });
  return [
    service(init(INIT_SERVICES.minio, "minio"), {
      hardening: HARDENING.minio,
      restart: "always",
      hostname: serviceName(s, "minio"),
      args: MINIO_COMMAND,
      environment: MINIO_ENVIRONMENT,
      mounts: MINIO_MOUNTS,
    }),
    service(init(INIT_SERVICES.db, "db"), {
      hardening: HARDENING.db,
      restart: "always",
      hostname: serviceName(s, "db"),
      shmSize: "256MB",
      environment: postgresEnvironment(spec),
      envSets: [envSet(s, "db")],
      mounts: [SCRIPTS, ...POSTGRES_MOUNTS],
    }),
    // Serves the API for the worker account's registration; before 1.1 only its
    // image's wait-for-it.sh was used, to wait for the init db.
    service(init(INIT_SERVICES.restapi, "restapi"), {
      hardening: HARDENING.dioptra,
      restart: "always",
      hostname: serviceName(s, "restapi"),
      waitFor: [waitTarget(s, "db")],
      envSets: [envSet(s, "restapi")],
      environment: RESTAPI_ENVIRONMENT,
      mounts: RESTAPI_MOUNTS,
    }),
    ...(spec.profile.workerAccount
      ? [
          service(init(INIT_SERVICES.workerAccount, "restapi"), {
            hardening: HARDENING.dioptra,
            hostname: `${s}-${INIT_SERVICES.workerAccount}`,
            environment: fromDotEnv("DIOPTRA_WORKER_USERNAME", "DIOPTRA_WORKER_PASSWORD"),
            entrypoint: ["/bin/bash"],
            mounts: [SCRIPTS],
          }),
        ]
      : []),
    service(init(INIT_SERVICES.mc, "mc"), {
      hardening: INIT_HARDENING.mc,
      hostname: `${s}-mc`,
      entrypoint: ["/bin/bash"],
      mounts: [bind("./config/minio", "/s3-policy"), bind("./secrets", "/secrets"), ro("minio-certs", "/root/.mc/certs/CAs"), ro("init-repos", "/init-repos"), SCRIPTS],
    }),
    runner(INIT_SERVICES.namedVolumes, spec.images.nginx, [bind("./config", "/config"), bind("./secrets", "/secrets"), bind("./ssl", "/ssl"), SCRIPTS, ...NAMED_VOLUME_MOUNTS]),
    ...[...SERVICE_SSL_ROWS, ...WORKER_SSL_ROWS].map((r) => sslService(spec, r)),
    {
      ...runner(INIT_SERVICES.frontend, spec.images.nodejs, [
        SCRIPTS,
        rw("init-repos", "/repo"),
        rw("nginx-ca-certificates", "/usr/local/share/ca-certificates"),
        rw("nginx-etc-ssl", "/etc/ssl"),
        rw("nginx-frontend", "/frontend"),
      ]),
      envSets: [envSet(s, CA_SET)],
      hardening: INIT_HARDENING.frontend,
    },
  ];
}
