/**
 * Override files. docker-compose.override.yml.template is documentation: it
 * shows, for this deployment's service names, which typed setting replaces
 * each kind of hand-written Compose override, and what such an override
 * would have looked like. Real overlay files are generated from `overrides`
 * (docker-compose.override.yml) and `environments`
 * (docker-compose.<name>.yml), each checked against the Compose schema after
 * merging over docker-compose.yml, as Compose will read them.
 */
import { hashCommentFile } from "../../files/kinds.js";
import { ConfigError } from "../../validation/issues.js";
import type { ComposeOverlay } from "../../dsl/props.js";
import { serviceName } from "../../model/services.js";
import type { DeploymentModel } from "../../model/types.js";
import { DEFAULT_NFS_OPTIONS } from "../../model/builtin-volumes.js";
import { nfsDriverOpts } from "./lower.js";
import { mergeCompose } from "./merge.js";
import { yamlBody } from "./serialize.js";
import type { ComposeFile } from "./types.js";
import { composeSchemaIssues } from "./validate.js";
import type { ComposeSettings } from "./settings.js";
import type { OutFile } from "../../files/out-file.js";

/** The overlay Compose loads by itself next to docker-compose.yml. */
export const OVERRIDE_FILE = "docker-compose.override.yml";

/** Example values, used both in the typed settings and in the YAML they stand for. */
const EXAMPLE = { hostFolder: "/srv/datasets", target: "/dioptra/data", volume: "datasets", nfsServer: "nfs.example.org", nfsExport: "/exports/datasets" };

/** The explanation at the top of the template, for this deployment's service names. */
function templateIntro(m: DeploymentModel, worker: string): string {
  const restapi = serviceName(m.slug, "restapi");
  return `This file is not read by anything: Compose only loads
docker-compose.override.yml. It explains how to customize this deployment
without hand-editing Compose files, which the next \`npx dioptra-deploy generate\`
would overwrite.

Put the change in deployment.config.ts and run \`npx dioptra-deploy generate\`. Typed
settings are checked (unknown keys, bad paths and names are errors at their
line), follow the worker count, and reach every file that needs them:

  A host folder, read-only, in every worker of a pool:
    workers: { tensorflowCpu: { count: 1, mounts: [bindMount("${EXAMPLE.hostFolder}", "${EXAMPLE.target}", { readOnly: true })] } }

  An NFS export as a named volume, mounted in the workers:
    volumes: { ${EXAMPLE.volume}: nfsVolume({ server: "${EXAMPLE.nfsServer}", export: "${EXAMPLE.nfsExport}" }) },
    workers: { tensorflowCpu: { count: 1, mounts: [volumeMount("${EXAMPLE.volume}", "${EXAMPLE.target}")] } }

  GPUs for one worker (NVIDIA_VISIBLE_DEVICES and the nvidia runtime):
    workers: { pytorchGpu: { count: 2, workers: { 2: { gpus: [1, 2] } } } }

  A container of your own, wired like a worker:
    customContainers: { "my-worker": workerContainer("cpu", { image: "my-worker:1.0" }) }

  Anything without a setting (CPU or memory limits, labels, logging):
    overrides: { services: { "${restapi}": { cpus: "2.0" } } }
  generates docker-compose.override.yml, checked against the Compose schema
  merged over docker-compose.yml; environments: { staging: { ... } } generates
  docker-compose.staging.yml for \`-f docker-compose.yml -f docker-compose.staging.yml\`.

For comparison, the hand-written override that the first two settings
replace (${worker === WORKER_PLACEHOLDER ? "this deployment has no workers; a placeholder name is used" : `for worker ${worker}`}):`;
}

const WORKER_PLACEHOLDER = "<worker service>";

/** The hand-written overlay that the bind-mount and NFS examples replace. */
function handWrittenExample(worker: string): object {
  return {
    services: { [worker]: { volumes: [`${EXAMPLE.hostFolder}:${EXAMPLE.target}:ro`] } },
    volumes: {
      [EXAMPLE.volume]: {
        driver: "local",
        driver_opts: nfsDriverOpts(EXAMPLE.nfsServer, EXAMPLE.nfsExport, DEFAULT_NFS_OPTIONS),
      },
    },
  };
}

/** Comments out every line of a text. */
const commented = (text: string) =>
  text
    .trimEnd()
    .split("\n")
    .map((l) => `# ${l}`.trimEnd())
    .join("\n");

function overrideTemplate(m: DeploymentModel): OutFile {
  const worker = m.services.find((s) => s.role === "worker")?.name ?? WORKER_PLACEHOLDER;
  const body = commented(yamlBody(handWrittenExample(worker) as ComposeFile));
  return hashCommentFile("docker-compose.override.yml.template", `${commented(templateIntro(m, worker))}\n#\n${body}\n`);
}

function overlayFile(m: DeploymentModel, base: ComposeFile, path: string, dslPath: string, overlay: ComposeOverlay, usage: string): OutFile {
  const doc = JSON.parse(JSON.stringify(overlay)) as ComposeFile;
  const issues = composeSchemaIssues(dslPath, mergeCompose(base, doc)).map((i) => ({ ...i, path: i.path.replace(`${dslPath}: `, `${dslPath}.`) }));
  if (issues.length > 0) throw new ConfigError(issues, `${path} would not be a valid Compose overlay`);
  return hashCommentFile(path, yamlBody(doc), [`Overlay for deployment "${m.slug}" (${dslPath} in deployment.config.ts).`, usage]);
}

/** The overlay files, checked merged over `base`, the already lowered docker-compose.yml. */
export function overrideFiles(m: DeploymentModel, settings: ComposeSettings, base: ComposeFile): OutFile[] {
  return [
    overrideTemplate(m),
    ...(settings.overrides ? [overlayFile(m, base, OVERRIDE_FILE, "overrides", settings.overrides, "docker compose loads it automatically with docker-compose.yml.")] : []),
    ...settings.environments.map(([name, overlay]) =>
      overlayFile(m, base, `docker-compose.${name}.yml`, `environments.${name}`, overlay, `Use: docker compose -f docker-compose.yml -f docker-compose.${name}.yml up -d`),
    ),
  ];
}
