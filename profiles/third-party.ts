/**
 * Third-party images, pinned to concrete tags in every release profile: a
 * `latest` tag makes two deployments of one config differ, and Docker Hub no
 * longer serves `minio/minio` or `minio/mc` (removed around 2026-09-10), so
 * both come from quay.io, which serves the same tags.
 */
import type { ImageDefault } from "./types.js";

export const MINIO: ImageDefault = { dioptra: false, registry: "quay.io", namespace: "minio", image: "minio", tag: "RELEASE.2025-09-07T16-13-09Z" };
/** Kept at the templates' 2023 release: later `mc` releases changed the `mc admin policy` sub-commands init uses. */
export const MC: ImageDefault = { dioptra: false, registry: "quay.io", namespace: "minio", image: "mc", tag: "RELEASE.2023-10-14T01-57-03Z" };
export const PGADMIN: ImageDefault = { dioptra: false, registry: "", namespace: "dpage", image: "pgadmin4", tag: "9.8" };
export const REDIS: ImageDefault = { dioptra: false, registry: "", namespace: "", image: "redis", tag: "7.4.6" };
/** The db image's tag is `postgres.tag`, whose default is the profile's. */
export const POSTGRES: ImageDefault = { dioptra: false, registry: "", namespace: "", image: "postgres" };

/** The Dioptra images, which follow the deployment-wide registry, namespace and tag. */
export const DIOPTRA_IMAGES = {
  nginx: { dioptra: true, image: "nginx" },
  mlflowTracking: { dioptra: true, image: "mlflow-tracking" },
  restapi: { dioptra: true, image: "restapi" },
  tensorflowCpu: { dioptra: true, image: "tensorflow2-cpu" },
  tensorflowGpu: { dioptra: true, image: "tensorflow2-gpu" },
  pytorchCpu: { dioptra: true, image: "pytorch-cpu" },
  pytorchGpu: { dioptra: true, image: "pytorch-gpu" },
} as const satisfies Record<string, ImageDefault>;

/**
 * The worker health check of both profiles. The images' own checks do not
 * work: 1.0's looks for a process the entrypoint never starts, so a real 1.0
 * worker always reports unhealthy, and 1.1's wants exactly one worker
 * process, which rq's forked work-horse doubles while a job runs. This asks
 * for at least one process running `dioptra-worker-v1`; the `[1]` keeps the
 * probe's own command line from matching itself.
 */
export const WORKER_HEALTHCHECK = {
  test: ["/bin/bash", "-c", "grep -qs 'dioptra-worker-v[1]' /proc/[0-9]*/cmdline"],
  interval: "30s",
  timeout: "60s",
  retries: 5,
  startPeriod: "80s",
} as const;
