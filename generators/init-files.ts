/** init-deployment.sh, scripts/, docker-compose.init.yml and the systemd unit: to be written. */
import type { DeploymentSpec } from "../dsl/spec.js";
import type { OutFile } from "./out-file.js";

export function initFiles(_spec: DeploymentSpec): OutFile[] {
  return [];
}
