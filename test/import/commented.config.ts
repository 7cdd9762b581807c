/**
 * The lab's Dioptra deployment. Hand-written, with comments and a layout
 * that `dioptra-deploy set` must keep.
 */
import { bindMount, deployment } from "dioptra-deploy";

// Shared by the GPU pool below.
const models = bindMount("/srv/models", "/models");

export default deployment({
  name: "Vision Lab", // shown in the deployment README
  nginx: { serverName: "dioptra.vision.example.org" },
  workers: {
    tensorflowCpu: 2,
    // One GPU pool, pinned to the big cards.
    pytorchGpu: {
      count: 2,
      mounts: [models],
      workers: { 1: { gpus: [0] }, 2: { gpus: [1] } },
    },
  },
  /* Datasets live on the NAS. */
  datasetsDirectory: "/srv/datasets",
});
