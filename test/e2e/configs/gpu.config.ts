/**
 * e2e scenario "gpu": GPU workers (runtime nvidia, which the e2e engine maps
 * to runc) next to the default CPU workers: two TensorFlow GPU workers
 * numbered 0 and 1, one PyTorch GPU worker on GPUs 3 and 4. Tokens as in
 * default.config.ts.
 */
import { deployment } from "dioptra-deploy";

export default deployment({
  // The one Dioptra 1.0 scenario: 1.0 deployments still exist.
  dioptra: "1.0",
  name: "__E2E_NAME__",
  workers: {
    tensorflowGpu: 2,
    pytorchGpu: { count: 1, workers: { 1: { gpus: [3, 4] } } },
  },
  datasetsDirectory: "__E2E_DATASETS__",
});
