/** The deployments the Kubernetes target's tests build. */
import type { DeploymentProps } from "../../../dsl/props.js";

/** The default deployment with the target on. */
export const PLAIN: DeploymentProps = { kubernetes: {} };
/** GPU workers (one with an index list), TLS at the Ingress, a storage class. */
export const LAB: DeploymentProps = {
  nginx: { tls: true, certificate: "provided" },
  workers: { tensorflowGpu: 1, pytorchGpu: { count: 2, workers: { 2: { gpus: [2, 3] } } } },
  kubernetes: {
    storageClass: "fast",
    volumes: { "minio-data": { size: "200Gi", storageClass: "bulk" } },
    ingress: { className: "nginx", tlsSecret: "dioptra-tls" },
    gpu: { runtimeClassName: "nvidia", nodeSelector: { "nvidia.com/gpu.present": "true" }, tolerations: [{ key: "nvidia.com/gpu", effect: "NoSchedule" }], gpusPerNode: 4 },
    imagePullSecrets: ["ghcr-pull"],
  },
};

