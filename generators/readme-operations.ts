/**
 * The operator's sections of the deployment's README: where each kind of
 * state lives, where each login's password is (variable names, never
 * values), the first Dioptra user, backup and restore, upgrades and
 * renames, GPU hosts, and importing resources.
 */
import { serviceName } from "../dsl/services.js";
import { STATE_VOLUMES } from "../model/facts.js";
import type { DeploymentModel } from "../model/types.js";

const code = (s: string | number) => `\`${s}\``;

function stateTable(model: DeploymentModel): string {
  const { spec } = model;
  const vol = (k: string) => code(`${spec.slug}_${k}`);
  const rows = [
    ...Object.entries(STATE_VOLUMES).map(([k, what]) => [what, `volume ${vol(k)}`, k === "redis-data" ? "no (only queued jobs are lost)" : "no"]),
    ...spec.volumes.map(([k, v]) => [`your volume ${code(k)}`, v.type === "nfs" ? `NFS ${code(`${v.server}:${v.export}`)}` : `volume ${vol(k)}`, v.type === "nfs" ? "on its server" : "no"]),
    ["passwords and keys", "`.env`, `secrets/` (this folder, mode 0600)", "no: the databases and MinIO hold hashes or data encrypted with them"],
    ["TLS certificates and keys", "`ssl/` (this folder)", "only by issuing them again"],
    ["what init recorded (release, slug, PostgreSQL major)", "`.dioptra-init-state` (this folder)", "yes, but plan and generate read it to refuse unsafe changes"],
    ["the web app, nginx confs, CA bundles, certificate copies", "the other named volumes", "yes: `./init-deployment.sh` fills them"],
  ];
  return ["| State | Where | Rebuildable? |", "| --- | --- | --- |", ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

function logins(model: DeploymentModel): string {
  const { spec } = model;
  const rows = [
    ["pgAdmin", `${code(spec.pgadmin.defaultEmail)} (\`pgadmin.defaultEmail\`)`, "`PGADMIN_DEFAULT_PASSWORD` in `.env`"],
    ["MinIO console (administrator)", "`MINIO_ROOT_USER` in `.env`", "`MINIO_ROOT_PASSWORD` in `.env`"],
    ["PostgreSQL superuser", `${code(spec.postgres.adminUser)}`, "`POSTGRES_PASSWORD` in `secrets/postgres-passwd.env`"],
    ["PostgreSQL, the applications' user", "`dioptra`", "`POSTGRES_USER_DIOPTRA_PASSWORD` in `.env`"],
    ["Redis", "(no user)", "`REDIS_PASSWORD` in `.env`"],
    ...(spec.profile.workerAccount ? [["Dioptra, the workers' account", "`DIOPTRA_WORKER_USERNAME` in `.env`", "`DIOPTRA_WORKER_PASSWORD` in `.env`"]] : []),
  ];
  return ["| Login | User | Password |", "| --- | --- | --- |", ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

export function operationsReadme(model: DeploymentModel): string {
  const { spec } = model;
  const cc = spec.composeCommand;
  const oneOne = spec.profile.workerAccount;
  const gpu = spec.workers.some((w) => w.gpus !== undefined) || spec.containers.some((k) => k.gpus !== undefined);
  return `## Where the state lives

${stateTable(model)}

Every volume's name starts with the slug (${code(spec.slug)}), not the folder's name, so moving the folder keeps the data.

## Logins

Passwords are created by init on this host; this README names where they are, never what they are.

${logins(model)}

## The first Dioptra user

Dioptra has no built-in administrator. Open the web app and register, or call the REST API from this host
(the password is read without echo):

\`\`\`sh
read -rp "user: " u; read -rp "e-mail: " e; read -rsp "password: " p; echo
curl -fsS -H 'Content-Type: application/json' -X POST http://127.0.0.1:${spec.nginx.httpPort}/api/v1/users/ \\
  --data "$(printf '{"username":"%s","email":"%s","password":"%s","confirmPassword":"%s"}' "$u" "$e" "$p" "$p")"
\`\`\`
${oneOne ? "\nThe workers' own account (`DIOPTRA_WORKER_USERNAME`) is registered by init; do not use it for people.\n" : ""}
## Backing up and restoring

\`\`\`sh
./backup.sh                      # backups/${spec.slug}-<UTC time>.tar, mode 0600; no service is stopped
./restore.sh backups/<file>.tar  # in a fresh copy of this folder, on a fresh host (add -- --offline for init's options)
\`\`\`

\`backup.sh\` dumps each database with \`pg_dump\` while it runs (a consistent snapshot per database), copies the
MinIO, Redis and pgAdmin volumes read-only while they run, and adds \`.env\`, \`secrets/\`, \`ssl/\` and \`.dioptra-init-state\`.
\`MANIFEST\` in the archive names the Dioptra release, the PostgreSQL major, the images and the config's hash; \`SHA256SUMS\` holds one checksum per member.
The archive holds every password of the deployment: keep it as safe as \`.env\` (\`backups/\` is git-ignored).
MinIO's users and policies are encrypted with \`MINIO_KMS_SECRET_KEY\`: the MinIO volume is only usable together with the \`.env\` it was backed up with, which is why both are in one archive.

\`restore.sh\` checks every checksum and refuses an archive of another Dioptra release or PostgreSQL major (generate the folder for the archive's, restore, then upgrade) before it changes anything; it never writes over an existing \`.env\` or data volume.
It then puts back the files and volumes, runs \`./init-deployment.sh --skip-minio-setup\` for what init rebuilds, and restores the databases. Start the deployment with \`${cc} up -d\`.

## Upgrading and renaming

\`npx dioptra-deploy plan\` lists each change of the config with its class: *harmless* (Compose recreates containers), *init* (run \`./init-deployment.sh\` again), *migration* (moves data, declared in the config: the plan lists the steps) or *data* (would strand data: \`generate\` refuses it and names the way through).
\`plan\` and \`generate\` compare with \`.dioptra-state.json\` (what the last generation recorded) and, in this folder on the host, with \`.dioptra-init-state\` and \`.env\`.

- **PostgreSQL major version** (\`postgres.tag\` ${spec.postgres.major} → another major, up or down): PostgreSQL cannot open another major's data folder.
  Declare the move with \`upgrade: { postgres: { from: ${spec.postgres.major} } }\`; back up first (\`./backup.sh\`).
- **Dioptra 1.0 → 1.1**: the REST API and MLflow migrate their schemas in place at their first start, with no way back but a backup.
  Declare it with \`upgrade: { dioptra: { from: "1.0" } }\`; \`plan\` then lists the steps: back up, stop, run init (the workers' account, MinIO's 1.1 policy), start.
  1.1's worker queues use dashes (\`tensorflow-cpu\`), 1.0's underscores: jobs still queued under the old names are not picked up, so let the queues drain first.
  1.0's \`plugins\` and \`workflow\` buckets stay in MinIO with their objects; 1.1 uses only \`mlflow-tracking\`.
- **Renaming**: \`name\` is free to change. The slug (${code(spec.slug)}) prefixes every volume, host name and the URIs in \`.env\`; to rename and keep the data, set \`slug\` to the current one, e.g. \`name: "Lab Two", slug: "${spec.slug}"\`.

## GPU hosts

${gpu ? "This deployment has GPU workers or containers." : "This deployment has no GPU workers now; the same applies when you add some."} Before \`${cc} up -d\` on a GPU host,
install the NVIDIA driver and the NVIDIA Container Toolkit, and register its runtime with Docker:

\`\`\`sh
sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl restart docker
docker run --rm --gpus all ubuntu nvidia-smi   # must list the GPUs
\`\`\`
${oneOne ? `
## Importing resources

\`./import-resources.sh\` loads Dioptra's example plugins and entrypoints (or your own, from any git repository the server can reach) into the running deployment:

\`\`\`sh
./import-resources.sh --host http://127.0.0.1:${spec.nginx.httpPort} -u <user>   # asks for the password without echo
./import-resources.sh --git-url https://github.com/usnistgov/dioptra --git-branch main --group 1 --overwrite
\`\`\`

The same environment variables work: \`DIOPTRA_HOST\`, \`DIOPTRA_USERNAME\`, \`DIOPTRA_PASSWORD\`, \`DIOPTRA_BRANCH\`. The server clones the repository itself.
` : ""}`;
}
