/**
 * kubernetes/create-secrets.sh: draws the deployment's secrets from the
 * kernel's CSPRNG, as init does for Compose, and creates them as Secrets in
 * the cluster. Nothing is written to out/ or printed; a partial set is
 * refused, since the values are shared between the Secrets.
 */
import { SECRETS, type SecretFile, type SecretValue } from "../../generators/init/secrets.js";
import { shellQuote } from "../../generators/init/shell.js";
import { withMarker } from "../../generators/marker.js";
import { MINIO_ACCOUNTS_KEY } from "./jobs.js";
import { POSTGRES_PASSWORD_KEY, secretNames } from "./names.js";

export const SECRETS_SCRIPT = "kubernetes/create-secrets.sh";

/** `.env` keys that mean nothing in a cluster. */
const COMPOSE_ONLY = new Set(["COMPOSE_PROJECT_NAME"]);

const value = (v: SecretValue) => `${shellQuote(v.prefix)}${v.secret ? `"\${secret[${v.secret}]}"` : ""}${shellQuote(v.suffix)}`;

export function secretsScript(slug: string, namespace: string, files: readonly SecretFile[]): string {
  const names = secretNames(slug);
  const env = files.find((f) => f.path === ".env")!.lines.filter(([k]) => !COMPOSE_ONLY.has(k));
  const minio = files.find((f) => f.path.includes("minio-accounts"))!.lines;
  const admin = files.find((f) => f.path === "secrets/postgres-passwd.env")!.lines.find(([k]) => k === "POSTGRES_PASSWORD")![1];
  const drawn = [...new Set(files.flatMap((f) => f.lines.flatMap(([, v]) => (v.secret ? [v.secret] : []))))];
  const lines = (file: string, rows: readonly (readonly [string, SecretValue])[]) => rows.map(([k, v]) => `  printf '%s\\n' ${shellQuote(`${k}=`)}${value(v)}`).join("\n") + `\n} >"\${dir}/${file}"`;
  return withMarker(
    `#!/usr/bin/env bash
# Creates the Secrets of this deployment in namespace ${namespace}, with values drawn
# from /dev/urandom on this machine: ${names.env}, ${names.postgres}, ${names.minioAccounts}.
# Run it once, before the first \`kubectl apply -k\`. Nothing is written to this folder
# and no value is printed. It refuses a partial set: the values are shared between them.
set -euo pipefail

NAMESPACE=${shellQuote(namespace)}
SECRETS=(${[names.env, names.postgres, names.minioAccounts].map(shellQuote).join(" ")})

die() {
  printf 'create-secrets.sh: %s\\n' "$*" >&2
  exit 1
}

[[ $# -eq 0 ]] || die "takes no arguments (kubectl's current context and KUBECONFIG choose the cluster)"
command -v kubectl >/dev/null || die "kubectl is not installed"
cd "$(dirname "\${BASH_SOURCE[0]}")"
kubectl apply -f base/namespace.yaml >/dev/null

present=0
for s in "\${SECRETS[@]}"; do
  if kubectl get secret --namespace "\${NAMESPACE}" "\${s}" >/dev/null 2>&1; then present=$((present + 1)); fi
done
if ((present == \${#SECRETS[@]})); then
  echo "create-secrets.sh: the Secrets exist in \${NAMESPACE}; kept as they are"
  exit 0
fi
((present == 0)) || die "only some of \${SECRETS[*]} exist in \${NAMESPACE}; their values are shared, so delete them all (kubectl delete secret -n \${NAMESPACE} \${SECRETS[*]}) and run this again, or restore the missing ones"

# 24 bytes as base64url (192 bits, safe in URIs and env files); MinIO's KMS key wants 32 bytes in base64.
token() { head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\\n'; }
kms() { head -c 32 /dev/urandom | base64 | tr -d '\\n'; }

declare -A secret=()
${drawn.map((n) => `secret[${n}]="$(${SECRETS[n] === "kms" ? "kms" : "token"})"`).join("\n")}

umask 077
dir="$(mktemp -d)"
trap 'rm -rf "\${dir}"' EXIT
{
${lines("env", env)}
{
${lines(MINIO_ACCOUNTS_KEY, minio)}
printf '%s' ${value(admin)} >"\${dir}/${POSTGRES_PASSWORD_KEY}"

kubectl create secret generic --namespace "\${NAMESPACE}" ${shellQuote(names.env)} --from-env-file="\${dir}/env" >/dev/null
kubectl create secret generic --namespace "\${NAMESPACE}" ${shellQuote(names.postgres)} --from-file=${POSTGRES_PASSWORD_KEY}="\${dir}/${POSTGRES_PASSWORD_KEY}" >/dev/null
kubectl create secret generic --namespace "\${NAMESPACE}" ${shellQuote(names.minioAccounts)} --from-file=${MINIO_ACCOUNTS_KEY}="\${dir}/${MINIO_ACCOUNTS_KEY}" >/dev/null
kubectl label secret --namespace "\${NAMESPACE}" "\${SECRETS[@]}" app.kubernetes.io/part-of=${shellQuote(slug)} >/dev/null
echo "create-secrets.sh: created \${SECRETS[*]} in \${NAMESPACE}"
`,
    "hash",
  );
}
