import type { DriverVolume, NfsVolume } from "./props.js";


/**
 * An NFS export as a named volume, to mount with {@link volumeMount}.
 *
 * @example
 * volumes: { "dioptra-data": nfsVolume({ server: "10.0.0.10", export: "/dioptra/data", options: ["ro", "nfsvers=4"] }) }
 */
export function nfsVolume(props: Omit<NfsVolume, "type">): NfsVolume {
  return { type: "nfs", ...props };
}

/**
 * A named volume with an explicit driver.
 *
 * @example
 * volumes: { scratch: driverVolume({ driverOpts: { type: "tmpfs", device: "tmpfs", o: "size=1g" } }) }
 */
export function driverVolume(props: Omit<DriverVolume, "type"> = {}): DriverVolume {
  return { type: "driver", ...props };
}
