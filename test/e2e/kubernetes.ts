/**
 * Optional end-to-end step for the Kubernetes target: with a KUBECONFIG,
 * generates the default deployment into a fresh namespace, creates its
 * Secrets, applies overlays/default with a server-side dry run and then for
 * real, waits for every Job to complete and every workload to be ready, and
 * deletes the namespace. Without one it says plainly that it is skipped:
 * CI here has no cluster, so there the target is validated, not booted.
 *
 *   npm run test:e2e:kubernetes
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { deployment } from "../../dsl/deployment.js";
import { synth } from "../../generators/index.js";
import { writeOut } from "../../writer/index.js";
import { tempDir } from "../helpers.js";
import { kubectl } from "../support/kubectl.js";

const config = process.env.KUBECONFIG;
if (!config || !config.split(":").some((f) => existsSync(f))) {
  console.log("kubernetes e2e: skipped: KUBECONFIG is not set or names no file (CI here has no cluster: the target is validated offline, not booted)");
  process.exit(0);
}
const k = kubectl();
if (!k) throw new Error("kubernetes e2e: no kubectl");

const namespace = `dioptra-e2e-${randomBytes(4).toString("hex")}`;
const dir = tempDir("dd-k8s-e2e-");
writeOut(synth(deployment({ kubernetes: { namespace } }).toSpec()), dir);
const env = { ...process.env, PATH: `${k === "kubectl" ? "" : `${dirname(k)}:`}${process.env.PATH}` };

function step(what: string, cmd: string, args: string[]): void {
  console.log(`kubernetes e2e: ${what}`);
  const r = spawnSync(cmd, args, { cwd: dir, env, stdio: "inherit" });
  if (r.status !== 0) throw new Error(`kubernetes e2e: ${what} failed (exit ${r.status})`);
}

try {
  step("create the Secrets", "bash", ["kubernetes/create-secrets.sh"]);
  step("server-side dry run", "kubectl", ["apply", "--server-side", "--dry-run=server", "-k", "kubernetes/overlays/default"]);
  step("apply", "kubectl", ["apply", "--server-side", "-k", "kubernetes/overlays/default"]);
  step("wait for the init Jobs", "kubectl", ["wait", "--namespace", namespace, "--for=condition=complete", "job", "--all", "--timeout=15m"]);
  step("wait for the Deployments", "kubectl", ["wait", "--namespace", namespace, "--for=condition=available", "deployment", "--all", "--timeout=15m"]);
  step("wait for the StatefulSets", "kubectl", ["rollout", "status", "--namespace", namespace, "statefulset", "--timeout=15m"]);
  console.log(`kubernetes e2e: every workload of ${namespace} is ready`);
} finally {
  spawnSync("kubectl", ["delete", "namespace", namespace, "--wait=false"], { env, stdio: "inherit" });
  rmSync(dir, { recursive: true, force: true });
}
