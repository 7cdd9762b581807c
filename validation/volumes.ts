/**
 * Named volumes the config declares, and mounts of them or of host folders.
 */
import { Checker } from "./checker.js";
import { BUILTIN_VOLUMES } from "../model/builtin-volumes.js";
import { RE, show } from "./checks.js";
import type { Mount, VolumeProps } from "../dsl/props.js";
import { SETTINGS } from "./settings.js";
import { DEFAULT_NFS_OPTIONS } from "../model/builtin-volumes.js";

export function resolveVolumes(c: Checker, value: unknown): [string, VolumeProps][] {
  const vols = c.object<Record<string, VolumeProps>>("volumes", value, Object.keys(value ?? {})) ?? {};
  const out: [string, VolumeProps][] = [];
  for (const name of Object.keys(vols).sort()) {
    const path = `volumes.${name}`;
    if (!RE.volumeName.test(name)) c.fail(path, `${show(name)} is not a volume name (letters, digits and _ . -, starting with a letter or digit)`);
    if (BUILTIN_VOLUMES.has(name)) c.fail(path, `${show(name)} is one of the deployment's own volumes; choose another name`);
    const v = vols[name] as VolumeProps;
    if (v?.type === "nfs") {
      c.keys(path, v, SETTINGS.nfsVolume);
      c.string(`${path}.server`, v.server, "", { re: RE.nfsServer, what: "an NFS server address (host name or IP)" });
      if (v.server === undefined) c.fail(`${path}.server`, "is required");
      c.absolutePath(`${path}.export`, v.export, "an NFS export path");
      c.array<string>(`${path}.options`, v.options ?? DEFAULT_NFS_OPTIONS).forEach((o, i) => {
        if (typeof o !== "string" || !RE.mountOption.test(o) || o.startsWith("addr="))
          c.fail(`${path}.options.${i}`, `${show(o)} is not an NFS mount option such as "nfsvers=4" (addr= comes from server)`);
      });
    } else if (v?.type === "driver") {
      c.keys(path, v, SETTINGS.driverVolume);
      c.string(`${path}.driver`, v.driver, "local", { re: /^[A-Za-z0-9_./:-]+$/, what: "a volume driver name" });
      const opts = c.object<Record<string, unknown>>(`${path}.driverOpts`, v.driverOpts, Object.keys(v.driverOpts ?? {})) ?? {};
      for (const [k, o] of Object.entries(opts)) {
        if (!RE.envName.test(k)) c.fail(`${path}.driverOpts.${k}`, "option names are letters, digits and _");
        if (typeof o !== "string") c.fail(`${path}.driverOpts.${k}`, `must be a string, got ${show(o)}`);
      }
    } else {
      c.fail(path, `must be nfsVolume({...}) or driverVolume({...}) (type "nfs" or "driver"), got ${show(v)}`);
    }
    out.push([name, v]);
  }
  return out;
}

export function resolveMounts(c: Checker, path: string, value: unknown, volumeNames: ReadonlySet<string>): Mount[] {
  return c.array<Mount>(path, value).filter((m, i) => {
    const mp = `${path}.${i}`;
    if (m === null || typeof m !== "object" || (m.type !== "bind" && m.type !== "volume")) {
      c.fail(mp, `must be bindMount(...) or volumeMount(...) (type "bind" or "volume"), got ${show(m)}`);
      return false;
    }
    c.keys(mp, m, SETTINGS.mount);
    const n = c.issues.length;
    if (m.type === "bind") c.absolutePath(`${mp}.source`, m.source, "a host folder");
    else if (typeof m.source !== "string" || !volumeNames.has(m.source))
      c.fail(`${mp}.source`, `${show(m.source)} is not a declared volume: add it to volumes: { … } or use one of the deployment's volumes`);
    c.absolutePath(`${mp}.target`, m.target, "a container path");
    c.boolean(`${mp}.readOnly`, m.readOnly, true);
    return c.issues.length === n;
  });
}

/** Compose refuses two mounts on one target; report it at the setting, before Compose does. */
export function checkMountTargets(c: Checker, path: string, mounts: readonly Mount[], reserved: readonly string[]): void {
  const seen = new Set(reserved);
  for (const m of mounts) {
    if (seen.has(m.target)) c.fail(path, `two mounts target ${show(m.target)}; each container path can be mounted once`);
    seen.add(m.target);
  }
}
