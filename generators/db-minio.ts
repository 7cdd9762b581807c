/** config/db/init-db.sh and the MinIO policies (config/minio/): to be written. */
import type { DeploymentSpec } from "../dsl/spec.js";
import type { OutFile } from "./out-file.js";

export function dbAndMinioFiles(_spec: DeploymentSpec): OutFile[] {
  return [];
}
