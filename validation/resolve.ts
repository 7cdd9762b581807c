/**
 * The validation pass: user props in, a resolved {@link DeploymentSpec} or a
 * list of every problem out. Each problem names its setting path, the bad
 * value and what is allowed. No I/O, no environment, no clock. Each section
 * has its module; each target reads and checks its own settings (targets/).
 */
import { Checker, type Sites } from "./checker.js";
import { BUILTIN_VOLUMES } from "../model/builtin-volumes.js";
import type { Issue } from "../dsl/errors.js";
import type { DeploymentProps } from "../dsl/props.js";
import type { DeploymentSpec } from "./spec.js";
import { TARGETS } from "../targets/index.js";
import { SETTINGS } from "./settings.js";
import { resolveCore } from "./core.js";
import { resolveVolumes } from "./volumes.js";
import { resolveWorkers } from "./workers.js";
import { resolveContainers } from "./containers.js";
import { checkGpus, checkHostPorts } from "./invariants.js";

/** Output of the validation pass. */
export interface Resolution {
  readonly spec: DeploymentSpec | undefined;
  readonly issues: readonly Issue[];
}

/** Validates props and resolves them to a spec; `spec` is undefined when there are issues. */
export function resolveDeployment(props: DeploymentProps, sites: Sites = new Map()): Resolution {
  const c = new Checker(sites, props);
  const p = c.object<DeploymentProps>("", props, SETTINGS[""]) ?? {};

  const { profile, name, slug, composeCommand, images, nginx, postgres, pgadmin, security, datasetsDirectory, systemd } = resolveCore(c, p);

  const volumes = resolveVolumes(c, p.volumes);
  const volumeNames = new Set([...BUILTIN_VOLUMES, ...volumes.map(([n]) => n)]);
  // Each target reads its own settings; a multi-host one says where services may be placed.
  const targets = TARGETS.flatMap((t) => t.activate(c, p, { slug }) ?? []);
  const hosts = targets.map((t) => t.hosts()).find((h) => h !== undefined);
  const workers = resolveWorkers(c, p.workers, slug, volumeNames, datasetsDirectory !== undefined, hosts);
  const containers = resolveContainers(c, p.customContainers, slug, volumeNames, workers, images);
  checkHostPorts(c, nginx, containers);
  checkGpus(c, p, workers, containers, hosts);
  const spec: DeploymentSpec = {
    profile, name, slug, composeCommand, images, nginx, postgres, pgadmin, security, workers, datasetsDirectory,
    systemd, volumes, containers, hosts, targets,
  };
  for (const t of targets) t.validate(c, spec);
  if (c.issues.length > 0) return { spec: undefined, issues: c.issues };
  return { issues: [], spec };
}
