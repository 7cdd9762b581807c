/** Small constructors the catalogue modules share, so each service reads as data. */
import type { EnvValue } from "../dsl/props.js";
import { NO_CAPABILITIES } from "./hardening.js";
import type { MountModel, ServiceModel, ServiceRole } from "./types.js";

/** A named volume (by key) mounted read-write, as every built-in service mounts its state. */
export const rw = (source: string, target: string): MountModel => ({ type: "volume", source, target, readOnly: false });
/** A named volume mounted read-only. */
export const ro = (source: string, target: string): MountModel => ({ type: "volume", source, target, readOnly: true });
/** A folder of the deployment (`./scripts`) or of the host, bind-mounted. */
export const bind = (source: string, target: string, readOnly = true): MountModel => ({ type: "bind", source, target, readOnly });

export { fromDotEnv } from "./env-value.js";

/** The core host, where the deployment folder is: every service but placed workers. */
const CORE_HOST = { host: undefined };

type Required = Pick<ServiceModel, "name" | "role" | "image">;

/** A service with every optional field empty (and no capabilities: see hardening.ts), then the given ones. */
export function service(required: Required, fields: Partial<Omit<ServiceModel, keyof Required>> = {}): ServiceModel {
  const waitFor = fields.waitFor ?? [];
  const args = fields.args ?? [];
  return {
    hostname: undefined,
    restart: undefined,
    user: undefined,
    entrypoint: undefined,
    environment: {},
    envSets: [],
    mounts: [],
    ports: [],
    healthcheck: undefined,
    dependsOn: [],
    gpus: undefined,
    shmSize: undefined,
    waitAfterArgs: false,
    networked: true,
    hardening: NO_CAPABILITIES,
    placement: CORE_HOST,
    ...required,
    ...fields,
    waitFor,
    args,
    hasCommand: fields.hasCommand ?? (waitFor.length > 0 || args.length > 0),
  };
}

/** The fields every long-running service of the deployment shares. */
export function longRunning(name: string, role: ServiceRole, image: string): Required & Pick<ServiceModel, "restart" | "hostname"> {
  return { name, role, image, restart: "always", hostname: name };
}
