/**
 * The public API of dioptra-deploy, what a deployment.config.ts imports:
 * the `deployment` builder, the helpers that make mounts, volumes, env
 * values and worker containers, and the types of their settings. The
 * validation, defaults and tables behind them are internal.
 *
 * @example
 * import { bindMount, deployment } from "dioptra-deploy";
 * export default deployment({ workers: { tensorflowCpu: { count: 2, mounts: [bindMount("/srv/data", "/data")] } } });
 */
export { deployment, type Deployment } from "./deployment.js";
export { bindMount, volumeMount } from "./mount.js";
export { driverVolume, nfsVolume } from "./volume.js";
export { envFile, fromEnv, secret } from "./env.js";
export { workerContainer } from "./container.js";
export type { Issue } from "./errors.js";
export type { CpuWorkerKind, GpuWorkerKind, WorkerKind } from "./worker-kinds.js";
export type { ImageName, ImageRef } from "./images.js";
export type { Capability } from "./capabilities.js";
export type * from "./props.js";
