/**
 * README.md of the deployment folder, modelled on the template's seed README
 * but written for this deployment: its services and URLs, its workers and
 * GPUs, its compose command, and the typed settings that replace hand edits.
 */
import { markdownFile } from "../files/kinds.js";
import { DATASETS_TARGET } from "../model/builtin-volumes.js";
import { serviceName } from "../model/services.js";
import type { CustomContainerSpec, DeploymentSpec, WorkerSpec } from "../validation/spec.js";
import { ENTRY_POINTS, hostPort } from "../model/entry-points.js";
import { defaultOf, parseEnvRef } from "../model/env-value.js";
import type { DeploymentModel } from "../model/types.js";
import { mountString } from "../targets/compose/lower.js";
import type { OutFile } from "../files/out-file.js";

const code = (s: string | number) => `\`${s}\``;
const row = (cells: readonly (string | number)[]) => `| ${cells.join(" | ")} |`;

function table(head: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return [row(head), row(head.map(() => "---")), ...rows.map(row)].join("\n");
}

function endpoints(spec: DeploymentSpec): string {
  const host = spec.nginx.exposePortsOnLocalhostOnly ? "127.0.0.1" : spec.nginx.serverName;
  const scheme = spec.nginx.tls ? "https" : "http";
  const web = spec.nginx.tls ? spec.nginx.httpsPort : spec.nginx.httpPort;
  const url = (port: number, path = "") => `${scheme}://${host}:${port}${path}`;
  // The web app once (on the HTTPS port with TLS), HTTP services before TCP streams.
  const entries = ENTRY_POINTS.filter((e) => e.key !== "webTls");
  const rows: (string | number)[][] = [...entries.filter((e) => e.protocol === "http"), ...entries.filter((e) => e.protocol === "tcp")].map((e) => [
    e.what,
    e.key === "web" ? url(web, "/") : e.protocol === "http" ? url(hostPort(e, spec.nginx)) : `${host}:${hostPort(e, spec.nginx)}`,
    serviceName(spec.slug, e.upstream),
  ]);
  const note = spec.nginx.exposePortsOnLocalhostOnly
    ? "nginx publishes these ports on 127.0.0.1 only (`nginx.exposePortsOnLocalhostOnly`); reach them from other machines through an SSH tunnel or a reverse proxy."
    : `nginx publishes these ports on every interface of the host; the server name is ${code(spec.nginx.serverName)}.`;
  return `${table(["What", "Address", "Upstream service"], rows.map((r) => r.map((c, i) => (i === 0 ? c : code(c)))))}\n\n${note}`;
}

/** A run of workers listed as one row: same pool, image, queue and mounts, and no GPUs or one GPU each, numbered on. */
interface WorkerRun {
  readonly first: WorkerSpec;
  last: WorkerSpec;
  count: number;
}

/** The GPU a worker has when it has exactly one. */
const soleGpu = (w: WorkerSpec): number | undefined => (Array.isArray(w.gpus) && w.gpus.length === 1 ? w.gpus[0] : undefined);

/** Whether `w` carries on `run`: the next worker of the same pool, like it but for its name and (one-each) GPU. */
function continues(run: WorkerRun, w: WorkerSpec): boolean {
  const prev = run.last;
  if (w.kind !== prev.kind || w.index !== prev.index + 1 || w.host !== prev.host) return false;
  if (w.mounts !== prev.mounts && w.mounts.map(mountString).join("\n") !== prev.mounts.map(mountString).join("\n")) return false;
  if (prev.gpus === undefined || w.gpus === undefined) return prev.gpus === w.gpus;
  const a = soleGpu(prev);
  const b = soleGpu(w);
  return a !== undefined && b === a + 1;
}

/**
 * The workers table: one row per run of like workers (a pool of 250 is one
 * row, not 250), so the README of a large deployment stays readable.
 */
function workers(spec: DeploymentSpec): string {
  if (spec.workers.length === 0) return "This deployment has no workers; add some under `workers` in deployment.config.ts.";
  const runs: WorkerRun[] = [];
  for (const w of spec.workers) {
    const run = runs.at(-1);
    if (run !== undefined && continues(run, w)) {
      run.last = w;
      run.count++;
    } else runs.push({ first: w, last: w, count: 1 });
  }
  const rows = runs.map(({ first: w, last, count }) => {
    const gpus = w.gpus === undefined ? "—" : w.gpus === "all" ? "all" : count > 1 ? `${soleGpu(w)} to ${soleGpu(last)}, one each` : w.gpus.join(", ");
    return [
      count > 1 ? `${code(w.name)} to ${code(last.name)} (${count})` : code(w.name),
      code(spec.images[w.kind.image]),
      code(spec.profile.queues[w.kind.key]),
      gpus,
      [...(spec.datasetsDirectory ? [`${spec.datasetsDirectory}:${DATASETS_TARGET}:ro`] : []), ...w.mounts.map(mountString)].map(code).join("<br>") || "—",
    ];
  });
  return table(["Worker", "Image", "Queue", "GPUs", "Extra mounts"], rows);
}

/** Host address, port and container port of each published port, as Compose publishes them. */
function customPorts(spec: DeploymentSpec, k: CustomContainerSpec): string {
  const defaultIp = spec.nginx.exposePortsOnLocalhostOnly ? "127.0.0.1" : "";
  const ports = k.ports.map((p) => {
    const ip = p.hostIp ?? defaultIp;
    return code(`${ip === "" ? "" : `${ip.includes(":") ? `[${ip}]` : ip}:`}${p.host} → ${p.container}/${p.protocol ?? "tcp"}`);
  });
  return ports.join("<br>") || "—";
}

/** The `.env` variables a container's environment interpolates: which are secrets init draws, which have defaults. */
function envVariables(k: CustomContainerSpec): string {
  const vars = new Map<string, string>();
  for (const v of Object.values(k.environment)) {
    if (typeof v === "string") continue;
    const r = parseEnvRef(v.interpolate);
    if (!r) continue;
    const fallback = defaultOf(r);
    vars.set(r.var, v.secret === true ? " (secret, drawn by init)" : fallback !== undefined ? ` (optional, default ${code(fallback)})` : "");
  }
  return [...vars].sort(([a], [b]) => a.localeCompare(b)).map(([n, note]) => `${code(n)}${note}`).join("<br>") || "—";
}

function extras(m: DeploymentModel): string {
  const { spec } = m;
  const parts: string[] = [];
  if (spec.containers.length > 0) {
    parts.push(
      `### Custom containers\n\n${table(["Service", "Image", "Published ports", ".env variables"], spec.containers.map((k) => [code(k.name), code(k.image), customPorts(spec, k), envVariables(k)]))}\n\n` +
        "Every variable listed is in `.env` once `./init-deployment.sh` has run: init writes its own and draws a random value for each `secret(...)`; one with a default may be left out.",
    );
  }
  if (spec.volumes.length > 0) {
    parts.push(`### Extra volumes\n\n${table(["Volume", "Kind"], spec.volumes.map(([n, v]) => [code(n), v.type === "nfs" ? `NFS ${code(`${v.server}:${v.export}`)}` : `driver ${code(v.driver ?? "local")}`]))}`);
  }
  for (const t of spec.targets) {
    const extra = t.readme(m).extra;
    if (extra) parts.push(extra);
  }
  return parts.join("\n\n");
}

export function deploymentReadme(m: DeploymentModel): OutFile[] {
  const { spec } = m;
  const parts = spec.targets.map((t) => t.readme(m));
  const cc = spec.composeCommand;
  const ssl = [spec.nginx.tls ? "--enable-nginx-ssl" : "", spec.postgres.tls ? "--enable-postgres-ssl" : ""].filter(Boolean).join(" ");
  const text = `# ${spec.name}

A Dioptra deployment for a single host, run with plain \`${cc}\` and bash.
Every file here was generated by [dioptra-deploy](https://www.npmjs.com/package/dioptra-deploy) from \`deployment.config.ts\`:
change that file and run \`npx dioptra-deploy generate\`; do not edit these files by hand (the next run would replace them, and \`npx dioptra-deploy generate --check\` reports the drift).
Files you add here yourself (certificates, \`.env\`, \`secrets/\`) are never touched by the generator.

## Quickstart

\`\`\`sh
# Create the secrets, fill the named volumes, set up MinIO and the database (once)
./init-deployment.sh --branch main${ssl ? ` # ${ssl} is on by default for this deployment` : ""}

# Start Dioptra
${cc} up -d

# Stop Dioptra
${cc} down
\`\`\`

## Services

${endpoints(spec)}

## Workers

${workers(spec)}
${extras(m) ? `\n${extras(m)}\n` : ""}${parts.map((p) => (p.section ? `\n${p.section}` : "")).join("")}
## Initializing the deployment

\`init-deployment.sh\` needs only bash (4.4 or later), coreutils and Docker on the host (no Python, no Jinja2, no argbash).
It runs these steps in order, logging each one, and stops with the name of the step that failed:

1. Creates the secrets: \`.env\` and the files in \`secrets/\`, with random values from the kernel's CSPRNG (\`/dev/urandom\`, 192 bits per password), mode 0600.
   Existing files are kept, so re-running init keeps the current passwords working.
2. Copies extra CA certificates from \`ssl/ca-certificates/\` into the containers.
3. Fills the named volumes with the configuration files and sets their permissions.
4. Creates the MinIO accounts and policies.
5. Fetches the built-in plugins and builds the frontend from the Dioptra branch (\`--branch\`; skipped with \`--offline\`).
6. Turns SSL on or off in Postgres.

Run \`./init-deployment.sh --help\` for every option: \`--enable-nginx-ssl\`/\`--no-enable-nginx-ssl\`, \`--enable-postgres-ssl\`/\`--no-enable-postgres-ssl\` (defaults follow \`nginx.tls\` and \`postgres.tls\`), \`--branch\`, \`--worker-ssl-service tfcpu|pytorchcpu\`, \`--offline\` (skip the steps that need the internet), \`--secrets-only\` (only write \`.env\`, \`secrets/\` and the systemd unit).
Certificates go in \`ssl/\`: see [ssl/nginx/README.md](ssl/nginx/README.md), [ssl/db/README.md](ssl/db/README.md) and [ssl/ca-certificates/README.md](ssl/ca-certificates/README.md).

## Starting and stopping

- Start: \`${cc} up -d\`
- Status: \`${cc} ps\`
- Logs of one service: \`${cc} logs -f ${serviceName(spec.slug, "restapi")}\`
- Stop: \`${cc} down\`

### Using systemd

\`systemd/dioptra.service\` starts the deployment at boot${spec.systemd.requiredMounts.length > 0 ? ` once ${spec.systemd.requiredMounts.map(code).join(", ")} ${spec.systemd.requiredMounts.length === 1 ? "is" : "are"} mounted` : ""}.
${spec.systemd.deploymentPath ? `It is generated for ${code(spec.systemd.deploymentPath)}; copy this folder there.` : "`init-deployment.sh` writes it for the folder it runs in."}

\`\`\`sh
sudo cp systemd/dioptra.service /etc/systemd/system/dioptra.service
sudo systemctl daemon-reload
sudo systemctl enable --now dioptra
\`\`\`

## Changing the deployment

Edit \`deployment.config.ts\`; \`npx dioptra-deploy plan\` lists the files that would change, the services \`${cc} up -d\` would then recreate, and whether \`./init-deployment.sh\` must run again; \`npx dioptra-deploy generate\` writes them. Typed settings replace hand edits of the Compose files:
worker mounts (\`bindMount\`, \`volumeMount\`), NFS shares (\`nfsVolume\`), GPUs per worker (\`workers.<pool>.workers.<n>.gpus\`),
custom containers (\`customContainers\`, \`workerContainer\`) and raw Compose overlays (\`overrides\`, \`environments\`).
\`docker-compose.override.yml.template\` shows each of these settings next to the Compose override it replaces.

## Folder organization

${table(
    ["Path", "What it is"],
    [
      ["`docker-compose.yml`", "The services, network and named volumes (`<slug>_<name>`, so data survives a renamed folder)."],
      ["`docker-compose.init.yml`", "Short-lived containers `init-deployment.sh` uses to prepare the named volumes."],
      ["`docker-compose.override.yml.template`", "How typed settings replace hand-written Compose overrides (Compose does not read it); `overrides` in the config generates a real `docker-compose.override.yml`."],
      ["`envs/`", "Non-secret environment files of each service."],
      ["`config/`", "nginx, Postgres and MinIO configuration copied into the named volumes at init."],
      ["`scripts/`", "The init steps, plain bash run inside the init containers."],
      ["`ssl/`", "Where you put certificates and keys before init; they are git-ignored, the READMEs there are not."],
      ["`systemd/`", "The systemd unit."],
      ...parts.flatMap((p) => p.folders ?? []),
      ["`.env`, `secrets/`", "Created by init on this host, mode 0600, git-ignored. Never commit them."],
      ["`.dioptra-manifest.json`", "The list of generated files, so the generator removes only its own stale files."],
    ],
  )}
`;
  return [markdownFile("README.md", text)];
}
