/** nginx confs (config/nginx/): to be written. */
import type { DeploymentSpec } from "../dsl/spec.js";
import type { OutFile } from "./out-file.js";

export function nginxConfs(_spec: DeploymentSpec): OutFile[] {
  return [];
}
