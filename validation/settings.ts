/**
 * The settings a config can state, object by object, in the order props.ts
 * declares them: the one list that validation reads to report unknown keys
 * and that `import`'s config writer reads to order keys. Each list is checked
 * against its props type when this compiles, so a setting added to props.ts
 * and forgotten here (or the other way round) is a type error.
 */
import type { ImageRef } from "../dsl/images.js";
import type {
  BindMount,
  ComposeOverlay,
  CustomContainerProps,
  DeploymentProps,
  DriverVolume,
  GpuWorkerPoolProps,
  GpuWorkerProps,
  HealthcheckProps,
  HostProps,
  NfsVolume,
  NginxProps,
  PgAdminProps,
  PortMapping,
  PostgresProps,
  SecurityProps,
  SwarmProps,
  SystemdProps,
} from "../dsl/props.js";

/** `keys` of type T, all of them: a missing one makes the argument's type `never`. */
function all<T>() {
  return <const K extends readonly (keyof T & string)[]>(keys: [Exclude<keyof T & string, K[number]>] extends [never] ? K : never): K => keys;
}

export const SETTINGS = {
  "": all<DeploymentProps>()([
    "dioptra",
    "name",
    "registry",
    "namespace",
    "tag",
    "images",
    "composeCommand",
    "nginx",
    "postgres",
    "pgadmin",
    "security",
    "workers",
    "hostGpus",
    "gpuSharing",
    "datasetsDirectory",
    "systemd",
    "volumes",
    "customContainers",
    "overrides",
    "environments",
    "hosts",
    "swarm",
  ]),
  nginx: all<NginxProps>()(["serverName", "exposePortsOnLocalhostOnly", "httpPort", "httpsPort", "tls", "certificate"]),
  postgres: all<PostgresProps>()(["tag", "adminUser", "adminDatabase", "tls"]),
  pgadmin: all<PgAdminProps>()(["defaultEmail"]),
  security: all<SecurityProps>()(["legacyTls", "hsts", "hstsMaxAge"]),
  systemd: all<SystemdProps>()(["requiredMounts", "deploymentPath"]),
  "images.*": all<ImageRef>()(["registry", "namespace", "image", "tag"]),
  "workers.*": all<GpuWorkerPoolProps>()(["count", "mounts", "host", "workers"]),
  /** A GPU worker's own settings; a CPU worker has all but `gpus`. */
  "workers.*.workers.*": all<GpuWorkerProps>()(["mounts", "host", "gpus"]),
  mount: all<BindMount>()(["type", "source", "target", "readOnly"]),
  nfsVolume: all<NfsVolume>()(["type", "server", "export", "options"]),
  driverVolume: all<DriverVolume>()(["type", "driver", "driverOpts"]),
  "customContainers.*": all<CustomContainerProps>()([
    "image",
    "restart",
    "hostname",
    "entrypoint",
    "command",
    "waitFor",
    "dioptraEntrypoint",
    "dependsOn",
    "environment",
    "envFiles",
    "mounts",
    "ports",
    "healthcheck",
    "gpus",
    "capAdd",
  ]),
  "customContainers.*.healthcheck": all<HealthcheckProps>()(["test", "interval", "timeout", "retries", "startPeriod"]),
  "customContainers.*.ports.*": all<PortMapping>()(["host", "container", "protocol", "hostIp"]),
  "hosts.*": all<HostProps>()(["node", "gpus", "gpuIds", "labels", "deploymentFolder"]),
  swarm: all<SwarmProps>()(["stackName", "coreHost"]),
  overlay: all<ComposeOverlay>()(["services", "volumes"]),
} as const;
