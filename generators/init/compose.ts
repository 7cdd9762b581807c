/**
 * The model of docker-compose.init.yml: the reference's init services for
 * this deployment, minus the argbash compiler, with scripts bind-mounted
 * from ./scripts instead of an argbash-filled volume.
 */
import { INIT_ONLY_VOLUMES, MAIN_VOLUMES } from "../../dsl/builtin-volumes.js";
import type { ImageName } from "../../dsl/images.js";
import { serviceName, waitTarget } from "../../dsl/services.js";
import type { DeploymentSpec } from "../../dsl/spec.js";
import { WORKER_KINDS } from "../../dsl/worker-kinds.js";
import { NETWORK, namedVolumes, networks } from "../compose/main.js";
import type { ComposeFile, ComposeService } from "../compose/types.js";

/**
 * The scripts, straight from the host folder: they are plain bash, so there
 * is nothing to compile into a volume first, and a regenerated script is
 * what the next init runs (no stale copy left in a volume). Read-only, so no
 * init container can change them.
 */
export const SCRIPTS_MOUNT = "./scripts:/scripts:ro";
/** Where SCRIPTS_MOUNT puts the scripts inside the containers. */
export const CONTAINER_SCRIPTS_DIR = "/scripts";


/** Service names init-deployment.sh runs, as the reference names them. */
export const INIT_SERVICES = {
  minio: "minio",
  db: "db",
  restapi: "restapi",
  mc: "mc",
  namedVolumes: "named-volumes",
  frontend: "frontend-build",
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

/** A one-shot container that runs a script as root through bash, as every reference init service does. */
function runner(image: string, volumes: string[]): ComposeService {
  return { image, user: "root", entrypoint: ["/bin/bash"], volumes };
}

function sslService(spec: DeploymentSpec, row: SslRow): ComposeService {
  return runner(spec.images[row.image], [
    "./ssl:/ssl:ro",
    SCRIPTS_MOUNT,
    `${row.volumes}-ca-certificates:/usr/local/share/ca-certificates:rw`,
    `${row.volumes}-etc-ssl:/etc/ssl:rw`,
  ]);
}

/** Volumes the named-volumes service fills, in the reference's order. */
const NAMED_VOLUME_MOUNTS = [
  "init-repos:/volumes/init-repos:rw",
  "dbadmin-ca-certificates:/volumes/dbadmin-ca-certificates:rw",
  "dbadmin-data:/volumes/dbadmin-data:rw",
  "mc-ca-certificates:/volumes/mc-ca-certificates:rw",
  "minio-certs:/volumes/minio-certs:rw",
  "minio-data:/volumes/minio-data:rw",
  "nginx-conf-d:/volumes/nginx-conf-d:rw",
  // nginx's own CA bundle, which the dbadmin volume copies from.
  "nginx-ca-certificates:/usr/local/share/ca-certificates:rw",
  "nginx-etc-ssl:/volumes/nginx-etc-ssl:rw",
  "nginx-etc-ssl:/etc/ssl:rw",
  "postgres-docker-entrypoint-initdb-d:/volumes/postgres-docker-entrypoint-initdb-d:rw",
  "postgres-etc-postgresql:/volumes/postgres-etc-postgresql:rw",
  "postgres-var-certs:/volumes/postgres-var-certs:rw",
  "redis-data:/volumes/redis-data:rw",
];

/** The model of docker-compose.init.yml. */
export function initCompose(spec: DeploymentSpec): ComposeFile {
  const s = spec.slug;
  const net = [NETWORK];
  const services: Record<string, ComposeService> = {
    [INIT_SERVICES.minio]: {
      image: spec.images.minio,
      restart: "always",
      hostname: serviceName(s, "minio"),
      command: ["server", "/data", "--console-address", ":9001"],
      environment: { MINIO_ROOT_USER: "${MINIO_ROOT_USER}", MINIO_ROOT_PASSWORD: "${MINIO_ROOT_PASSWORD}", MINIO_KMS_SECRET_KEY: "${MINIO_KMS_SECRET_KEY}" },
      networks: net,
      volumes: ["minio-certs:/root/.minio/certs:rw", "minio-data:/data:rw"],
    },
    [INIT_SERVICES.db]: {
      image: spec.images.db,
      restart: "always",
      hostname: serviceName(s, "db"),
      shm_size: "256MB",
      environment: { POSTGRES_USER_DIOPTRA_PASSWORD: "${POSTGRES_USER_DIOPTRA_PASSWORD}" },
      env_file: [`./envs/${s}-db.env`],
      networks: net,
      volumes: [
        SCRIPTS_MOUNT,
        "postgres-data:/var/lib/postgresql/data:rw",
        "postgres-docker-entrypoint-initdb-d:/docker-entrypoint-initdb.d:rw",
        "postgres-etc-postgresql:/etc/postgresql:rw",
        "postgres-var-certs:/var/lib/postgresql/certs:rw",
      ],
    },
    // Only its image's wait-for-it.sh is used, to wait for the init db.
    [INIT_SERVICES.restapi]: {
      image: spec.images.restapi,
      restart: "always",
      hostname: serviceName(s, "restapi"),
      command: ["--wait-for", waitTarget(s, "db")],
      env_file: [`./envs/${s}-restapi.env`],
      environment: {
        AWS_ACCESS_KEY_ID: "${RESTAPI_AWS_ACCESS_KEY_ID}",
        AWS_SECRET_ACCESS_KEY: "${RESTAPI_AWS_SECRET_ACCESS_KEY}",
        DIOPTRA_RESTAPI_DATABASE_URI: "${DIOPTRA_RESTAPI_DATABASE_URI}",
      },
      networks: net,
      volumes: ["restapi-ca-certificates:/usr/local/share/ca-certificates:rw", "restapi-etc-ssl:/etc/ssl:rw"],
    },
    [INIT_SERVICES.mc]: {
      image: spec.images.mc,
      hostname: `${s}-mc`,
      entrypoint: ["/bin/bash"],
      networks: net,
      volumes: ["./config/minio:/s3-policy:ro", "./secrets:/secrets:ro", "minio-certs:/root/.mc/certs/CAs:ro", "init-repos:/init-repos:ro", SCRIPTS_MOUNT],
    },
    [INIT_SERVICES.namedVolumes]: runner(spec.images.nginx, ["./config:/config:ro", "./secrets:/secrets:ro", "./ssl:/ssl:ro", SCRIPTS_MOUNT, ...NAMED_VOLUME_MOUNTS]),
    ...Object.fromEntries([...SERVICE_SSL_ROWS, ...WORKER_SSL_ROWS].map((r) => [r.service, sslService(spec, r)])),
    [INIT_SERVICES.frontend]: {
      ...runner(spec.images.nodejs, [
        SCRIPTS_MOUNT,
        "init-repos:/repo:rw",
        "nginx-ca-certificates:/usr/local/share/ca-certificates:rw",
        "nginx-etc-ssl:/etc/ssl:rw",
        "nginx-frontend:/frontend:rw",
      ]),
      env_file: ["./envs/ca-certificates.env"],
    },
  };
  return { services, networks: networks(s), volumes: namedVolumes(s, [...INIT_ONLY_VOLUMES, ...MAIN_VOLUMES]) };
}
