/**
 * The Kubernetes target's files under kubernetes/, generated only when
 * `kubernetes` is set: a kustomize base (every object of the deployment),
 * components for what differs per cluster (GPU scheduling, Ingress with
 * TLS, storage class), an overlay per component plus `default` with all of
 * them, and create-secrets.sh. Pure: (model, settings) → files.
 */
import { createHash } from "node:crypto";
import { stringify } from "yaml";
import { withMarker } from "../../generators/marker.js";
import type { OutFile } from "../../generators/out-file.js";
import type { DeploymentModel } from "../../model/types.js";
import { serviceEdges, unique } from "./connections.js";
import { configMaps } from "./config-maps.js";
import { components, type Component } from "./components.js";
import { job, jobEdges, jobSteps } from "./jobs.js";
import { networkPolicies } from "./network-policies.js";
import { podSecurityLevel } from "./pod-security.js";
import { SECRETS_SCRIPT, secretsScript } from "./secrets-script.js";
import { readSource, type Source } from "./source.js";
import { claims, service, workload, type Workload } from "./workloads.js";

export const KUBERNETES_DIR = "kubernetes";

/** YAML 1.1 quoting (so `"yes"`, `"on"` stay strings for every reader), no folding. */
export function yamlDocs(docs: readonly object[]): string {
  return docs.map((d) => stringify(d, { version: "1.1", lineWidth: 0, indent: 2, aliasDuplicateObjects: false })).join("---\n");
}

const yamlFile = (path: string, docs: readonly object[]): OutFile => ({ path: `${KUBERNETES_DIR}/${path}`, content: withMarker(yamlDocs(docs), "hash"), mode: 0o644 });

const kustomization = (body: object) => ({ apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", ...body });

/** The base's objects, by file. */
export function baseObjects(src: Source): { path: string; docs: object[] }[] {
  const maps = configMaps(src);
  const hash = createHash("sha256").update(yamlDocs(maps)).digest("hex").slice(0, 16);
  const workloads = src.services.map((s) => ({ s, w: workload(src, s, s.envFiles.length > 0 || s.dioptra === "nginx" ? hash : undefined), svc: service(src, s) }));
  const edges = unique([...serviceEdges(src), ...jobEdges(src)]);
  const level = podSecurityLevel(workloads.map((x) => x.w));
  return [
    { path: "namespace.yaml", docs: [namespace(src, level)] },
    { path: "config-maps.yaml", docs: maps },
    { path: "claims.yaml", docs: claims(src) },
    ...workloads.map(({ s, w, svc }) => ({ path: `workloads/${s.name}.yaml`, docs: [w, ...(svc ? [svc] : [])] })),
    { path: "jobs.yaml", docs: jobSteps(src).map((j) => job(src, j)) },
    { path: "network-policies.yaml", docs: networkPolicies(src, edges) },
  ];
}

/** The namespace, labelled with the strictest Pod Security level every pod meets. */
function namespace(src: Source, level: string): object {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: src.settings.namespace,
      labels: { "app.kubernetes.io/part-of": src.slug, "pod-security.kubernetes.io/enforce": level, "pod-security.kubernetes.io/warn": "restricted" },
    },
  };
}

export function kubernetesFiles(m: DeploymentModel): OutFile[] {
  const settings = m.spec.kubernetes;
  if (!settings) return [];
  const src = readSource(m, settings);
  const base = baseObjects(src);
  const comps = components(src, base.flatMap((b) => b.docs) as Workload[]);
  const overlay = (name: string, cs: readonly Component[]) =>
    // The base's namespace reaches only the base's objects: what a component adds (the Ingress) needs the overlay's.
    yamlFile(`overlays/${name}/kustomization.yaml`, [kustomization({ namespace: settings.namespace, resources: ["../../base"], ...(cs.length > 0 ? { components: cs.map((c) => `../../components/${c.name}`) } : {}) })]);
  return [
    ...base.map((b) => yamlFile(`base/${b.path}`, b.docs)),
    yamlFile("base/kustomization.yaml", [kustomization({ namespace: settings.namespace, resources: base.map((b) => b.path) })]),
    ...comps.flatMap((c) => [
      yamlFile(`components/${c.name}/kustomization.yaml`, [{ apiVersion: "kustomize.config.k8s.io/v1alpha1", kind: "Component", ...c.kustomization }]),
      ...c.files.map((f) => yamlFile(`components/${c.name}/${f.path}`, f.docs)),
      overlay(c.name, [c]),
    ]),
    overlay("default", comps),
    { path: SECRETS_SCRIPT, content: secretsScript(src.slug, settings.namespace, src.secrets), mode: 0o755 },
  ];
}
