/**
 * `plan`, run as the built bin, lists the Kubernetes files a generate would
 * change and what that means for the cluster: a re-apply, the init Jobs
 * deleted first when they changed, new secrets to add by hand.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli, tempDir } from "../../helpers.js";

const HEAD = 'import { deployment, secret } from "dioptra-deploy";\nexport default deployment(';

function planAfter(first: string, second: string): string {
  const dir = tempDir();
  const config = join(dir, "deployment.config.ts");
  const out = join(dir, "out");
  writeFileSync(config, `${HEAD}${first});\n`);
  const g = runCli(["generate", "--config", config, "--out", out]);
  assert.is(g.status, 0, g.stderr);
  writeFileSync(config, `${HEAD}${second});\n`);
  const r = runCli(["plan", "--config", config, "--out", out]);
  assert.is(r.status, 0, r.stderr);
  return r.stdout;
}

test("another worker: its workload and the policies change; re-apply", () => {
  const text = planAfter("{ kubernetes: {} }", "{ kubernetes: {}, workers: { tensorflowCpu: 2 } }");
  assert.match(text, /^kubernetes: \d+ files change \(.*base\/workloads\/dioptra-deployment-tfcpu-02\.yaml.*\)$/m);
  assert.match(text, /base\/network-policies\.yaml/);
  assert.match(text, /^ {2}then: `kubectl apply -k kubernetes\/overlays\/default`$/m);
  assert.not.match(text, /init Jobs changed/);
});

test("a renamed admin user changes the database Job: delete the Jobs first; a new secret is named", () => {
  const text = planAfter(
    "{ kubernetes: {} }",
    '{ kubernetes: {}, postgres: { adminUser: "admin" }, customContainers: { side: { image: "s:1", environment: { T: secret("SIDE_TOKEN") } } } }',
  );
  assert.match(text, /the init Jobs changed: delete them/);
  assert.match(text, /new secret SIDE_TOKEN: create-secrets\.sh keeps existing Secrets/);
});

test("without the target, plan says nothing about Kubernetes", () => {
  assert.not.match(planAfter("{}", "{ workers: { tensorflowCpu: 2 } }"), /kubernetes/);
});

test.run();
