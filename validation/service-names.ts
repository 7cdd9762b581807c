/** Every service name of a resolved deployment: the deployment's own, the workers, the custom containers. */
import { SERVICES } from "../model/services.js";
import type { DeploymentSpec } from "./spec.js";

export function serviceNamesOf(spec: DeploymentSpec): Set<string> {
  return new Set([...Object.values(SERVICES).map((s) => `${spec.slug}-${s.suffix}`), ...spec.workers.map((w) => w.name), ...spec.containers.map((k) => k.name)]);
}
