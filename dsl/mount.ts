import type { BindMount, VolumeMount } from "./props.js";

/**
 * Mounts a host folder into a container, read-only unless told otherwise.
 *
 * @example
 * workers: { tensorflowCpu: { count: 2, mounts: [bindMount("/home/data", "/dioptra/data")] } }
 */
export function bindMount(source: string, target: string, options: { readonly readOnly?: boolean } = {}): BindMount {
  return { type: "bind", source, target, ...(options.readOnly === undefined ? {} : { readOnly: options.readOnly }) };
}

/**
 * Mounts a named volume (one from `volumes: { … }`, or a deployment volume
 * such as `worker-etc-ssl`) into a container, read-only unless told otherwise.
 *
 * @example
 * volumes: { "dioptra-data": nfsVolume({ server: "10.0.0.10", export: "/dioptra/data" }) },
 * workers: { pytorchCpu: { count: 1, mounts: [volumeMount("dioptra-data", "/dioptra/data")] } }
 */
export function volumeMount(source: string, target: string, options: { readonly readOnly?: boolean } = {}): VolumeMount {
  return { type: "volume", source, target, ...(options.readOnly === undefined ? {} : { readOnly: options.readOnly }) };
}
