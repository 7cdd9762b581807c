/**
 * config/db/init-db.sh, which creates the applications' role and databases
 * on the first start of Postgres, and the MinIO access policies under
 * config/minio/, which init-minio.sh loads. Neither depends on the spec:
 * the superuser's names reach the script through the image's environment.
 */
import { jsonFile, shellScript } from "../../files/kinds.js";
import type { DeploymentModel } from "../../model/types.js";
import { initDbScript } from "./init-db.js";
import { MINIO_POLICY_DIR, minioPolicies, policyFileName } from "./minio-policies.js";
import type { OutFile } from "../../files/out-file.js";

export { APP_DATABASES, APP_ROLE } from "./init-db.js";
export { MINIO_POLICY_DIR, MINIO_POLICY_NAMES, policyFileName } from "./minio-policies.js";

export const INIT_DB_PATH = "config/db/init-db.sh";

export function dbAndMinioFiles({ spec }: DeploymentModel): OutFile[] {
  return [
    // Executable: the image executes executable *.sh init files and sources the rest.
    shellScript(INIT_DB_PATH, initDbScript()),
    ...minioPolicies(spec.profile.minio.policies).map(([name, policy]) => jsonFile(`${MINIO_POLICY_DIR}/${policyFileName(name)}`, policy)),
  ];
}
