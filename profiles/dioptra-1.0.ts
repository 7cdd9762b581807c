/**
 * Dioptra 1.0: the deployment template of 2024-08-09 (63a29ea9). Its images
 * were never published; the template expected local builds named
 * `dioptra/<image>:dev`.
 */
import { DIOPTRA_IMAGES, MC, MINIO, PGADMIN, POSTGRES, REDIS, WORKER_HEALTHCHECK } from "./third-party.js";
import type { DioptraProfile } from "./types.js";

export const DIOPTRA_1_0: DioptraProfile = {
  release: "1.0",
  template: { commit: "63a29ea96070c40e843662f20a21d96848f9aebc", date: "2024-08-09" },
  defaults: { registry: "", namespace: "dioptra", tag: "dev", postgresTag: "15" },
  images: { ...DIOPTRA_IMAGES, db: POSTGRES, dbadmin: PGADMIN, mc: MC, minio: MINIO, nodejs: { dioptra: false, image: "node", tag: "18" }, redis: REDIS },
  queues: { tensorflowCpu: "tensorflow_cpu", tensorflowGpu: "tensorflow_gpu", pytorchCpu: "pytorch_cpu", pytorchGpu: "pytorch_gpu" },
  envExtras: { worker: ["DIOPTRA_RESTAPI_ENV=prod"] },
  workerHealthcheck: WORKER_HEALTHCHECK,
  frontendFallback: false,
  minio: {
    buckets: ["plugins", "workflow", "mlflow-tracking"],
    policies: [
      "builtin-plugins-readonly",
      "builtin-plugins-readwrite",
      "custom-plugins-readonly",
      "custom-plugins-readwrite",
      "dioptra-readonly",
      "mlflow-tracking-readwrite",
      "plugins-readonly",
      "workflow-downloadonly",
      "workflow-uploadonly",
    ],
    accounts: [
      { variable: "MINIO_MLFLOW_TRACKING", policies: ["mlflow-tracking-readwrite"] },
      { variable: "MINIO_RESTAPI", policies: ["builtin-plugins-readwrite", "custom-plugins-readwrite", "workflow-uploadonly"] },
      { variable: "MINIO_WORKER", policies: ["builtin-plugins-readonly", "custom-plugins-readonly", "mlflow-tracking-readwrite", "workflow-downloadonly"] },
    ],
  },
  templateImages: { dbadmin: "dpage/pgadmin4:latest", mc: "minio/mc:RELEASE.2023-10-14T01-57-03Z", minio: "minio/minio:latest", nodejs: "node:18", redis: "redis:latest" },
  workerAccount: false,
};
