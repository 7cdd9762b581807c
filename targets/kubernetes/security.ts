/**
 * securityContext from the hardening table (model/hardening.ts): no
 * privilege escalation, every capability dropped (pgAdmin keeps
 * NET_BIND_SERVICE, which its Python carries as a file capability), seccomp
 * RuntimeDefault, read-only roots where the Compose target has them. Pods run
 * as a fixed non-root user where the image allows; PostgreSQL and MinIO,
 * which start as root under Compose, run as their own user from the start
 * here, owning their claims through fsGroup.
 */
import type { IPodSecurityContext } from "kubernetes-models/v1/PodSecurityContext";
import type { ISecurityContext } from "kubernetes-models/v1/SecurityContext";
import type { DioptraService } from "../../dsl/props.js";
import type { SourceService } from "./source.js";

/** uid, gid (and fsGroup) per service: the images' own users. */
export const RUN_AS: Readonly<Record<DioptraService | "dioptraWorker", readonly [uid: number, gid: number]>> = {
  nginx: [39000, 100],
  restapi: [39000, 100],
  mlflowTracking: [39000, 100],
  dioptraWorker: [39000, 100],
  // The postgres image's postgres user; the entrypoint skips chown and su when it already runs as it.
  db: [999, 999],
  redis: [999, 999],
  // MinIO needs no particular user: any that owns /data.
  minio: [1000, 1000],
  dbadmin: [5050, 0],
};

/** The contexts of a pod and its container; a custom container keeps its image's user (no runAsNonRoot). */
export function runAs(s: SourceService, user?: readonly [number, number]): { pod: IPodSecurityContext; container: ISecurityContext } {
  const ids = user ?? (s.dioptra ? RUN_AS[s.dioptra] : s.role === "worker" ? RUN_AS.dioptraWorker : undefined);
  const h = s.hardening;
  // A fixed non-root user needs none of the capabilities a root entrypoint uses to hand files over.
  const add = (ids ? h.capAdd?.filter((c) => c === "NET_BIND_SERVICE") : h.capAdd) ?? [];
  return {
    pod: {
      seccompProfile: { type: "RuntimeDefault" },
      ...(ids ? { runAsNonRoot: true, runAsUser: ids[0], runAsGroup: ids[1], fsGroup: ids[1] === 0 ? ids[0] : ids[1] } : {}),
    },
    container: {
      allowPrivilegeEscalation: !h.noNewPrivileges,
      capabilities: { drop: ["ALL"], ...(add.length > 0 ? { add: [...add] } : {}) },
      ...(h.readOnly ? { readOnlyRootFilesystem: true } : {}),
    },
  };
}
