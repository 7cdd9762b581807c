/**
 * The resolved, validated deployment: defaults applied, workers expanded,
 * names derived. Generators read only this, never the user's props.
 */
import type { EnvSetRef } from "../model/env-sets.js";
import type { DioptraProfile } from "../profiles/types.js";
import type { Capability } from "../dsl/capabilities.js";
import type { ImageName } from "../dsl/images.js";
import type { ConfiguredTarget, TargetHosts } from "../targets/target.js";
import type { EnvValue, GpuSelection, HealthcheckProps, Mount, PortMapping, VolumeProps } from "../dsl/props.js";
import type { WorkerKindRow } from "../dsl/worker-kinds.js";

export interface WorkerSpec {
  readonly kind: WorkerKindRow;
  /** 1-based number within its pool. */
  readonly index: number;
  /** Service and host name, e.g. `dioptra-deployment-tfgpu-01`. */
  readonly name: string;
  /** GPUs for GPU workers; undefined for CPU workers. */
  readonly gpus: GpuSelection | undefined;
  /** Pool mounts followed by the worker's own. */
  readonly mounts: readonly Mount[];
  /** The host (key of `hosts`) it runs on, with a multi-host target; undefined otherwise. */
  readonly host: string | undefined;
}

export interface CustomContainerSpec {
  readonly name: string;
  readonly image: string;
  readonly restart: "no" | "always" | "on-failure" | "unless-stopped";
  readonly hostname: string;
  readonly entrypoint: readonly string[] | undefined;
  /** `host:port` targets, passed as `--wait-for` flags ahead of the command (only with {@link dioptraEntrypoint}). */
  readonly waitFor: readonly string[];
  /** The image's entrypoint reads `--wait-for` flags (a Dioptra image, or said so). */
  readonly dioptraEntrypoint: boolean;
  /** Services Compose starts first, by service name, with the condition to wait for. */
  readonly dependsOn: readonly { readonly service: string; readonly condition: "started" | "healthy" }[];
  /** The user's command, if any. */
  readonly command: readonly string[] | undefined;
  readonly environment: Readonly<Record<string, EnvValue>>;
  /** The env sets it reads: generated ones by name, the user's files by path. */
  readonly envSets: readonly EnvSetRef[];
  readonly mounts: readonly Mount[];
  readonly ports: readonly PortMapping[];
  readonly healthcheck: HealthcheckProps | undefined;
  readonly gpus: GpuSelection | undefined;
  /** Capabilities added back after dropping them all. */
  readonly capAdd: readonly Capability[];
}

export interface DeploymentSpec {
  /** The Dioptra release's facts (`dioptra: "1.1"`). */
  readonly profile: DioptraProfile;
  readonly name: string;
  readonly slug: string;
  readonly composeCommand: string;
  readonly images: Readonly<Record<ImageName, string>>;
  readonly nginx: {
    readonly serverName: string;
    readonly exposePortsOnLocalhostOnly: boolean;
    readonly httpPort: number;
    readonly httpsPort: number;
    readonly tls: boolean;
    /** Where the certificate comes from (`nginx.certificate`); set whenever `tls` is. */
    readonly certificate: "provided" | "self-signed" | undefined;
  };
  readonly postgres: {
    readonly tag: string;
    readonly adminUser: string;
    readonly adminDatabase: string;
    readonly tls: boolean;
    /** Major version of the db image, from its tag: 18 and later keep their data elsewhere. */
    readonly major: number;
  };
  readonly pgadmin: { readonly defaultEmail: string };
  readonly security: { readonly legacyTls: boolean; readonly hsts: boolean; readonly hstsMaxAge: number };
  /** Every worker, in the reference's service order (pool table order, then number). */
  readonly workers: readonly WorkerSpec[];
  readonly datasetsDirectory: string | undefined;
  readonly systemd: { readonly requiredMounts: readonly string[]; readonly deploymentPath: string | undefined };
  /** Extra named volumes, sorted by name. */
  readonly volumes: readonly (readonly [string, VolumeProps])[];
  /** Custom containers, sorted by name. */
  readonly containers: readonly CustomContainerSpec[];
  /** The machines services are placed on, when a target runs on several. */
  readonly hosts: TargetHosts | undefined;
  /** The targets the config asks for, their settings bound (Compose always). */
  readonly targets: readonly ConfiguredTarget[];
}
