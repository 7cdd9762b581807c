/**
 * The deployment as plain data, independent of any output target: which
 * services run, from which image, with what command, environment, mounts,
 * ports and health check, and which one-shot jobs init runs. Built once from
 * the resolved spec (model/build.ts); each target (Compose today) lowers it
 * to its own syntax, so no generator re-derives another's output.
 *
 * Strings are literal: a `$` is a dollar sign. Only {@link EnvValue}
 * interpolations ask the target to substitute a variable from `.env`.
 */
import type { DeploymentSpec } from "../validation/spec.js";
import type { EnvSetRef } from "./env-sets.js";
import type { Capability } from "../dsl/capabilities.js";
import type { EnvValue, GpuSelection, HealthcheckProps } from "../dsl/props.js";

export type { Capability, EnvValue, GpuSelection, HealthcheckProps };

/** A named volume (by its key) or a host folder, mounted into a container. */
export interface MountModel {
  readonly type: "volume" | "bind";
  /** Volume key, or an absolute host path for binds (relative ones start with `./`: the deployment folder). */
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
}

export interface PortModel {
  /** Host address to bind; undefined for every address. */
  readonly hostIp: string | undefined;
  readonly host: number;
  readonly container: number;
  readonly protocol: "tcp" | "udp";
}

/**
 * What a service is there for: `core` services hold the deployment's state
 * and front door, `worker`s run jobs (and may move to other hosts),
 * `custom` containers are the user's, `init` jobs run once under init.
 */
export type ServiceRole = "core" | "worker" | "custom" | "init";

export interface ServiceModel {
  readonly name: string;
  readonly role: ServiceRole;
  readonly image: string;
  readonly hostname: string | undefined;
  readonly restart: "no" | "always" | "on-failure" | "unless-stopped" | undefined;
  readonly user: string | undefined;
  readonly entrypoint: readonly string[] | undefined;
  /**
   * `host:port` targets the Dioptra entrypoint waits for before it starts
   * (passed as `--wait-for` flags ahead of {@link args}).
   */
  readonly waitFor: readonly string[];
  /**
   * Arguments after the wait flags (before them when {@link waitAfterArgs}).
   * Literal strings, or an interpolation from `.env` (Redis's password).
   */
  readonly args: readonly EnvValue[];
  /** MLflow's command lists its wait flags last, as the template does; its entrypoint takes either order. */
  readonly waitAfterArgs: boolean;
  /** Whether there is a command at all (a service with neither waits nor args keeps its image's). */
  readonly hasCommand: boolean;
  /** Services the target starts first, and whether it waits for them to run or to be healthy. */
  readonly dependsOn: readonly { readonly service: string; readonly condition: "started" | "healthy" }[];
  readonly environment: Readonly<Record<string, EnvValue>>;
  /** The env sets it reads, generated ones by name. */
  readonly envSets: readonly EnvSetRef[];
  readonly mounts: readonly MountModel[];
  readonly ports: readonly PortModel[];
  readonly healthcheck: HealthcheckProps | undefined;
  /** GPUs the service sees; undefined for none. */
  readonly gpus: GpuSelection | undefined;
  readonly shmSize: string | undefined;
  /** Joins the deployment network; init's file-copying runners need no network. */
  readonly networked: boolean;
  /** How far the container is fenced in (model/hardening.ts says why for each service). */
  readonly hardening: HardeningModel;
  /** Where it runs, for a target on several machines. */
  readonly placement: PlacementModel;
}

/** Where a service runs: a host (key of {@link DeploymentModel.hosts}), or undefined for the core host, the one with the deployment folder. */
export interface PlacementModel {
  readonly host: string | undefined;
}

/** A machine of a multi-host deployment. */
export interface HostModel {
  readonly key: string;
  /** Its node name in the cluster. */
  readonly node: string;
  readonly gpus: number;
  /** The GPUs' UUIDs, index order; as many as `gpus`. */
  readonly gpuIds: readonly string[];
  /** Extra node labels, sorted by key. */
  readonly labels: readonly (readonly [string, string])[];
}

/**
 * Least privilege for one container. `capAdd` is undefined when the
 * capabilities are left as Docker's defaults (nothing dropped).
 */
export interface HardeningModel {
  /** `no-new-privileges`: no setuid binary or file capability can raise the process's privileges. */
  readonly noNewPrivileges: boolean;
  /** Every capability is dropped, then these are added back; undefined keeps Docker's default set. */
  readonly capAdd: readonly Capability[] | undefined;
  /** The image's root filesystem is mounted read-only; {@link tmpfs} holds what must stay writable. */
  readonly readOnly: boolean;
  /** Folders mounted as tmpfs (only with {@link readOnly}). */
  readonly tmpfs: readonly TmpfsModel[];
}

/** A tmpfs mount: a folder kept in memory, owned by root (0755) unless `owner` says whose it is. */
export interface TmpfsModel {
  readonly path: string;
  readonly owner?: { readonly uid: number; readonly gid: number; readonly mode: string };
}

/** A named volume of the deployment, by key: the engine's own, an NFS export, or one of a volume driver. */
export type VolumeModel = VolumeBase &
  (
    | { readonly kind: "named" }
    | { readonly kind: "nfs"; readonly server: string; readonly export: string; readonly options: readonly string[] }
    | { readonly kind: "driver"; readonly driver: string; readonly driverOpts: Readonly<Record<string, string>> }
  );

interface VolumeBase {
  readonly key: string;
  /** The engine-wide name, `<slug>_<key>`, so data survives a renamed folder. */
  readonly name: string;
}

export interface DeploymentModel {
  /** The settings the model was built from, for generators of non-service files. */
  readonly spec: DeploymentSpec;
  /** The deployment's name, as the config gives it. */
  readonly name: string;
  /** Its slug: the prefix of every service, host and volume name. */
  readonly slug: string;
  /** How init, the systemd unit and the READMEs run Compose on the host (`docker compose`). */
  readonly composeCommand: string;
  /** The machines services are placed on; empty for a single host. */
  readonly hosts: readonly HostModel[];
  /** The one network every service joins: its key and engine-wide name. */
  readonly network: { readonly key: string; readonly name: string };
  /** Long-running services, in the reference's order: core, workers, then custom. */
  readonly services: readonly ServiceModel[];
  readonly volumes: readonly VolumeModel[];
  /** One-shot services init runs, and the volumes only they use. */
  readonly init: { readonly services: readonly ServiceModel[]; readonly volumes: readonly VolumeModel[] };
}
