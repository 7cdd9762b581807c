/**
 * The deployment's own long-running services (nginx, MinIO, Postgres,
 * pgAdmin, Redis, MLflow Tracking, the REST API), as the reference template
 * runs them: images, commands, environment, env files, volumes and health
 * checks, in the reference's service order.
 */
import { NGINX_FIXED_PORTS } from "../dsl/resolve.js";
import { serviceName, waitTarget } from "../dsl/services.js";
import type { DeploymentSpec } from "../dsl/spec.js";
import { fromEnv } from "../dsl/env.js";
import type { EnvValue } from "../dsl/props.js";
import { HARDENING, REDIS_USER } from "./hardening.js";
import { fromDotEnv, longRunning, rw, service } from "./parts.js";
import type { MountModel, PortModel, ServiceModel } from "./types.js";

export const CA_ENV_FILE = "./envs/ca-certificates.env";
export const envFileOf = (slug: string, stem: string) => `./envs/${slug}-${stem}.env`;

/** Container ports of nginx's two entry points (it runs unprivileged, so ≥ 1024). */
export const NGINX_HTTP_PORT = 30080;
export const NGINX_HTTPS_PORT = 30443;

/** The ports nginx publishes: HTTP, HTTPS when TLS is on, then the fixed service ports. */
export function nginxPorts(spec: DeploymentSpec): PortModel[] {
  const hostIp = spec.nginx.exposePortsOnLocalhostOnly ? "127.0.0.1" : undefined;
  const port = (host: number, container: number): PortModel => ({ hostIp, host, container, protocol: "tcp" });
  return [
    port(spec.nginx.httpPort, NGINX_HTTP_PORT),
    ...(spec.nginx.tls ? [port(spec.nginx.httpsPort, NGINX_HTTPS_PORT)] : []),
    ...NGINX_FIXED_PORTS.map((p) => port(p.host, p.container)),
  ];
}

/** URLs nginx's healthcheck probes: the HTTP ones, or the HTTPS ones when TLS is on. */
export function nginxHealthUrls(tls: boolean): string[] {
  const paths = [`:${tls ? NGINX_HTTPS_PORT : NGINX_HTTP_PORT}`, ":35000", ":35050/login", ":39000", ":39001"];
  return paths.map((p) => `${tls ? "https" : "http"}://localhost${p}`);
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
/**
 * What only the long-running REST API reads (not its init twin, which migrates
 * the database and signs nothing): the key Flask signs session and remember-me
 * cookies with, and, when users come over HTTPS, the flag that keeps the
 * remember-me cookie off plain HTTP (any value turns it on).
 */
export function restapiSessionEnvironment(spec: DeploymentSpec): Record<string, EnvValue> {
  return { ...fromDotEnv("DIOPTRA_DEPLOY_SECRET_KEY"), ...(spec.nginx.tls ? { DIOPTRA_REMEMBER_COOKIE_SECURE: "true" } : {}) };
}
export const RESTAPI_MOUNTS: readonly MountModel[] = [rw("restapi-ca-certificates", "/usr/local/share/ca-certificates"), rw("restapi-etc-ssl", "/etc/ssl")];

export function coreServices(spec: DeploymentSpec): ServiceModel[] {
  const s = spec.slug;
  const core = (svc: Parameters<typeof serviceName>[1]) => longRunning(serviceName(s, svc), "core", spec.images[svc]);
  const wait = (...svcs: Parameters<typeof waitTarget>[1][]) => svcs.map((d) => waitTarget(s, d));
  return [
    service(core("nginx"), {
      hardening: HARDENING.nginx,
      healthcheck: { test: ["/usr/local/bin/healthcheck.sh", ...nginxHealthUrls(spec.nginx.tls)], interval: "30s", timeout: "10s", retries: 3, startPeriod: "30s" },
      waitFor: wait("minio", "dbadmin", "mlflowTracking", "restapi"),
      envFiles: [CA_ENV_FILE],
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
      envFiles: [envFileOf(s, "db")],
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
      envFiles: [envFileOf(s, "dbadmin")],
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
      envFiles: [CA_ENV_FILE, envFileOf(s, "mlflow-tracking")],
      mounts: [rw("mlflow-tracking-ca-certificates", "/usr/local/share/ca-certificates"), rw("mlflow-tracking-etc-ssl", "/etc/ssl")],
    }),
    service(core("restapi"), {
      hardening: HARDENING.dioptra,
      healthcheck: { test: ["curl", "-f", "http://localhost:5000/health"], interval: "30s", timeout: "10s", retries: 3, startPeriod: "30s" },
      environment: { ...RESTAPI_ENVIRONMENT, ...restapiSessionEnvironment(spec) },
      waitFor: wait("redis", "minio", "db", "mlflowTracking"),
      envFiles: [CA_ENV_FILE, envFileOf(s, "restapi")],
      mounts: RESTAPI_MOUNTS,
    }),
  ];
}
