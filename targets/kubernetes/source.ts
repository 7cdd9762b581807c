/**
 * What the Kubernetes target reads from the deployment: the one module that
 * knows the model's shape (and the generated files it reuses: nginx confs,
 * env files, init scripts, MinIO policies), so the rest of the target is a
 * pure function of this view and the target's settings.
 */
import { serviceName } from "../../dsl/services.js";
import type { DioptraService, EnvValue, GpuSelection, HealthcheckProps } from "../../dsl/props.js";
import type { GpuWorkerKind } from "../../dsl/worker-kinds.js";
import { dbAndMinioFiles } from "../../generators/db-minio.js";
import { envFiles } from "../../generators/env-files.js";
import { initFiles } from "../../generators/init-files.js";
import { nginxConfs } from "../../generators/nginx.js";
import type { OutFile } from "../../generators/out-file.js";
import { secretFiles, type SecretFile } from "../../generators/init/secrets.js";
import type { DeploymentModel, HardeningModel, MountModel, ServiceModel } from "../../model/types.js";
import type { KubernetesSpec } from "./settings.js";

/** A long-running service, as the target lowers it. */
export interface SourceService {
  readonly name: string;
  readonly role: "core" | "worker" | "custom";
  /** Which of the deployment's own services this is, if one. */
  readonly dioptra: DioptraService | undefined;
  readonly image: string;
  readonly entrypoint: readonly string[] | undefined;
  readonly waitFor: readonly string[];
  readonly args: readonly EnvValue[];
  readonly waitAfterArgs: boolean;
  readonly hasCommand: boolean;
  readonly environment: Readonly<Record<string, EnvValue>>;
  /** Env file paths as Compose names them (`./envs/…`). */
  readonly envFiles: readonly string[];
  readonly mounts: readonly MountModel[];
  /** Ports the container listens on. */
  readonly ports: readonly { readonly name: string; readonly port: number; readonly protocol: "TCP" | "UDP" }[];
  readonly healthcheck: HealthcheckProps | undefined;
  readonly gpus: GpuSelection | undefined;
  /** The GPU pool of a GPU worker. */
  readonly gpuPool: GpuWorkerKind | undefined;
  readonly shmSize: string | undefined;
  readonly hardening: HardeningModel;
  /** Services it waits on by condition (custom containers' dependsOn). */
  readonly dependsOn: readonly string[];
}

export interface Source {
  readonly slug: string;
  readonly name: string;
  readonly serverName: string;
  readonly workerAccount: boolean;
  readonly images: Readonly<Record<"db" | "mc" | "restapi", string>>;
  readonly postgres: { readonly adminUser: string; readonly adminDatabase: string };
  readonly services: readonly SourceService[];
  /** Volumes of the config: NFS shares by key. */
  readonly nfs: Readonly<Record<string, { readonly server: string; readonly path: string }>>;
  readonly settings: KubernetesSpec;
  /** Generated files reused as ConfigMap data, by path in out/. */
  readonly files: ReadonlyMap<string, string>;
  readonly secrets: readonly SecretFile[];
}

/**
 * Ports each of the deployment's own services listens on, named (≤ 15
 * characters, as Kubernetes requires). nginx's HTTPS port and its Postgres
 * stream are left out: TLS ends at the Ingress, and the database is reached
 * only inside the namespace.
 */
export const LISTEN: Readonly<Record<DioptraService, readonly (readonly [string, number])[]>> = {
  nginx: [["http", 30080], ["mlflow", 35000], ["dbadmin", 35050], ["minio-api", 39000], ["minio-console", 39001]],
  minio: [["api", 9000], ["console", 9001]],
  db: [["postgres", 5432]],
  dbadmin: [["http", 35050]],
  redis: [["redis", 6379]],
  mlflowTracking: [["http", 5000]],
  restapi: [["http", 5000]],
};

const DIOPTRA = Object.keys(LISTEN) as DioptraService[];

function dioptraOf(slug: string, s: ServiceModel): DioptraService | undefined {
  return s.role === "core" ? DIOPTRA.find((d) => serviceName(slug, d) === s.name) : undefined;
}

function sourceService(m: DeploymentModel, s: ServiceModel): SourceService {
  const { spec } = m;
  const dioptra = dioptraOf(spec.slug, s);
  const worker = s.role === "worker" ? spec.workers.find((w) => w.name === s.name) : undefined;
  const custom = s.role === "custom" ? spec.containers.find((k) => k.name === s.name) : undefined;
  const ports = dioptra
    ? LISTEN[dioptra].map(([name, port]) => ({ name, port, protocol: "TCP" as const }))
    : s.ports.map((p) => ({ name: `${p.protocol === "udp" ? "u" : "p"}${p.container}`, port: p.container, protocol: p.protocol === "udp" ? ("UDP" as const) : ("TCP" as const) }));
  return {
    name: s.name,
    role: s.role === "init" ? "core" : s.role,
    dioptra,
    image: s.image,
    entrypoint: s.entrypoint,
    waitFor: s.waitFor,
    args: s.args,
    waitAfterArgs: s.waitAfterArgs,
    hasCommand: s.hasCommand,
    environment: s.environment,
    envFiles: s.envFiles,
    mounts: s.mounts,
    ports: [...new Map(ports.map((p) => [`${p.port}/${p.protocol}`, p])).values()],
    healthcheck: s.healthcheck,
    gpus: s.gpus,
    gpuPool: worker?.kind.gpu ? (worker.kind.key as GpuWorkerKind) : undefined,
    shmSize: s.shmSize,
    hardening: s.hardening,
    dependsOn: custom?.dependsOn.map((d) => d.service) ?? [],
  };
}

export function readSource(m: DeploymentModel, settings: KubernetesSpec): Source {
  const { spec } = m;
  const reused: OutFile[] = [...nginxConfs(m), ...envFiles(m), ...initFiles(m), ...dbAndMinioFiles(m)];
  return {
    slug: spec.slug,
    name: spec.name,
    serverName: spec.nginx.serverName,
    workerAccount: spec.profile.workerAccount,
    images: { db: spec.images.db, mc: spec.images.mc, restapi: spec.images.restapi },
    postgres: { adminUser: spec.postgres.adminUser, adminDatabase: spec.postgres.adminDatabase },
    services: m.services.map((s) => sourceService(m, s)),
    nfs: Object.fromEntries(spec.volumes.flatMap(([k, v]) => (v.type === "nfs" ? [[k, { server: v.server, path: v.export }]] : []))),
    settings,
    files: new Map(reused.map((f) => [f.path, f.content])),
    secrets: secretFiles(spec),
  };
}
