/**
 * Each long-running service as a workload: StatefulSets for the services
 * that own state (PostgreSQL, Redis, MinIO), Deployments for the rest
 * (stateless services, workers, custom containers); a Service for each
 * that listens, named as Compose names the service, so the env files' and
 * nginx confs' host names resolve unchanged; a claim per persistent volume.
 */
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IStatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import type { IPersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import type { IService } from "kubernetes-models/v1/Service";
import type { DioptraService } from "../../dsl/props.js";
import { keptWaits } from "./connections.js";
import { claimName, COMPONENT_LABEL, labels, NAME_LABEL, PART_OF_LABEL } from "./names.js";
import { podSpec } from "./pod.js";
import type { Source, SourceService } from "./source.js";

/** The services that own state: one replica each, with a stable identity. */
export const STATEFUL: readonly DioptraService[] = ["db", "redis", "minio"];

export type Workload = IDeployment | IStatefulSet;

/** A hash-free rollout trigger: the configuration a pod reads, as an annotation it carries. */
export function workload(src: Source, s: SourceService, configHash: string | undefined): Workload {
  const component = s.role;
  const meta = { name: s.name, labels: labels(src.slug, s.name, component) };
  const template = {
    metadata: { labels: labels(src.slug, s.name, component), ...(configHash ? { annotations: { "dioptra-deploy/config-hash": configHash } } : {}) },
    spec: podSpec(src, s, keptWaits(src, s)),
  };
  const selector = { matchLabels: { [NAME_LABEL]: s.name } };
  if (s.dioptra !== undefined && STATEFUL.includes(s.dioptra))
    return { apiVersion: "apps/v1", kind: "StatefulSet", metadata: meta, spec: { serviceName: s.name, replicas: 1, selector, template } };
  // A read-write-once claim cannot follow a rolling update to another node: replace the pod instead.
  const claims = (template.spec.volumes ?? []).some((v) => v.persistentVolumeClaim !== undefined);
  return { apiVersion: "apps/v1", kind: "Deployment", metadata: meta, spec: { replicas: 1, selector, ...(claims ? { strategy: { type: "Recreate" } } : {}), template } };
}

export function service(src: Source, s: SourceService): IService | undefined {
  if (s.ports.length === 0) return undefined;
  const type = s.dioptra === "nginx" ? src.settings.serviceType : "ClusterIP";
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: s.name, labels: labels(src.slug, s.name, s.role) },
    spec: {
      ...(type !== "ClusterIP" ? { type } : {}),
      selector: { [NAME_LABEL]: s.name },
      ports: s.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: p.protocol })),
    },
  };
}

/** The claims, sized as the settings say; the storage class comes from the storage-class overlay. */
export function claims(src: Source): IPersistentVolumeClaim[] {
  return src.settings.claims.map((c) => ({
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    // No name label: a claim's name may pass the 63 characters a label value allows.
    metadata: { name: claimName(src.slug, c.key), labels: { [PART_OF_LABEL]: src.slug, [COMPONENT_LABEL]: "storage" } },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: c.size } } },
  }));
}
