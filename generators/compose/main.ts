/**
 * Lowers a resolved deployment to the model of docker-compose.yml, service
 * for service as the reference template renders it, plus the typed extras
 * (mounts, NFS volumes, GPUs, custom containers).
 */
import { MAIN_VOLUMES } from "../../dsl/builtin-volumes.js";
import { WORKER_ENVIRONMENT, WORKER_HEALTHCHECK, WORKER_MOUNTS } from "../../dsl/container.js";
import type { GpuSelection, HealthcheckProps, Mount, VolumeProps } from "../../dsl/props.js";
import { NGINX_FIXED_PORTS } from "../../dsl/resolve.js";
import { WORKER_WAIT_FOR, serviceName, waitTarget } from "../../dsl/services.js";
import type { CustomContainerSpec, DeploymentSpec, WorkerSpec } from "../../dsl/spec.js";
import { DEFAULT_NFS_OPTIONS } from "../../dsl/volume.js";
import { composeEnvValue, composeLiteral } from "./escape.js";
import type { ComposeFile, ComposeHealthcheck, ComposeService, ComposeVolume } from "./types.js";

/** The one network every service joins. */
export const NETWORK = "dioptra";

export function networks(slug: string): ComposeFile["networks"] {
  return { [NETWORK]: { name: `${slug}_${NETWORK}` } };
}

/** `name: <slug>_<key>` for each volume key, so data survives a renamed folder. */
export function namedVolumes(slug: string, keys: readonly string[]): Record<string, ComposeVolume> {
  return Object.fromEntries(keys.map((k) => [k, { name: `${slug}_${k}` }]));
}

export function healthcheck(h: HealthcheckProps): ComposeHealthcheck {
  return {
    test: ["CMD", ...h.test.map(composeLiteral)],
    ...(h.interval ? { interval: h.interval } : {}),
    ...(h.timeout ? { timeout: h.timeout } : {}),
    ...(h.retries !== undefined ? { retries: h.retries } : {}),
    ...(h.startPeriod ? { start_period: h.startPeriod } : {}),
  };
}

export function mountString(m: Mount): string {
  return `${m.source}:${m.target}:${m.readOnly === false ? "rw" : "ro"}`;
}

function waitFor(targets: readonly string[]): string[] {
  return targets.flatMap((t) => ["--wait-for", t]);
}

/** `NVIDIA_VISIBLE_DEVICES`; a single index stays a YAML number, as the template writes it. */
function gpuEnv(gpus: GpuSelection | undefined): Record<string, string | number> {
  if (gpus === undefined) return {};
  return { NVIDIA_VISIBLE_DEVICES: gpus === "all" ? "all" : gpus.length === 1 ? gpus[0]! : gpus.join(",") };
}

const interpolate = (names: readonly string[]): Record<string, string> => Object.fromEntries(names.map((n) => [n, `\${${n}}`]));

/** The fields every long-running service of the deployment shares. */
function base(name: string, image: string): ComposeService {
  return { image, restart: "always", hostname: name };
}

export function nginxPorts(spec: DeploymentSpec): string[] {
  const prefix = spec.nginx.exposePortsOnLocalhostOnly ? "127.0.0.1:" : "";
  return [
    `${prefix}${spec.nginx.httpPort}:30080/tcp`,
    ...(spec.nginx.tls ? [`${prefix}${spec.nginx.httpsPort}:30443/tcp`] : []),
    ...NGINX_FIXED_PORTS.map((p) => `${prefix}${p.host}:${p.container}/tcp`),
  ];
}

/** URLs nginx's healthcheck probes: the HTTP ones, or the HTTPS ones when TLS is on. */
export function nginxHealthUrls(tls: boolean): string[] {
  return tls
    ? ["https://localhost:30443", "https://localhost:35000", "https://localhost:35050/login", "https://localhost:39000", "https://localhost:39001"]
    : ["http://localhost:30080", "http://localhost:35000", "http://localhost:35050/login", "http://localhost:39000", "http://localhost:39001"];
}

function builtinServices(spec: DeploymentSpec): Record<string, ComposeService> {
  const s = spec.slug;
  const env = (f: string) => `./envs/${s}-${f}.env`;
  const ca = "./envs/ca-certificates.env";
  const net = [NETWORK];
  return {
    [serviceName(s, "nginx")]: {
      ...base(serviceName(s, "nginx"), spec.images.nginx),
      healthcheck: healthcheck({ test: ["/usr/local/bin/healthcheck.sh", ...nginxHealthUrls(spec.nginx.tls)], interval: "30s", timeout: "10s", retries: 3, startPeriod: "30s" }),
      command: waitFor([waitTarget(s, "minio"), waitTarget(s, "dbadmin"), waitTarget(s, "mlflowTracking"), waitTarget(s, "restapi")]),
      env_file: [ca],
      networks: net,
      ports: nginxPorts(spec),
      volumes: ["nginx-ca-certificates:/usr/local/share/ca-certificates:rw", "nginx-conf-d:/etc/nginx/conf.d:rw", "nginx-etc-ssl:/etc/ssl:rw", "nginx-frontend:/frontend:ro"],
    },
    [serviceName(s, "minio")]: {
      ...base(serviceName(s, "minio"), spec.images.minio),
      healthcheck: healthcheck({ test: ["curl", "-f", "http://localhost:9000/minio/health/live"], interval: "30s", timeout: "10s", retries: 3 }),
      environment: interpolate(["MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD", "MINIO_KMS_SECRET_KEY"]),
      command: ["server", "/data", "--console-address", ":9001"],
      networks: net,
      volumes: ["minio-certs:/root/.minio/certs:rw", "minio-data:/data:rw"],
    },
    [serviceName(s, "db")]: {
      ...base(serviceName(s, "db"), spec.images.db),
      shm_size: "256MB",
      healthcheck: healthcheck({ test: ["pg_isready", "-U", "dioptra", "-d", "restapi"], interval: "30s", timeout: "60s", retries: 3, startPeriod: "30s" }),
      environment: interpolate(["POSTGRES_USER_DIOPTRA_PASSWORD"]),
      env_file: [env("db")],
      networks: net,
      volumes: [
        "postgres-data:/var/lib/postgresql/data:rw",
        "postgres-docker-entrypoint-initdb-d:/docker-entrypoint-initdb.d:rw",
        "postgres-etc-postgresql:/etc/postgresql:rw",
        "postgres-var-certs:/var/lib/postgresql/certs:rw",
      ],
    },
    [serviceName(s, "dbadmin")]: {
      ...base(serviceName(s, "dbadmin"), spec.images.dbadmin),
      healthcheck: healthcheck({
        test: ["wget", "--no-verbose", "--tries=1", "--spider", "http://localhost:35050/misc/ping"],
        interval: "30s",
        timeout: "60s",
        retries: 5,
        startPeriod: "80s",
      }),
      environment: interpolate(["PGADMIN_DEFAULT_PASSWORD"]),
      env_file: [env("dbadmin")],
      networks: net,
      volumes: ["dbadmin-ca-certificates:/etc/ssl/certs:rw", "dbadmin-data:/var/lib/pgadmin:rw"],
    },
    [serviceName(s, "redis")]: {
      ...base(serviceName(s, "redis"), spec.images.redis),
      healthcheck: healthcheck({ test: ["redis-cli", "ping"], interval: "30s", timeout: "10s", retries: 3 }),
      command: ["redis-server", "--appendonly", "yes"],
      networks: net,
      volumes: ["redis-data:/data:rw"],
    },
    [serviceName(s, "mlflowTracking")]: {
      ...base(serviceName(s, "mlflowTracking"), spec.images.mlflowTracking),
      healthcheck: healthcheck({ test: ["curl", "-f", "http://localhost:5000"], interval: "30s", timeout: "10s", retries: 3, startPeriod: "10s" }),
      environment: {
        AWS_ACCESS_KEY_ID: "${MLFLOW_TRACKING_AWS_ACCESS_KEY_ID}",
        AWS_SECRET_ACCESS_KEY: "${MLFLOW_TRACKING_AWS_SECRET_ACCESS_KEY}",
        DIOPTRA_MLFLOW_TRACKING_DATABASE_URI: "${DIOPTRA_MLFLOW_TRACKING_DATABASE_URI}",
      },
      command: [
        "--host",
        "0.0.0.0",
        "--default-artifact-root",
        "s3://mlflow-tracking/artifacts",
        "--backend-store-uri",
        // Escaped: the entrypoint, not Compose, expands it inside the container.
        "$${DIOPTRA_MLFLOW_TRACKING_DATABASE_URI}",
        ...waitFor([waitTarget(s, "minio"), waitTarget(s, "db")]),
      ],
      env_file: [ca, env("mlflow-tracking")],
      networks: net,
      volumes: ["mlflow-tracking-ca-certificates:/usr/local/share/ca-certificates:rw", "mlflow-tracking-etc-ssl:/etc/ssl:rw"],
    },
    [serviceName(s, "restapi")]: {
      ...base(serviceName(s, "restapi"), spec.images.restapi),
      healthcheck: healthcheck({ test: ["curl", "-f", "http://localhost:5000/health"], interval: "30s", timeout: "10s", retries: 3, startPeriod: "30s" }),
      environment: {
        AWS_ACCESS_KEY_ID: "${RESTAPI_AWS_ACCESS_KEY_ID}",
        AWS_SECRET_ACCESS_KEY: "${RESTAPI_AWS_SECRET_ACCESS_KEY}",
        DIOPTRA_RESTAPI_DATABASE_URI: "${DIOPTRA_RESTAPI_DATABASE_URI}",
      },
      command: waitFor([waitTarget(s, "redis"), waitTarget(s, "minio"), waitTarget(s, "db"), waitTarget(s, "mlflowTracking")]),
      env_file: [ca, env("restapi")],
      networks: net,
      volumes: ["restapi-ca-certificates:/usr/local/share/ca-certificates:rw", "restapi-etc-ssl:/etc/ssl:rw"],
    },
  };
}

function workerService(spec: DeploymentSpec, w: WorkerSpec): ComposeService {
  const s = spec.slug;
  return {
    ...base(w.name, spec.images[w.kind.image]),
    ...(w.kind.gpu ? { runtime: "nvidia" } : {}),
    healthcheck: healthcheck(WORKER_HEALTHCHECK),
    environment: { ...Object.fromEntries(Object.entries(WORKER_ENVIRONMENT).map(([k, v]) => [k, composeEnvValue(v)])), ...gpuEnv(w.gpus) },
    command: [...waitFor(WORKER_WAIT_FOR.map((d) => waitTarget(s, d))), w.kind.queue],
    env_file: ["./envs/ca-certificates.env", `./envs/${s}-worker.env`, ...(w.kind.gpu ? [] : [`./envs/${s}-worker-cpu.env`])],
    networks: [NETWORK],
    volumes: [
      ...WORKER_MOUNTS.map(mountString),
      ...(spec.datasetsDirectory ? [`${spec.datasetsDirectory}:/dioptra/data:ro`] : []),
      ...w.mounts.map(mountString),
    ],
  };
}

function customService(spec: DeploymentSpec, k: CustomContainerSpec): ComposeService {
  const prefix = spec.nginx.exposePortsOnLocalhostOnly ? "127.0.0.1" : "";
  const environment = { ...Object.fromEntries(Object.entries(k.environment).map(([n, v]) => [n, composeEnvValue(v)])), ...gpuEnv(k.gpus) };
  const ports = k.ports.map((p) => {
    const ip = p.hostIp ?? prefix;
    return `${ip === "" ? "" : `${ip.includes(":") && !ip.startsWith("[") ? `[${ip}]` : ip}:`}${p.host}:${p.container}/${p.protocol ?? "tcp"}`;
  });
  return {
    image: k.image,
    restart: k.restart,
    hostname: k.hostname,
    ...(k.gpus !== undefined ? { runtime: "nvidia" } : {}),
    ...(k.healthcheck ? { healthcheck: healthcheck(k.healthcheck) } : {}),
    ...(k.entrypoint ? { entrypoint: k.entrypoint.map(composeLiteral) } : {}),
    ...(Object.keys(environment).length > 0 ? { environment } : {}),
    ...(k.command ? { command: k.command.map(composeLiteral) } : {}),
    ...(k.envFiles.length > 0 ? { env_file: [...k.envFiles] } : {}),
    networks: [NETWORK],
    ...(ports.length > 0 ? { ports } : {}),
    ...(k.mounts.length > 0 ? { volumes: k.mounts.map(mountString) } : {}),
  };
}

export function userVolume(slug: string, name: string, v: VolumeProps): ComposeVolume {
  if (v.type === "nfs") {
    const options = v.options ?? DEFAULT_NFS_OPTIONS;
    return { name: `${slug}_${name}`, driver: "local", driver_opts: { type: "nfs", o: [`addr=${v.server}`, ...options].join(","), device: `:${v.export}` } };
  }
  return {
    name: `${slug}_${name}`,
    driver: v.driver ?? "local",
    ...(v.driverOpts && Object.keys(v.driverOpts).length > 0
      ? { driver_opts: Object.fromEntries(Object.keys(v.driverOpts).sort().map((k) => [k, composeLiteral(v.driverOpts![k]!)])) }
      : {}),
  };
}

/** The model of docker-compose.yml. */
export function mainCompose(spec: DeploymentSpec): ComposeFile {
  return {
    services: {
      ...builtinServices(spec),
      ...Object.fromEntries(spec.workers.map((w) => [w.name, workerService(spec, w)])),
      ...Object.fromEntries(spec.containers.map((k) => [k.name, customService(spec, k)])),
    },
    networks: networks(spec.slug),
    volumes: {
      ...namedVolumes(spec.slug, MAIN_VOLUMES),
      ...Object.fromEntries(spec.volumes.map(([n, v]) => [n, userVolume(spec.slug, n, v)])),
    },
  };
}
