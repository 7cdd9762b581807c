import { WORKER_HEALTHCHECK as WORKER_HEALTHCHECK_OF_PROFILES } from "../profiles/third-party.js";
import { envFile, fromEnv } from "./env.js";
import { volumeMount } from "./mount.js";
import type { CustomContainerProps, DioptraService, EnvValue, HealthcheckProps, Mount } from "./props.js";
import { WORKER_WAIT_FOR } from "../model/services.js";
import { WORKER_ENVIRONMENT, WORKER_VOLUMES } from "../model/workers.js";


/** The health check the deployment's workers run (the same in every release profile). */
export const WORKER_HEALTHCHECK: HealthcheckProps = WORKER_HEALTHCHECK_OF_PROFILES;


/** The services a worker waits for, to use as a custom container's `waitFor`. */
export function workerWaitFor(): DioptraService[] {
  return [...WORKER_WAIT_FOR];
}

/**
 * A custom container wired like a Dioptra worker (the seed README's
 * "Integrating custom containers" example): the worker env files, the worker
 * credentials from `.env`, the shared CA/SSL volumes, the worker healthcheck,
 * and `--wait-for` on redis, minio, db, mlflow-tracking and restapi. Your
 * props are applied on top; `mounts` and `environment` are added to the
 * worker's, not substituted.
 *
 * @example
 * customContainers: {
 *   "custom-container": workerContainer("cpu", {
 *     image: "custom-container:dev",
 *     command: ["tensorflow_cpu"],
 *     mounts: [bindMount("/local/path/to/data", "/dioptra/data")],
 *   }),
 * }
 */
export function workerContainer(kind: "cpu" | "gpu", props: CustomContainerProps): CustomContainerProps {
  return {
    healthcheck: WORKER_HEALTHCHECK,
    waitFor: workerWaitFor(),
    // Built on a Dioptra worker image, whose entrypoint reads the --wait-for flags.
    dioptraEntrypoint: true,
    envFiles: [envFile("ca-certificates"), envFile("worker"), ...(kind === "cpu" ? [envFile("worker-cpu")] : [])],
    ...props,
    environment: { ...WORKER_ENVIRONMENT, ...props.environment },
    mounts: [...WORKER_VOLUMES.map((m) => volumeMount(m.source, m.target, { readOnly: m.readOnly })), ...(props.mounts ?? [])],
  };
}
