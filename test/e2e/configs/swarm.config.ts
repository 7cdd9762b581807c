/**
 * e2e scenario "swarm": the Swarm target on three engines (test/e2e/swarm.ts):
 * the core services on node e2e-core, one CPU worker there and two on
 * e2e-cpu1, the GPU workers on e2e-gpu1 (four GPUs: 0 and 1 for the two
 * TensorFlow workers, 2 and 3 for the PyTorch one). Tokens as in
 * default.config.ts.
 */
import { deployment } from "dioptra-deploy";

export default deployment({
  dioptra: "1.1",
  name: "__E2E_NAME__",
  nginx: { exposePortsOnLocalhostOnly: false }, // Swarm publishes on every address
  hosts: {
    core: { node: "e2e-core" },
    cpu1: { node: "e2e-cpu1" },
    // The engine in a container has no GPUs; these names stand in for the UUIDs nvidia-smi prints.
    gpu1: { node: "e2e-gpu1", gpuIds: ["GPU-e2e-0", "GPU-e2e-1", "GPU-e2e-2", "GPU-e2e-3"] },
  },
  swarm: {},
  workers: {
    tensorflowCpu: { count: 2, workers: { 2: { host: "cpu1" } } },
    pytorchCpu: { count: 1, host: "cpu1" },
    tensorflowGpu: { count: 2, host: "gpu1" },
    pytorchGpu: { count: 1, host: "gpu1", workers: { 1: { gpus: [2, 3] } } },
  },
  datasetsDirectory: "__E2E_DATASETS__",
});
