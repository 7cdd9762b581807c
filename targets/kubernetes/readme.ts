/** The "Running on Kubernetes" section of the deployment's README.md, with the mapping table the tests read. */
import type { DeploymentModel } from "../../model/types.js";
import { components } from "./components.js";
import { baseObjects } from "./files.js";
import { COMPOSE_TO_KUBERNETES } from "./mapping.js";
import { secretNames } from "./names.js";
import { podLevel } from "./pod-security.js";
import { readSource } from "./source.js";
import type { Workload } from "./workloads.js";

const code = (s: string) => `\`${s}\``;
const cell = (s: string) => s.replace(/\|/g, "\\|");

/** The heading of the mapping table, which the tests look for. */
export const MAPPING_HEADING = "### How the Compose services map to Kubernetes";

export function kubernetesReadmeSection(m: DeploymentModel): string {
  const settings = m.spec.kubernetes;
  if (!settings) return "";
  const src = readSource(m, settings);
  const objects = baseObjects(src).flatMap((b) => b.docs) as Workload[];
  const workloads = objects.filter((o) => o.kind === "Deployment" || o.kind === "StatefulSet");
  const comps = components(src, objects);
  const exceptions = workloads.flatMap((w) => {
    const l = podLevel(w.spec!.template.spec!);
    return l.level === "restricted" ? [] : [`- ${code(w.metadata!.name!)}: ${l.level}, ${l.why}`];
  });
  const ns = settings.namespace;
  const gpus = src.services.some((s) => s.gpus !== undefined);
  return `## Running on Kubernetes

${code("kubernetes/")} holds a kustomize base built from the same config as docker-compose.yml, in namespace ${code(ns)}, and overlays for what differs per cluster:

| Overlay | What it adds |
| --- | --- |
${[
  ...comps.map((c) => `| ${code(`overlays/${c.name}`)} | ${{ gpu: "GPU scheduling: runtime class, node selector and tolerations of the GPU workers", ingress: `an Ingress for ${code(src.serverName)}${settings.ingress?.tlsSecret ? ` with TLS from the Secret ${code(settings.ingress.tlsSecret)}` : ""}${settings.ingress?.className ? `, class ${code(settings.ingress.className)}` : ""}`, "storage-class": "the storage class of each claim" }[c.name]} |`),
  `| ${code("overlays/default")} | ${comps.length > 0 ? `all of the above` : "the base alone"}: what to apply |`,
].join("\n")}

What the cluster must have: a default storage class (or ${code("kubernetes.storageClass")}) for the claims${gpus ? `; the NVIDIA device plugin or GPU operator, which advertises ${code(settings.gpu.resource)} on the GPU nodes` : ""}${settings.ingress ? "; an Ingress controller" : ""}; a network plugin that enforces NetworkPolicies (without one they are ignored and every pod reaches every other).

Apply, in this order:

\`\`\`sh
kubernetes/create-secrets.sh                       # the namespace, then the Secrets ${secretNames(src.slug).env}, ${secretNames(src.slug).postgres}, ${secretNames(src.slug).minioAccounts}
kubectl apply -k kubernetes/overlays/default       # everything else; the init Jobs start at once
kubectl wait --namespace ${ns} --for=condition=complete job --all --timeout=15m
kubectl wait --namespace ${ns} --for=condition=available deployment --all --timeout=15m
\`\`\`

${code("create-secrets.sh")} draws every password from ${code("/dev/urandom")} on the machine that runs it and creates the Secrets with kubectl; no value is written to this folder or printed. It keeps Secrets that exist, and refuses a partial set (the values are shared between them).
The init Jobs run once: after a change to them, delete them (${code(`kubectl delete job --namespace ${ns} -l app.kubernetes.io/component=init`)}) before applying again, as a Job's pod template cannot change.
The web front end is not built in the cluster: copy a build into the ${code("nginx-frontend")} claim, or build the nginx image with it.

Pod Security: the namespace enforces the strictest level every pod meets. ${exceptions.length === 0 ? 'Every pod meets "restricted".' : `Every pod meets "restricted" except:\n\n${exceptions.join("\n")}`}

${MAPPING_HEADING}

| Compose | Kubernetes | |
| --- | --- | --- |
${COMPOSE_TO_KUBERNETES.map((r) => `| ${cell(r.compose)} | ${cell(r.kubernetes)} | ${r.fate} |`).join("\n")}
`;
}
