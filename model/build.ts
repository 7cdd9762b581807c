/** Builds the target-neutral model of a resolved deployment, once per generation. */
import { INIT_ONLY_VOLUMES, MAIN_VOLUMES } from "./builtin-volumes.js";
import type { VolumeProps } from "../dsl/props.js";
import type { DeploymentSpec } from "../validation/spec.js";
import { DEFAULT_NFS_OPTIONS } from "./builtin-volumes.js";
import { coreServices } from "./core-services.js";
import { initServices } from "./init-jobs.js";
import type { DeploymentModel, VolumeModel } from "./types.js";
import { customServices, workerServices } from "./workers.js";

/** The key of the one network every service joins. */
export const NETWORK = "dioptra";

const builtinVolume = (slug: string, key: string): VolumeModel => ({ key, name: `${slug}_${key}`, kind: "named" });

/** A user's volume, by kind; options sorted by name. */
function userVolume(slug: string, key: string, v: VolumeProps): VolumeModel {
  const name = `${slug}_${key}`;
  if (v.type === "nfs") return { key, name, kind: "nfs", server: v.server, export: v.export, options: v.options ?? DEFAULT_NFS_OPTIONS };
  const opts = v.driverOpts ?? {};
  return { key, name, kind: "driver", driver: v.driver ?? "local", driverOpts: Object.fromEntries(Object.keys(opts).sort().map((k) => [k, opts[k]!])) };
}

export function buildModel(spec: DeploymentSpec): DeploymentModel {
  const s = spec.slug;
  return {
    spec,
    name: spec.name,
    slug: s,
    composeCommand: spec.composeCommand,
    hosts: spec.hosts?.hosts ?? [],
    network: { key: NETWORK, name: `${s}_${NETWORK}` },
    services: [...coreServices(spec), ...workerServices(spec), ...customServices(spec)],
    volumes: [...MAIN_VOLUMES.map((k) => builtinVolume(s, k)), ...spec.volumes.map(([k, v]) => userVolume(s, k, v))],
    init: { services: initServices(spec), volumes: [...INIT_ONLY_VOLUMES, ...MAIN_VOLUMES].map((k) => builtinVolume(s, k)) },
  };
}
