/**
 * Override files. docker-compose.override.yml.template keeps the template's
 * commented examples (a block per actual worker, the NFS volume) so operators
 * who know the cookiecutter layout find them, and points at the typed
 * settings that replace hand edits. Real overlay files are generated from
 * `overrides` (docker-compose.override.yml) and `environments`
 * (docker-compose.<name>.yml), each checked against the Compose schema after
 * merging over docker-compose.yml, as Compose will read them.
 */
import { ConfigError } from "../dsl/errors.js";
import type { ComposeOverlay } from "../dsl/props.js";
import type { DeploymentSpec } from "../dsl/spec.js";
import { mainCompose } from "./compose/main.js";
import { mergeCompose } from "./compose/merge.js";
import { composeYaml, yamlBody } from "./compose/serialize.js";
import type { ComposeFile } from "./compose/types.js";
import { composeSchemaIssues } from "./compose/validate.js";
import { withMarker } from "./marker.js";
import type { OutFile } from "./out-file.js";

const TEMPLATE_INTRO = `------------------------------------------------------------------------------
This file shows how Compose override files customize a Dioptra deployment
(https://docs.docker.com/compose/multiple-compose-files/merge/). With
dioptra-deploy you rarely need to write one by hand: state the change in
deployment.config.ts and run \`npx dioptra-deploy generate\`:

  - a host folder in workers:   workers: { tensorflowCpu: { count: 1, mounts: [bindMount("/mnt/data", "/dioptra/data")] } }
  - an NFS share:               volumes: { "dioptra-data": nfsVolume({ server: "10.0.0.10", export: "/dioptra/data" }) }
                                and mounts: [volumeMount("dioptra-data", "/dioptra/data")]
  - GPUs per worker:            workers: { tensorflowGpu: { count: 1, workers: { 1: { gpus: "all" } } } }
  - a custom container:         customContainers: { "custom-container": workerContainer("cpu", { image: "custom-container:dev" }) }
  - anything else (CPU limits): overrides: { services: { "<service>": { cpus: "2.0" } } }
                                which generates docker-compose.override.yml.

The commented blocks below are the cookiecutter template's examples for
this deployment's workers.
------------------------------------------------------------------------------`;

/** The template's example overlay: two mounts per worker, all GPUs for GPU workers, an NFS volume. */
function templateExample(spec: DeploymentSpec): object {
  const services = Object.fromEntries(
    spec.workers.map((w) => [
      w.name,
      { volumes: ["/mnt/data:/dioptra/data:ro", "dioptra-data:/dioptra/data:ro"], ...(w.kind.gpu ? { environment: { NVIDIA_VISIBLE_DEVICES: "all" } } : {}) },
    ]),
  );
  return {
    // The template leaves an empty `# services:` when there are no workers.
    services: spec.workers.length > 0 ? services : null,
    volumes: { "dioptra-data": { driver: "local", driver_opts: { type: "nfs", o: "addr=10.0.0.10,auto,rw,bg,nfsvers=4,intr,actimeo=1800", device: ":/dioptra/data" } } },
  };
}

/** Comments out every line of a YAML body. */
const commented = (yaml: string) =>
  yaml
    .trimEnd()
    .split("\n")
    .map((l) => (l === "" ? "#" : `# ${l}`))
    .join("\n");

function overrideTemplate(spec: DeploymentSpec): OutFile {
  const body = commented(yamlBody(templateExample(spec) as ComposeFile));
  const intro = TEMPLATE_INTRO.split("\n").map((l) => `# ${l}`.trimEnd()).join("\n");
  return { path: "docker-compose.override.yml.template", content: withMarker(`${intro}\n\n${body}\n`, "hash"), mode: 0o644 };
}

function overlayFile(spec: DeploymentSpec, base: ComposeFile, path: string, dslPath: string, overlay: ComposeOverlay, usage: string): OutFile {
  const doc = JSON.parse(JSON.stringify(overlay)) as ComposeFile;
  const issues = composeSchemaIssues(dslPath, mergeCompose(base, doc)).map((i) => ({ ...i, path: i.path.replace(`${dslPath}: `, `${dslPath}.`) }));
  if (issues.length > 0) throw new ConfigError(issues, `${path} would not be a valid Compose overlay`);
  return { path, content: composeYaml(doc, [`Overlay for deployment "${spec.slug}" (${dslPath} in deployment.config.ts).`, usage]), mode: 0o644 };
}

export function overrideFiles(spec: DeploymentSpec): OutFile[] {
  const base = mainCompose(spec);
  return [
    overrideTemplate(spec),
    ...(spec.overrides ? [overlayFile(spec, base, "docker-compose.override.yml", "overrides", spec.overrides, "docker compose loads it automatically with docker-compose.yml.")] : []),
    ...spec.environments.map(([name, overlay]) =>
      overlayFile(spec, base, `docker-compose.${name}.yml`, `environments.${name}`, overlay, `Use: docker compose -f docker-compose.yml -f docker-compose.${name}.yml up -d`),
    ),
  ];
}
