/**
 * The Kubernetes target's part of `plan`: which of its files a generate
 * would change, and what that means for the cluster (a re-apply; the init
 * Jobs deleted first when they changed, as a Job's pod template cannot
 * change; new secrets when create-secrets.sh draws more).
 */
import { KUBERNETES_DIR } from "./files.js";
import { SECRETS_SCRIPT } from "./secrets-script.js";

const secretKeys = (script: string | undefined) => new Set([...(script ?? "").matchAll(/^secret\[([A-Za-z0-9_]+)\]=/gm)].map((m) => m[1]!));

/** Plan lines; empty when no Kubernetes file changes. */
export function kubernetesPlan(touched: readonly string[], before: (p: string) => string | undefined, after: (p: string) => string | undefined): string[] {
  const mine = touched.filter((p) => p.startsWith(`${KUBERNETES_DIR}/`)).sort();
  if (mine.length === 0) return [];
  const lines = [`kubernetes: ${mine.length} file${mine.length === 1 ? "" : "s"} change (${mine.map((p) => p.slice(KUBERNETES_DIR.length + 1)).join(", ")})`];
  if (after(`${KUBERNETES_DIR}/base/kustomization.yaml`) === undefined) return [...lines, "  the Kubernetes target is off now: delete its objects with `kubectl delete -k kubernetes/overlays/default` before generating, while the files exist"];
  if (mine.some((p) => p.endsWith("/base/jobs.yaml")) && before(`${KUBERNETES_DIR}/base/jobs.yaml`) !== undefined)
    lines.push("  the init Jobs changed: delete them (`kubectl delete job -l app.kubernetes.io/component=init`) before applying");
  const added = [...secretKeys(after(SECRETS_SCRIPT))].filter((k) => before(SECRETS_SCRIPT) !== undefined && !secretKeys(before(SECRETS_SCRIPT)).has(k)).map((k) => k.replace(/^custom_/, ""));
  if (added.length > 0) lines.push(`  new secret${added.length === 1 ? "" : "s"} ${added.join(", ")}: create-secrets.sh keeps existing Secrets, so add ${added.length === 1 ? "it" : "them"} to the cluster's by hand`);
  lines.push("  then: `kubectl apply -k kubernetes/overlays/default`");
  return lines;
}
