/**
 * The deployment's own long-running services (nginx, MinIO, Postgres,
 * pgAdmin, Redis, MLflow Tracking, the REST API), as the reference template
 * runs them: images, commands, environment, env files, volumes and health
 * checks, in the reference's service order.
 */
import { serviceName, waitTarget } from "./services.js";
import type { DeploymentSpec } from "../validation/spec.js";
import { envRef as fromEnv } from "./env-value.js";
import { CA_SET, envSet } from "./env-sets.js";
import { healthUrls, hostPort, publishedEntryPoints } from "./entry-points.js";
import { HARDENING, REDIS_USER } from "./hardening.js";
import { fromDotEnv, longRunning, rw, service } from "./parts.js";
import type { MountModel, PortModel, ServiceModel } from "./types.js";


/** The ports nginx publishes (model/entry-points.ts): HTTP, HTTPS when TLS is on, then the fixed service ports. */
export function nginxPorts(spec: DeploymentSpec): PortModel[] {
  const hostIp = spec.nginx.exposePortsOnLocalhostOnly ? "127.0.0.1" : undefined;
  return publishedEntryPoints(spec.nginx).map((e): PortModel => ({ hostIp, host: hostPort(e, spec.nginx), container: e.container, protocol: "tcp" }));
}

/**
 * From the postgres 18 image on, the server keeps its data in
 * /var/lib/postgresql/<major>/docker, outside a volume mounted at
 * /var/lib/postgresql/data; PGDATA puts it back into the named volume.
 */
export const POSTGRES_DATA_DIR = "/var/lib/postgresql/data";
export const POSTGRES_NEW_LAYOUT_MAJOR = 18;

/** The db service's volumes, shared with the init db service. */
export const POSTGRES_MOUNTS: readonly MountModel[] = [
  rw("postgres-data", POSTGRES_DATA_DIR),
  rw("postgres-docker-entrypoint-initdb-d", "/docker-entrypoint-initdb.d"),
  rw("postgres-etc-postgresql", "/etc/postgresql"),
  rw("postgres-var-certs", "/var/lib/postgresql/certs"),
];

export function postgresEnvironment(spec: DeploymentSpec) {
  return {
    ...fromDotEnv("POSTGRES_USER_DIOPTRA_PASSWORD"),
    ...(spec.postgres.major >= POSTGRES_NEW_LAYOUT_MAJOR ? { PGDATA: POSTGRES_DATA_DIR } : {}),
  };
}

export const MINIO_COMMAND = ["server", "/data", "--console-address", ":9001"];
export const MINIO_MOUNTS: readonly MountModel[] = [rw("minio-certs", "/root/.minio/certs"), rw("minio-data", "/data")];
export const MINIO_ENVIRONMENT = fromDotEnv("MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD", "MINIO_KMS_SECRET_KEY");

/** The REST API's MinIO account and database URI, shared with the init restapi service. */
export const RESTAPI_ENVIRONMENT = {
  AWS_ACCESS_KEY_ID: fromEnv("RESTAPI_AWS_ACCESS_KEY_ID"),
  AWS_SECRET_ACCESS_KEY: fromEnv("RESTAPI_AWS_SECRET_ACCESS_KEY"),
  // Carries Redis's password, so it comes from .env, never from a committed env file.
  ...fromDotEnv("DIOPTRA_RESTAPI_DATABASE_URI", "RQ_REDIS_URI"),
};
export const RESTAPI_MOUNTS: readonly MountModel[] = [rw("restapi-ca-certificates", "/usr/local/share/ca-certificates"), rw("restapi-etc-ssl", "/etc/ssl")];

export function coreServices(spec: DeploymentSpec): ServiceModel[] {
  const s = spec.slug;
  const core = (svc: Parameters<typeof serviceName>[1]) => longRunning(serviceName(s, svc), "core", spec.images[svc]);
  const wait = (...svcs: Parameters<typeof waitTarget>[1][]) => svcs.map((d) => waitTarget(s, d));
  return [
    service(core("nginx"), {
      hardening: HARDENING.nginx,
      healthcheck: { test: ["/usr/local/bin/healthcheck.sh", ...healthUrls(spec.nginx.tls)], interval: "30s", timeout: "10s", retries: 3, startPeriod: "30s" },
      waitFor: wait("minio", "dbadmin", "mlflowTracking", "restapi"),
      envSets: [envSet(s, CA_SET)],
      ports: nginxPorts(spec),
      mounts: [
        rw("nginx-ca-certificates", "/usr/local/share/ca-certificates"),
        rw("nginx-conf-d", "/etc/nginx/conf.d"),
        rw("nginx-etc-ssl", "/etc/ssl"),
        { type: "volume", source: "nginx-frontend", target: "/frontend", readOnly: true },
      ],
    }),
    service(core("minio"), {
      hardening: HARDENING.minio,
      healthcheck: { test: ["curl", "-f", "http://localhost:9000/minio/health/live"], interval: "30s", timeout: "10s", retries: 3 },
      environment: MINIO_ENVIRONMENT,
      args: MINIO_COMMAND,
      mounts: MINIO_MOUNTS,
    }),
    service(core("db"), {
      hardening: HARDENING.db,
      shmSize: "256MB",
      healthcheck: { test: ["pg_isready", "-U", "dioptra", "-d", "restapi"], interval: "30s", timeout: "60s", retries: 3, startPeriod: "30s" },
      environment: postgresEnvironment(spec),
      envSets: [envSet(s, "db")],
      mounts: POSTGRES_MOUNTS,
    }),
    service(core("dbadmin"), {
      hardening: HARDENING.dbadmin,
      healthcheck: {
        test: ["wget", "--no-verbose", "--tries=1", "--spider", "http://localhost:35050/misc/ping"],
        interval: "30s",
        timeout: "60s",
        retries: 5,
        startPeriod: "80s",
      },
      environment: fromDotEnv("PGADMIN_DEFAULT_PASSWORD"),
      envSets: [envSet(s, "dbadmin")],
      mounts: [rw("dbadmin-ca-certificates", "/etc/ssl/certs"), rw("dbadmin-data", "/var/lib/pgadmin")],
    }),
    service(core("redis"), {
      hardening: HARDENING.redis,
      user: REDIS_USER,
      healthcheck: { test: ["redis-cli", "ping"], interval: "30s", timeout: "10s", retries: 3 },
      // redis-cli (the health check) reads the password from REDISCLI_AUTH.
      environment: { REDISCLI_AUTH: fromEnv("REDIS_PASSWORD") },
      // Redis replaces its command line with its own title, so `ps` on the host shows no password.
      args: ["redis-server", "--appendonly", "yes", "--requirepass", fromEnv("REDIS_PASSWORD")],
      mounts: [rw("redis-data", "/data")],
    }),
    service(core("mlflowTracking"), {
      hardening: HARDENING.dioptra,
      healthcheck: { test: ["curl", "-f", "http://localhost:5000"], interval: "30s", timeout: "10s", retries: 3, startPeriod: "10s" },
      environment: {
        AWS_ACCESS_KEY_ID: fromEnv("MLFLOW_TRACKING_AWS_ACCESS_KEY_ID"),
        AWS_SECRET_ACCESS_KEY: fromEnv("MLFLOW_TRACKING_AWS_SECRET_ACCESS_KEY"),
        ...fromDotEnv("DIOPTRA_MLFLOW_TRACKING_DATABASE_URI"),
      },
      // The template puts the wait flags last; the image's entrypoint expands the
      // variable itself (a literal `$`, escaped for Compose by the target).
      args: ["--host", "0.0.0.0", "--default-artifact-root", "s3://mlflow-tracking/artifacts", "--backend-store-uri", "${DIOPTRA_MLFLOW_TRACKING_DATABASE_URI}"],
      waitFor: wait("minio", "db"),
      waitAfterArgs: true,
      envSets: [envSet(s, CA_SET), envSet(s, "mlflow-tracking")],
      mounts: [rw("mlflow-tracking-ca-certificates", "/usr/local/share/ca-certificates"), rw("mlflow-tracking-etc-ssl", "/etc/ssl")],
    }),
    service(core("restapi"), {
      hardening: HARDENING.dioptra,
      healthcheck: { test: ["curl", "-f", "http://localhost:5000/health"], interval: "30s", timeout: "10s", retries: 3, startPeriod: "30s" },
      environment: RESTAPI_ENVIRONMENT,
      waitFor: wait("redis", "minio", "db", "mlflowTracking"),
      envSets: [envSet(s, CA_SET), envSet(s, "restapi")],
      mounts: RESTAPI_MOUNTS,
    }),
  ];
}
