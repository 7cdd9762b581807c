/**
 * The `.env` inventory: every variable init writes into `.env`, and how its
 * value is made (literal text around at most one secret drawn on the host).
 * Init's secrets step and the DSL's check of `fromEnv(NAME)` both read it, so
 * the two cannot disagree.
 */
import { APP_DATABASES, APP_ROLE } from "../profiles/databases.js";
import { serviceName } from "./services.js";

/**
 * How a value is drawn from /dev/urandom:
 * - token: 24 bytes as base64url, 32 characters of [A-Za-z0-9_-] (192 bits),
 *   safe unquoted in a postgres URI, an env file and Compose interpolation;
 * - kms: 32 bytes in standard base64, the encoding MinIO decodes
 *   MINIO_KMS_SECRET_KEY from (256 bits; it never appears in a URI).
 */
export type SecretKind = "token" | "kms";

/** The reference's password variables, by template variable name. */
export const SECRETS: Readonly<Record<string, SecretKind>> = {
  postgres_user_dioptra_password: "token",
  dioptra_worker_password: "token",
  minio_root_password: "token",
  minio_kms_secret_key: "kms",
  minio_mlflow_tracking_password: "token",
  pgadmin_default_password: "token",
  minio_restapi_password: "token",
  minio_worker_password: "token",
  postgres_admin_password: "token",
  // Not in the reference, whose Redis took any client on the network.
  redis_password: "token",
};

export type SecretName = keyof typeof SECRETS & string;

/** A value: literal text around at most one secret. */
export interface SecretValue {
  readonly prefix: string;
  readonly secret?: SecretName;
  readonly suffix: string;
}

/** Literal text, and text around a secret drawn by init. */
export const text = (prefix: string): SecretValue => ({ prefix, suffix: "" });
export const secret = (name: SecretName, prefix = "", suffix = ""): SecretValue => ({ prefix, secret: name, suffix });

/** The variables of `.env` for deployment `s` (its slug), in the order init writes them. */
export function dotEnvLines(s: string): [string, SecretValue][] {
  const db = serviceName(s, "db");
  return [
    ["DIOPTRA_RESTAPI_DATABASE_URI", secret("postgres_user_dioptra_password", `postgresql://${APP_ROLE}:`, `@${db}/${APP_DATABASES.restapi}`)],
    ["DIOPTRA_MLFLOW_TRACKING_DATABASE_URI", secret("postgres_user_dioptra_password", `postgresql://${APP_ROLE}:`, `@${db}/${APP_DATABASES.mlflowTracking}`)],
    ["DIOPTRA_WORKER_USERNAME", text("dioptra-worker")],
    ["DIOPTRA_WORKER_PASSWORD", secret("dioptra_worker_password")],
    ["MINIO_ROOT_USER", text("dioptra-admin")],
    ["MINIO_ROOT_PASSWORD", secret("minio_root_password")],
    ["MINIO_KMS_SECRET_KEY", secret("minio_kms_secret_key", `${serviceName(s, "minio")}-key:`)],
    ["MLFLOW_TRACKING_AWS_ACCESS_KEY_ID", text("dioptra-mlflow-tracking")],
    ["MLFLOW_TRACKING_AWS_SECRET_ACCESS_KEY", secret("minio_mlflow_tracking_password")],
    ["PGADMIN_DEFAULT_PASSWORD", secret("pgadmin_default_password")],
    ["POSTGRES_USER_DIOPTRA_PASSWORD", secret("postgres_user_dioptra_password")],
    // Not in the reference: Redis requires a password, and the URI that the REST API and the
    // workers use carries it (the template put a password-less URI in the committed env files).
    ["REDIS_PASSWORD", secret("redis_password")],
    ["RESTAPI_AWS_ACCESS_KEY_ID", text("dioptra-restapi")],
    ["RESTAPI_AWS_SECRET_ACCESS_KEY", secret("minio_restapi_password")],
    ["RQ_REDIS_URI", secret("redis_password", "redis://:", `@${serviceName(s, "redis")}:6379/0`)],
    ["WORKER_AWS_ACCESS_KEY_ID", text("dioptra-worker")],
    ["WORKER_AWS_SECRET_ACCESS_KEY", secret("minio_worker_password")],
    // Not in the reference: without it Compose names the project after the folder.
    ["COMPOSE_PROJECT_NAME", text(s)],
  ];
}

/** The names of the variables init writes into `.env`. */
export const INIT_ENV_NAMES: readonly string[] = dotEnvLines("").map(([name]) => name);
