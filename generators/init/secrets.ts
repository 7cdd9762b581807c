/**
 * The secrets init creates on the host: `.env` and the files under
 * `secrets/`, with the reference templates' variable names (dot-env.j2,
 * postgres-passwd.env.j2, minio-accounts.env.j2). Only their shape lives
 * here; the values are drawn by init-deployment.sh, never at generate time.
 */
import { serviceName } from "../../model/services.js";
import type { DeploymentSpec } from "../../validation/spec.js";
import { doubleQuoted, shellQuote } from "./shell.js";
import { parseEnvRef } from "../../model/env-value.js";
import { SECRETS, dotEnvLines, secret, text, type SecretKind, type SecretName, type SecretValue } from "../../model/dot-env.js";
export { SECRETS, type SecretKind, type SecretName, type SecretValue } from "../../model/dot-env.js";

export interface SecretFile {
  readonly path: string;
  /** Comment lines on top, where the file's reader allows them. */
  readonly header: readonly string[];
  readonly lines: readonly (readonly [key: string, value: SecretValue])[];
}

const HEADER = ["# Created by init-deployment.sh on this host, which never rewrites it. Secret: keep it out of version control."];

/** The MinIO accounts file, relative to the deployment folder (mounted at /secrets in mc). */
export function minioAccountsPath(slug: string): string {
  return `secrets/${slug}-minio-accounts.env`;
}

/** The policies the release attaches to a MinIO account, as init-minio.sh reads them. */
const policiesOf = (spec: DeploymentSpec, account: string): string => (spec.profile.minio.accounts.find((a) => a.variable === account)?.policies ?? []).join(",");

/** Keeps the config's secret names apart from ours in init's `secret[...]` table. */
const CUSTOM_PREFIX = "custom_";

/** The variables the config declares with secret(...), sorted, each once. */
export function customSecrets(spec: DeploymentSpec): string[] {
  const names = spec.containers.flatMap((k) =>
    Object.values(k.environment).flatMap((v) => (typeof v === "object" && v.secret === true ? [parseEnvRef(v.interpolate)?.var ?? ""].filter(Boolean) : [])),
  );
  return [...new Set(names)].sort();
}

export function secretFiles(spec: DeploymentSpec): SecretFile[] {
  const s = spec.slug;
  const db = serviceName(s, "db");
  return [
    {
      path: ".env",
      header: HEADER,
      lines: [
        ...dotEnvLines(s),
        // The config's own, declared with secret(...) in a custom container's environment.
        ...customSecrets(spec).map((name): [string, SecretValue] => [name, secret(`${CUSTOM_PREFIX}${name}`)]),
      ],
    },
    {
      path: "secrets/postgres-passwd.env",
      // None: the postgres image reads this whole file as the admin password (POSTGRES_PASSWORD_FILE).
      header: [],
      lines: [
        ["POSTGRES_PASSWORD", secret("postgres_admin_password")],
        ["POSTGRES_USER", text(spec.postgres.adminUser)],
        ["POSTGRES_DB", text(spec.postgres.adminDatabase)],
      ],
    },
    {
      path: minioAccountsPath(s),
      header: HEADER,
      lines: [
        ["MINIO_ROOT_USER", text("dioptra-admin")],
        ["MINIO_ROOT_PASSWORD", secret("minio_root_password")],
        ["MINIO_MLFLOW_TRACKING_USER", text("dioptra-mlflow-tracking")],
        ["MINIO_MLFLOW_TRACKING_PASSWORD", secret("minio_mlflow_tracking_password")],
        ["MINIO_MLFLOW_TRACKING_POLICIES", text(policiesOf(spec, "MINIO_MLFLOW_TRACKING"))],
        ["MINIO_RESTAPI_USER", text("dioptra-restapi")],
        ["MINIO_RESTAPI_PASSWORD", secret("minio_restapi_password")],
        ["MINIO_RESTAPI_POLICIES", text(policiesOf(spec, "MINIO_RESTAPI"))],
        ["MINIO_WORKER_USER", text("dioptra-worker")],
        ["MINIO_WORKER_PASSWORD", secret("minio_worker_password")],
        ["MINIO_WORKER_POLICIES", text(policiesOf(spec, "MINIO_WORKER"))],
      ],
    },
  ];
}

/**
 * Bash that fills `secret[name]` from the files that already exist (so a
 * partly deleted set is completed with the values still in use), stops if
 * one of them sets a secret to an empty value, then draws the rest.
 */
export function loadSecretsBash(files: readonly SecretFile[]): string[] {
  const loads = files.flatMap((f) =>
    f.lines.flatMap(([key, v]) => (v.secret ? [`load_secret ${[v.secret, f.path, key, v.prefix, v.suffix].map(shellQuote).join(" ")}`] : [])),
  );
  // Ours in the table's order, then the config's (drawn as tokens).
  const custom = files.flatMap((f) => f.lines.flatMap(([, v]) => (v.secret && !(v.secret in SECRETS) ? [v.secret] : [])));
  const draws = [...Object.entries(SECRETS), ...[...new Set(custom)].map((n): [string, SecretKind] => [n, "token"])].map(([name, kind]) => `draw_secret ${name} ${kind}`);
  return [...loads, "refuse_blank_secrets", ...draws];
}

/** Bash that writes each file, or adds to an existing one the lines it lacks. */
export function writeSecretsBash(files: readonly SecretFile[]): string[] {
  return files.flatMap((f) => [
    `write_secret_file ${shellQuote(f.path)} \\`,
    ...[...f.header.map((h) => shellQuote(h)), ...f.lines.map(([key, v]) => `"${doubleQuoted(`${key}=${v.prefix}`)}${v.secret ? `\${secret[${v.secret}]}` : ""}${doubleQuoted(v.suffix)}"`)].map(
      (arg, i, all) => `  ${arg}${i < all.length - 1 ? " \\" : ""}`,
    ),
  ]);
}
