/** Builds the target-neutral model of a resolved deployment, once per generation. */
import { INIT_ONLY_VOLUMES, MAIN_VOLUMES } from "../dsl/builtin-volumes.js";
import type { VolumeProps } from "../dsl/props.js";
import type { DeploymentSpec } from "../dsl/spec.js";
import { DEFAULT_NFS_OPTIONS } from "../dsl/volume.js";
import { coreServices } from "./core-services.js";
import { initServices } from "./init-jobs.js";
import type { DeploymentModel, VolumeModel } from "./types.js";
import { customServices, workerServices } from "./workers.js";

/** The key of the one network every service joins. */
export const NETWORK = "dioptra";

const builtinVolume = (slug: string, key: string): VolumeModel => ({ key, name: `${slug}_${key}` });

/** A user's volume: NFS shares become the `local` driver with `type: nfs`. */
function userVolume(slug: string, key: string, v: VolumeProps): VolumeModel {
  if (v.type === "nfs") {
    const options = v.options ?? DEFAULT_NFS_OPTIONS;
    return { key, name: `${slug}_${key}`, driver: "local", driverOpts: { type: "nfs", o: [`addr=${v.server}`, ...options].join(","), device: `:${v.export}` } };
  }
  const opts = v.driverOpts ?? {};
  return {
    key,
    name: `${slug}_${key}`,
    driver: v.driver ?? "local",
    ...(Object.keys(opts).length > 0 ? { driverOpts: Object.fromEntries(Object.keys(opts).sort().map((k) => [k, opts[k]!])) } : {}),
  };
}

export function buildModel(spec: DeploymentSpec): DeploymentModel {
  const s = spec.slug;
  return {
    spec,
    network: { key: NETWORK, name: `${s}_${NETWORK}` },
    services: [...coreServices(spec), ...workerServices(spec), ...customServices(spec)],
    volumes: [...MAIN_VOLUMES.map((k) => builtinVolume(s, k)), ...spec.volumes.map(([k, v]) => userVolume(s, k, v))],
    init: { services: initServices(spec), volumes: [...INIT_ONLY_VOLUMES, ...MAIN_VOLUMES].map((k) => builtinVolume(s, k)) },
  };
}
