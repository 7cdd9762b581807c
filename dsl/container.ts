import { WORKER_HEALTHCHECK as WORKER_HEALTHCHECK_OF_PROFILES } from "../profiles/third-party.js";
import { envFile, fromEnv } from "./env.js";
import { volumeMount } from "./mount.js";
import type { CustomContainerProps, DioptraService, EnvValue, HealthcheckProps, Mount } from "./props.js";
import { WORKER_WAIT_FOR } from "./services.js";

/** Variables every Dioptra worker reads from `.env` (written by init). */
export const WORKER_ENVIRONMENT: Readonly<Record<string, EnvValue>> = {
  AWS_ACCESS_KEY_ID: fromEnv("WORKER_AWS_ACCESS_KEY_ID"),
  AWS_SECRET_ACCESS_KEY: fromEnv("WORKER_AWS_SECRET_ACCESS_KEY"),
  DIOPTRA_RESTAPI_DATABASE_URI: fromEnv("DIOPTRA_RESTAPI_DATABASE_URI"),
  DIOPTRA_WORKER_USERNAME: fromEnv("DIOPTRA_WORKER_USERNAME"),
  DIOPTRA_WORKER_PASSWORD: fromEnv("DIOPTRA_WORKER_PASSWORD"),
  // Carries Redis's password, so it comes from .env, never from a committed env file.
  RQ_REDIS_URI: fromEnv("RQ_REDIS_URI"),
};

/** The health check the deployment's workers run (the same in every release profile). */
export const WORKER_HEALTHCHECK: HealthcheckProps = WORKER_HEALTHCHECK_OF_PROFILES;

/** The CA-certificate and SSL volumes shared by all workers. */
export const WORKER_MOUNTS: readonly Mount[] = [
  volumeMount("worker-ca-certificates", "/usr/local/share/ca-certificates", { readOnly: false }),
  volumeMount("worker-etc-ssl", "/etc/ssl", { readOnly: false }),
];

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
    mounts: [...WORKER_MOUNTS, ...(props.mounts ?? [])],
  };
}
