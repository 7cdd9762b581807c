/**
 * Dioptra 1.1: the deployment template on main of 2026-04-06 (5ff20c18),
 * Dioptra 1.1.0 (2026-02-18) and its fixes, the first release with
 * published images (ghcr.io/usnistgov/dioptra/<image>:1.1.0).
 */
import { DIOPTRA_IMAGES, MC, MINIO, PGADMIN, POSTGRES, REDIS, WORKER_HEALTHCHECK } from "./third-party.js";
import type { DioptraProfile } from "./types.js";

export const DIOPTRA_1_1: DioptraProfile = {
  release: "1.1",
  template: { commit: "5ff20c18a38f64aff02f78b52bb588ba711b560f", date: "2026-04-06" },
  defaults: { registry: "ghcr.io/usnistgov", namespace: "dioptra", tag: "1.1.0", postgresTag: "17" },
  images: { ...DIOPTRA_IMAGES, db: POSTGRES, dbadmin: PGADMIN, mc: MC, minio: MINIO, nodejs: { dioptra: false, image: "node", tag: "22-bullseye" }, redis: REDIS },
  queues: { tensorflowCpu: "tensorflow-cpu", tensorflowGpu: "tensorflow-gpu", pytorchCpu: "pytorch-cpu", pytorchGpu: "pytorch-gpu" },
  envExtras: { "mlflow-tracking": ['MLFLOW_SERVER_ALLOWED_HOSTS="*"'] },
  workerHealthcheck: WORKER_HEALTHCHECK,
  frontendFallback: true,
  minio: {
    buckets: ["mlflow-tracking"],
    policies: ["mlflow-tracking-readwrite"],
    accounts: [
      { variable: "MINIO_MLFLOW_TRACKING", policies: ["mlflow-tracking-readwrite"] },
      { variable: "MINIO_RESTAPI", policies: ["mlflow-tracking-readwrite"] },
      { variable: "MINIO_WORKER", policies: ["mlflow-tracking-readwrite"] },
    ],
  },
  templateImages: { dbadmin: "dpage/pgadmin4:latest", mc: "minio/mc:RELEASE.2023-10-14T01-57-03Z", minio: "minio/minio:latest", nodejs: "node:22-bullseye", redis: "redis:latest" },
  workerAccount: true,
};
