/**
 * The seven env files under envs/, with the reference's keys, values and
 * order. They hold no secrets: those live in `.env` and `secrets/`, written
 * on the host by init.
 */
import { envSetFile, envSetName } from "../model/env-sets.js";
import { hashCommentFile } from "../files/kinds.js";
import { serviceName } from "../model/services.js";
import type { DeploymentSpec } from "../validation/spec.js";
import type { DeploymentModel } from "../model/types.js";
import type { OutFile } from "../files/out-file.js";

const CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

/**
 * The superuser and its database, when they are not the postgres image's
 * defaults. The template puts them in the password file, where the image
 * never reads them (it reads that whole file as the password), so its
 * `__db_admin_username` had no effect; here they reach the image.
 */
function adminAccount(spec: DeploymentSpec): string[] {
  const { adminUser, adminDatabase } = spec.postgres;
  if (adminUser === "postgres" && adminDatabase === "postgres") return [];
  return [`POSTGRES_USER=${adminUser}`, `POSTGRES_DB=${adminDatabase}`];
}

/** File stem (after `<slug>-`, or alone for ca-certificates) → lines. */
export function envFileLines(spec: DeploymentSpec): [string, string[]][] {
  const extra = (stem: keyof DeploymentSpec["profile"]["envExtras"]) => spec.profile.envExtras[stem] ?? [];
  const s = spec.slug;
  const minio = `http://${serviceName(s, "minio")}:9000`;
  const mlflow = `http://${serviceName(s, "mlflowTracking")}:5000`;
  return [
    ["ca-certificates", ["AWS_CA_BUNDLE", "CURL_CA_BUNDLE", "NODE_EXTRA_CA_CERTS", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"].map((k) => `${k}=${CA_BUNDLE}`)],
    ["db", ["POSTGRES_HOST_AUTH_METHOD=scram-sha-256", "POSTGRES_PASSWORD_FILE=/etc/postgresql/postgres-passwd", ...adminAccount(spec)]],
    ["dbadmin", [`PGADMIN_DEFAULT_EMAIL=${spec.pgadmin.defaultEmail}`, "PGADMIN_DISABLE_POSTFIX=yes", "PGADMIN_LISTEN_PORT=35050"]],
    ["mlflow-tracking", [`MLFLOW_S3_ENDPOINT_URL=${minio}`, ...extra("mlflow-tracking")]],
    // RQ_REDIS_URI carries Redis's password: it comes from .env (init), never from these committed files.
    ["restapi", ["DIOPTRA_RESTAPI_ENV=prod", `MLFLOW_S3_ENDPOINT_URL=${minio}`, `MLFLOW_TRACKING_URI=${mlflow}`]],
    ["worker-cpu", ['KMP_AFFINITY="none"', 'KMP_BLOCKTIME="1"', 'KMP_SETTINGS="FALSE"', 'OMP_PROC_BIND="false"']],
    [
      "worker",
      [...extra("worker"), `MLFLOW_TRACKING_URI=${mlflow}`, `MLFLOW_S3_ENDPOINT_URL=${minio}`, `DIOPTRA_API=http://${serviceName(s, "restapi")}:5000`],
    ],
  ];
}

export function envFilePath(slug: string, stem: string): string {
  return envSetFile(envSetName(slug, stem));
}

export function envFiles({ spec }: DeploymentModel): OutFile[] {
  return envFileLines(spec).map(([stem, lines]) => hashCommentFile(envFilePath(spec.slug, stem), `${lines.join("\n")}\n`));
}
