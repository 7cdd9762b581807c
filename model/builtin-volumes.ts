/** Named volumes of docker-compose.yml, in the reference's order. Each is named `<slug>_<key>` so data survives a renamed folder. */
export const MAIN_VOLUMES = [
  "dbadmin-ca-certificates",
  "dbadmin-data",
  "mlflow-tracking-ca-certificates",
  "mlflow-tracking-etc-ssl",
  "minio-certs",
  "minio-data",
  "nginx-ca-certificates",
  "nginx-conf-d",
  "nginx-etc-ssl",
  "nginx-frontend",
  "postgres-data",
  "postgres-docker-entrypoint-initdb-d",
  "postgres-etc-postgresql",
  "postgres-var-certs",
  "redis-data",
  "restapi-ca-certificates",
  "restapi-etc-ssl",
  "worker-ca-certificates",
  "worker-etc-ssl",
] as const;

/**
 * Volumes only docker-compose.init.yml uses. (The template's `init-scripts`
 * volume held argbash's output; the scripts are now plain files, bind-mounted.)
 */
export const INIT_ONLY_VOLUMES = ["init-repos", "mc-ca-certificates"] as const;

export type BuiltinVolume = (typeof MAIN_VOLUMES)[number] | (typeof INIT_ONLY_VOLUMES)[number];

export const BUILTIN_VOLUMES: ReadonlySet<string> = new Set<string>([...MAIN_VOLUMES, ...INIT_ONLY_VOLUMES]);

/** Where every worker sees `datasetsDirectory`, read-only. */
export const DATASETS_TARGET = "/dioptra/data";

/** NFS mount options when a volume gives none: the seed README's. */
export const DEFAULT_NFS_OPTIONS: readonly string[] = ["auto", "rw", "bg", "nfsvers=4", "intr", "actimeo=1800"];
