/** The names and labels every Kubernetes object of the base agrees on. */

/** Selects a workload's pods; also what NetworkPolicies select on. */
export const NAME_LABEL = "app.kubernetes.io/name";
export const PART_OF_LABEL = "app.kubernetes.io/part-of";
/** `core`, `worker`, `custom` or `init`. */
export const COMPONENT_LABEL = "app.kubernetes.io/component";

/** The Secrets create-secrets.sh makes (never in out/): what `.env` and `secrets/` hold for Compose. */
export const secretNames = (slug: string) => ({
  /** The `.env` variables, one key each. */
  env: `${slug}-env`,
  /** The Postgres superuser's password alone, read as a file (POSTGRES_PASSWORD_FILE). */
  postgres: `${slug}-postgres`,
  /** init-minio.sh's accounts file. */
  minioAccounts: `${slug}-minio-accounts`,
});

/** The key of the Postgres superuser's password in its Secret, and the file name it is mounted as. */
export const POSTGRES_PASSWORD_KEY = "postgres-passwd";

export const configMapNames = (slug: string) => ({
  nginx: `${slug}-nginx-conf`,
  scripts: `${slug}-init-scripts`,
  minioPolicies: `${slug}-minio-policies`,
  /** An env file's ConfigMap, from its stem (`restapi`, `ca-certificates`). */
  env: (stem: string) => `${slug}-env-${stem}`,
});

/** A claim's name: `<slug>-<volume key>`, as Compose names the volume `<slug>_<key>`. */
export const claimName = (slug: string, key: string) => `${slug}-${key}`;

export const labels = (slug: string, name: string, component: string): Record<string, string> => ({
  [NAME_LABEL]: name,
  [PART_OF_LABEL]: slug,
  [COMPONENT_LABEL]: component,
});
