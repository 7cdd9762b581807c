/**
 * Initialization: init-deployment.sh, the helper
 * scripts under scripts/ (plain bash, run inside the init containers) and,
 * when the deployment folder is configured, systemd/dioptra.service.
 * Secrets are never generated here: init-deployment.sh draws them on the host.
 */
import { hashCommentFile, shellScript } from "../../files/kinds.js";
import { SERVICES, serviceName } from "../../model/services.js";
import type { DeploymentSpec } from "../../validation/spec.js";
import { CONTAINER_SCRIPTS_DIR, DEFAULT_WORKER_SSL, INIT_SERVICES, SERVICE_SSL_SERVICES, WORKER_SSL_ROWS } from "../../model/init-jobs.js";
import type { DeploymentModel } from "../../model/types.js";
import { INIT_COMPOSE_FILE } from "../../targets/compose/files.js";
import { loadSecretsBash, minioAccountsPath, secretFiles, writeSecretsBash } from "./secrets.js";
import { shellQuote, shellWords } from "./shell.js";
import { UNIT_PATH, escapeSpecifiers, unitLines } from "./systemd.js";
import { prelude, render } from "./templates.js";
import type { OutFile } from "../../files/out-file.js";

/** The helper scripts under scripts/, with the log name each prints (the reference's LOGNAME). */
const HELPER_SCRIPTS: readonly (readonly [name: string, logName: string])[] = [
  ["copy-extra-ca-certificates", "Copy Extra CA Certificates"],
  ["file-copy", "File Copy"],
  ["git-clone", "Git Clone"],
  ["globbed-copy", "Globbed Copy"],
  ["init-frontend", "Init Frontend"],
  ["init-minio", "Init MinIO"],
  ["init-named-volumes", "Init Named Volumes"],
  ["manage-postgres-ssl", "Enable Postgres SSL"],
  ["register-worker", "Register Worker"],
  ["set-permissions", "Set Permissions"],
];

const script = shellScript;

/** Whether the release needs a helper: only 1.1 registers a workers' account. */
const needed = (spec: DeploymentSpec, name: string): boolean => name !== "register-worker" || spec.profile.workerAccount;

/** Values only init-minio.sh and register-worker.sh need; the other helpers take everything as options. */
function helperData(spec: DeploymentSpec, name: string): Record<string, unknown> {
  if (name === "register-worker") {
    const api = `http://${serviceName(spec.slug, "restapi")}:${SERVICES.restapi.port}`;
    return { api: shellQuote(api), apiPlain: api };
  }
  if (name !== "init-minio") return {};
  const accountsFile = `/${minioAccountsPath(spec.slug)}`;
  return {
    accountsFile: shellQuote(accountsFile),
    accountsFilePlain: accountsFile,
    // MinIO's S3 API port (9001 is its console).
    endpoint: shellQuote(`http://${serviceName(spec.slug, "minio")}:9000`),
    buckets: shellWords(spec.profile.minio.buckets),
    accounts: shellWords(spec.profile.minio.accounts.map((a) => a.variable)),
  };
}

/** `printf` arguments that write the unit, with WorkingDirectory taken from the shell at init time. */
function unitPrintfArgs(spec: DeploymentSpec): string {
  const marker = "\u0000";
  const lines = [
    "# Written by init-deployment.sh for the folder it ran in; init never rewrites it.",
    "# Install: sudo cp systemd/dioptra.service /etc/systemd/system/ && sudo systemctl enable --now dioptra",
    ...unitLines(spec, marker),
  ];
  const args = lines.map((l) => (l.includes(marker) ? `"${l.replace(marker, "${working_directory}")}"` : shellQuote(l)));
  return args.map((a, i) => `    ${a}${i < args.length - 1 ? " \\" : ""}`).join("\n");
}

function initDeploymentScript(spec: DeploymentSpec): OutFile {
  const files = secretFiles(spec);
  const indent = (lines: readonly string[]) => lines.map((l) => `  ${l}`).join("\n");
  const body = render("init-deployment.sh.ejs", {
    prelude: prelude("Init Deployment"),
    slug: shellQuote(spec.slug),
    compose: shellWords(spec.composeCommand.split(" ")),
    initComposeFile: shellQuote(INIT_COMPOSE_FILE),
    services: Object.fromEntries(Object.entries(INIT_SERVICES).map(([k, v]) => [k, shellQuote(v)])),
    sslServices: shellWords(SERVICE_SSL_SERVICES),
    dbPort: String(SERVICES.db.port),
    scriptsDir: shellQuote(CONTAINER_SCRIPTS_DIR),
    postgresAdminUser: shellQuote(spec.postgres.adminUser),
    postgresAdminDatabase: shellQuote(spec.postgres.adminDatabase),
    unitPath: spec.systemd.deploymentPath === undefined ? undefined : shellQuote(spec.systemd.deploymentPath),
    unitLines: unitPrintfArgs(spec),
    nginxSsl: spec.nginx.tls ? "on" : "off",
    nginxCertificate: shellQuote(spec.nginx.certificate ?? "provided"),
    serverName: shellQuote(spec.nginx.serverName),
    postgresSsl: spec.postgres.tls ? "on" : "off",
    workerSslDefault: shellQuote(DEFAULT_WORKER_SSL),
    workerAccount: spec.profile.workerAccount,
    release: spec.profile.release,
    workerSslChoices: WORKER_SSL_ROWS.map((r) => r.short),
    workerSslCase: `    ${WORKER_SSL_ROWS.map((r) => shellQuote(r.short)).join(" | ")}) return 0 ;;`,
    loadSecrets: indent(loadSecretsBash(files)),
    writeSecrets: indent(writeSecretsBash(files)),
  });
  return script("init-deployment.sh", body);
}

export function initFiles({ spec }: DeploymentModel): OutFile[] {
  const helpers = HELPER_SCRIPTS.filter(([name]) => needed(spec, name)).map(([name, logName]) =>
    script(`scripts/${name}.sh`, render(`scripts/${name}.sh.ejs`, { prelude: prelude(logName), ...helperData(spec, name) })),
  );
  const unit: OutFile[] =
    spec.systemd.deploymentPath === undefined
      ? []
      : [hashCommentFile(UNIT_PATH, `${unitLines(spec, escapeSpecifiers(spec.systemd.deploymentPath)).join("\n")}\n`)];
  return [
    initDeploymentScript(spec),
    ...helpers,
    ...unit,
  ];
}
