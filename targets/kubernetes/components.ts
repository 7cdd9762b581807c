/**
 * What differs per cluster, as kustomize components over the base: GPU
 * scheduling (runtime class, node selector, tolerations of the GPU pods),
 * the Ingress (class, host, TLS Secret), the storage class of each claim.
 * Each exists only when the settings give it something to set.
 */
import type { IIngress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { stringify } from "yaml";
import { claimName, NAME_LABEL, PART_OF_LABEL } from "./names.js";
import type { GpuScheduling } from "./settings.js";
import type { Source } from "./source.js";
import type { Workload } from "./workloads.js";

export interface Component {
  readonly name: "gpu" | "ingress" | "storage-class";
  readonly kustomization: object;
  readonly files: readonly { path: string; docs: object[] }[];
}

const patchText = (o: object) => stringify(o, { version: "1.1", lineWidth: 0, aliasDuplicateObjects: false });

function gpuPatch(w: Workload, g: GpuScheduling): object | undefined {
  const spec = {
    ...(g.runtimeClassName ? { runtimeClassName: g.runtimeClassName } : {}),
    ...(Object.keys(g.nodeSelector).length > 0 ? { nodeSelector: { ...g.nodeSelector } } : {}),
    ...(g.tolerations.length > 0 ? { tolerations: g.tolerations.map((t) => ({ ...t })) } : {}),
  };
  if (Object.keys(spec).length === 0) return undefined;
  return { target: { kind: w.kind, name: w.metadata!.name! }, patch: patchText({ apiVersion: "apps/v1", kind: w.kind, metadata: { name: w.metadata!.name! }, spec: { template: { spec } } }) };
}

function gpu(src: Source, objects: readonly object[]): Component | undefined {
  const patches = src.services.flatMap((s) => {
    if (s.gpus === undefined) return [];
    const w = objects.find((o): o is Workload => (o as Workload).metadata?.name === s.name && ((o as Workload).kind === "Deployment" || (o as Workload).kind === "StatefulSet"));
    const p = w && gpuPatch(w, s.gpuPool ? src.settings.gpuPools[s.gpuPool] : src.settings.gpu);
    return p ? [p] : [];
  });
  return patches.length > 0 ? { name: "gpu", kustomization: { patches }, files: [] } : undefined;
}

function ingress(src: Source): Component | undefined {
  const i = src.settings.ingress;
  const nginx = src.services.find((s) => s.dioptra === "nginx");
  if (!i || !nginx) return undefined;
  const obj: IIngress = {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name: nginx.name, labels: { [NAME_LABEL]: nginx.name, [PART_OF_LABEL]: src.slug } },
    spec: {
      ...(i.className ? { ingressClassName: i.className } : {}),
      ...(i.tlsSecret ? { tls: [{ hosts: [src.serverName], secretName: i.tlsSecret }] } : {}),
      rules: [{ host: src.serverName, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: nginx.name, port: { name: "http" } } } }] } }],
    },
  };
  return { name: "ingress", kustomization: { resources: ["ingress.yaml"] }, files: [{ path: "ingress.yaml", docs: [obj] }] };
}

function storageClass(src: Source): Component | undefined {
  const patches = src.settings.claims.flatMap((c) => {
    const cls = c.storageClass ?? src.settings.storageClass;
    return cls ? [{ target: { kind: "PersistentVolumeClaim", name: claimName(src.slug, c.key) }, patch: patchText([{ op: "add", path: "/spec/storageClassName", value: cls }]) }] : [];
  });
  return patches.length > 0 ? { name: "storage-class", kustomization: { patches }, files: [] } : undefined;
}

export function components(src: Source, objects: readonly object[]): Component[] {
  return [gpu(src, objects), ingress(src), storageClass(src)].filter((c): c is Component => c !== undefined);
}
