import type { DioptraService } from "../dsl/props.js";

/**
 * The deployment's own services: the suffix after the slug in their service
 * and host names, and the container port other containers wait for
 * (`--wait-for host:port`), as in the reference docker-compose.yml.
 */
export const SERVICES: Readonly<Record<DioptraService, { readonly suffix: string; readonly port: number }>> = {
  nginx: { suffix: "nginx", port: 30080 },
  minio: { suffix: "minio", port: 9001 },
  db: { suffix: "db", port: 5432 },
  dbadmin: { suffix: "dbadmin", port: 35050 },
  redis: { suffix: "redis", port: 6379 },
  mlflowTracking: { suffix: "mlflow-tracking", port: 5000 },
  restapi: { suffix: "restapi", port: 5000 },
};

/** Service (and host) name of a deployment service, e.g. `dioptra-deployment-redis`. */
export function serviceName(slug: string, service: DioptraService): string {
  return `${slug}-${SERVICES[service].suffix}`;
}

/** `host:port` that other containers wait for before starting. */
export function waitTarget(slug: string, service: DioptraService): string {
  return `${serviceName(slug, service)}:${SERVICES[service].port}`;
}

/** The template's slug rule: lower case, spaces and underscores become dashes. */
export function slugify(name: string): string {
  return name.toLowerCase().replaceAll(" ", "-").replaceAll("_", "-");
}

/** Worker service name, e.g. `dioptra-deployment-tfgpu-01` (the template's `%02d`). */
export function workerName(slug: string, short: string, index: number): string {
  return `${slug}-${short}-${String(index).padStart(2, "0")}`;
}

/** The services every worker waits for, in the reference's order. */
export const WORKER_WAIT_FOR: readonly DioptraService[] = ["redis", "minio", "db", "mlflowTracking", "restapi"];
