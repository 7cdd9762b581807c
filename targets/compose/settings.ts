/**
 * The Compose target's own settings: the raw overlays `overrides`
 * (docker-compose.override.yml) and `environments` (docker-compose.<name>.yml).
 * Their shape is checked while the config is read; that they touch only
 * services of the deployment, once it is resolved. Their values are checked
 * against the Compose schema after merging, at generation.
 */
import { RE, interpolationProblems, show } from "../../validation/checks.js";
import type { ComposeOverlay, DeploymentProps } from "../../dsl/props.js";
import { SETTINGS } from "../../validation/settings.js";
import type { Checker } from "../../validation/checker.js";

export interface ComposeSettings {
  /** The docker-compose.override.yml overlay, if any. */
  readonly overrides: ComposeOverlay | undefined;
  /** Named overlays (docker-compose.<name>.yml), sorted by name. */
  readonly environments: readonly (readonly [string, ComposeOverlay])[];
}

function overlayShape(c: Checker, path: string, value: unknown): ComposeOverlay | undefined {
  const o = c.object<ComposeOverlay>(path, value, SETTINGS.overlay);
  if (!o) return undefined;
  const services = c.object<Record<string, unknown>>(`${path}.services`, o.services, Object.keys(o.services ?? {})) ?? {};
  for (const [name, svc] of Object.entries(services)) c.object(`${path}.services.${name}`, svc, Object.keys(svc ?? {}));
  const volumes = c.object<Record<string, unknown>>(`${path}.volumes`, o.volumes, Object.keys(o.volumes ?? {})) ?? {};
  for (const [name, v] of Object.entries(volumes)) {
    if (!RE.volumeName.test(name)) c.fail(`${path}.volumes.${name}`, `${show(name)} is not a volume name`);
    c.object(`${path}.volumes.${name}`, v, Object.keys(v ?? {}));
  }
  for (const [at, message] of interpolationProblems(o, path)) c.fail(at, message);
  return o;
}

export function composeSettings(c: Checker, p: DeploymentProps): ComposeSettings {
  const overrides = p.overrides === undefined ? undefined : overlayShape(c, "overrides", p.overrides);
  const envs = c.object<Record<string, unknown>>("environments", p.environments, Object.keys(p.environments ?? {})) ?? {};
  const environments: [string, ComposeOverlay][] = [];
  for (const env of Object.keys(envs).sort()) {
    if (!/^[a-z0-9][a-z0-9_-]{0,199}$/.test(env) || ["override", "init", "yml"].includes(env))
      c.fail(`environments.${env}`, `${show(env)} cannot name docker-compose.<name>.yml: use lower-case letters, digits, - and _, and not "override" or "init"`);
    const o = overlayShape(c, `environments.${env}`, envs[env]);
    if (o) environments.push([env, o]);
  }
  return { overrides, environments };
}

/** An overlay may only touch services that exist (new services belong in customContainers, where they are typed and joined to the network). */
export function checkOverlayServices(c: Checker, settings: ComposeSettings, serviceNames: ReadonlySet<string>): void {
  const overlays: [string, ComposeOverlay][] = [...(settings.overrides ? [["overrides", settings.overrides] as [string, ComposeOverlay]] : []), ...settings.environments.map(([n, o]): [string, ComposeOverlay] => [`environments.${n}`, o])];
  for (const [path, o] of overlays) {
    for (const name of Object.keys(o.services ?? {})) {
      if (!serviceNames.has(name)) c.fail(`${path}.services.${name}`, `is not a service of this deployment; add new containers under customContainers (services: ${[...serviceNames].slice(0, 4).join(", ")}, …)`);
    }
  }
}
