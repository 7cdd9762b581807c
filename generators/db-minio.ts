/**
 * config/db/init-db.sh, which creates the applications' role and databases
 * on the first start of Postgres, and the MinIO access policies under
 * config/minio/, which init-minio.sh loads. Neither depends on the spec:
 * the superuser's names reach the script through the image's environment.
 */
import type { DeploymentModel } from "../model/types.js";
import { initDbScript } from "./db-minio/init-db.js";
import { MINIO_POLICY_DIR, minioPolicies, policyFileName } from "./db-minio/minio-policies.js";
import { withMarker } from "./marker.js";
import type { OutFile } from "./out-file.js";

export { APP_DATABASES, APP_ROLE } from "./db-minio/init-db.js";
export { MINIO_POLICY_DIR, MINIO_POLICY_NAMES, policyFileName } from "./db-minio/minio-policies.js";

export const INIT_DB_PATH = "config/db/init-db.sh";

export function dbAndMinioFiles({ spec }: DeploymentModel): OutFile[] {
  return [
    // Executable: the image executes executable *.sh init files and sources the rest.
    { path: INIT_DB_PATH, content: withMarker(initDbScript(), "hash"), mode: 0o755 },
    // JSON has no comments, so the policies carry no generated-file marker.
    ...minioPolicies(spec.profile.minio.policies).map(([name, policy]) => ({
      path: `${MINIO_POLICY_DIR}/${policyFileName(name)}`,
      content: `${JSON.stringify(policy, null, 2)}\n`,
      mode: 0o644 as const,
    })),
  ];
}
