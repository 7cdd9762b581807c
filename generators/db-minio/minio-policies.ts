/**
 * The nine MinIO access policies, as data. init-minio.sh creates each as
 * `mc admin policy create <name> <name>-policy.json` and attaches them by
 * name, so the names are part of the deployment's contract.
 */

export interface PolicyStatement {
  readonly Sid: string;
  readonly Action: readonly string[];
  readonly Effect: "Allow" | "Deny";
  readonly Resource: readonly string[];
  readonly Condition?: { readonly StringLike: { readonly "s3:prefix": readonly string[] } };
}

export interface Policy {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

/** A folder in a bucket; `label` is how the statement ids name it. */
interface Folder {
  readonly label: string;
  readonly bucket: string;
  /** Key prefix without the trailing slash; undefined means the whole bucket. */
  readonly prefix: string | undefined;
}

const BUILTIN_PLUGINS: Folder = { label: "BuiltinPlugins", bucket: "plugins", prefix: "dioptra_builtins" };
const CUSTOM_PLUGINS: Folder = { label: "CustomPlugins", bucket: "plugins", prefix: "dioptra_custom" };
const MLFLOW_ARTIFACTS: Folder = { label: "MlflowTrackingArtifacts", bucket: "mlflow-tracking", prefix: "artifacts" };
const WORKFLOWS: Folder = { label: "Workflows", bucket: "workflow", prefix: undefined };

const GET = ["s3:GetObject"];
const PUT = ["s3:PutObject"];
const READ_WRITE = ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"];
const LIST = ["s3:ListBucket"];

const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`;
const objectsArn = (f: Folder) => `arn:aws:s3:::${f.bucket}/${f.prefix === undefined ? "" : `${f.prefix}/`}*`;

function allow(Sid: string, Action: readonly string[], Resource: readonly string[], prefix?: string): PolicyStatement {
  return prefix === undefined
    ? { Sid, Action, Effect: "Allow", Resource }
    : { Sid, Action, Effect: "Allow", Resource, Condition: { StringLike: { "s3:prefix": [`${prefix}/*`] } } };
}

/**
 * Object access inside one folder, plus listing of the bucket limited to
 * that folder: object ARNs do not cover ListBucket, which is granted on the
 * bucket and narrowed by the `s3:prefix` condition.
 */
function folderAccess(f: Folder, access: "read" | "readwrite"): PolicyStatement[] {
  const objects =
    access === "read" ? allow(`AllowUserToGet${f.label}`, GET, [objectsArn(f)]) : allow(`AllowReadWriteIn${f.label}Folder`, READ_WRITE, [objectsArn(f)]);
  return [objects, allow(`AllowListingOf${f.label}Folder`, LIST, [bucketArn(f.bucket)], f.prefix)];
}

function everythingReadOnly(folders: readonly Folder[]): PolicyStatement[] {
  const buckets = [...new Set(folders.map((f) => f.bucket))].sort();
  return [allow("AllowUserToGetAllDioptraFiles", GET, folders.map(objectsArn)), allow("AllowListingOfAllDioptraFolders", LIST, buckets.map(bucketArn))];
}

/** Policy name → statements, in init-minio.sh's order. */
const POLICY_TABLE: readonly (readonly [string, readonly PolicyStatement[]])[] = [
  ["builtin-plugins-readonly", folderAccess(BUILTIN_PLUGINS, "read")],
  ["builtin-plugins-readwrite", folderAccess(BUILTIN_PLUGINS, "readwrite")],
  ["custom-plugins-readonly", folderAccess(CUSTOM_PLUGINS, "read")],
  ["custom-plugins-readwrite", folderAccess(CUSTOM_PLUGINS, "readwrite")],
  ["dioptra-readonly", everythingReadOnly([BUILTIN_PLUGINS, CUSTOM_PLUGINS, MLFLOW_ARTIFACTS, WORKFLOWS])],
  ["mlflow-tracking-readwrite", folderAccess(MLFLOW_ARTIFACTS, "readwrite")],
  // Kept as the template has it although no account uses it: GetObject on the
  // bucket ARN matches no object, so in effect this only allows listing.
  ["plugins-readonly", [allow("PluginsReadOnly", ["s3:ListBucket", "s3:GetObject"], [bucketArn("plugins")])]],
  ["workflow-downloadonly", [allow("AllowUserToGetWorkflows", GET, [objectsArn(WORKFLOWS)])]],
  ["workflow-uploadonly", [allow("AllowUserToPutWorkflows", PUT, [objectsArn(WORKFLOWS)])]],
];

/** The policy names init-minio.sh creates and the MinIO account env file attaches. */
export const MINIO_POLICY_NAMES: readonly string[] = POLICY_TABLE.map(([name]) => name);

export const MINIO_POLICY_DIR = "config/minio";

export const policyFileName = (name: string) => `${name}-policy.json`;

/** The release's policies, by name, in init-minio.sh's order. */
export function minioPolicies(names: readonly string[]): readonly (readonly [string, Policy])[] {
  return POLICY_TABLE.filter(([name]) => names.includes(name)).map(([name, Statement]) => [name, { Version: "2012-10-17", Statement }]);
}
