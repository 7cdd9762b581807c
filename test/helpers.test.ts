/**
 * The test helpers that decide whether a comparison runs: sharedRender()
 * skips (with a printed reason) only outside CI, and
 * withDeliberateDifferences() edits exactly the documented differences.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { PROFILES } from "../profiles/index.js";
import { SHARED_RENDERS, sharedRender, tempDir } from "./helpers.js";
import { deliberate } from "./support/deliberate.js";
import { resolveDeployment } from "../validation/resolve.js";

const thrown = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return String(e);
  }
  return "(nothing thrown)";
};

test("sharedRender: without ../shared it skips, printing why; under CI it throws instead", () => {
  const absent = join(tempDir(), "no-shared", "reference", "renders");
  const printed: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => void printed.push(args.join(" "));
  try {
    assert.is(sharedRender("dioptra-1.0", "default", { renders: absent, ci: false }), undefined);
  } finally {
    console.log = log;
  }
  assert.match(printed.join("\n"), "(skipping comparisons with the dioptra-1.0/default render: ../shared/reference/renders is absent)");
  assert.match(thrown(() => sharedRender("dioptra-1.0", "default", { renders: absent, ci: true })), /required under CI but is absent/);
});

test("sharedRender: a present ../shared gives the variant's folder, and a variant it lacks is an error even locally", () => {
  const renders = tempDir();
  mkdirSync(join(renders, "dioptra-1.1", "default"), { recursive: true });
  assert.is(sharedRender("dioptra-1.1", "default", { renders, ci: false }), join(renders, "dioptra-1.1", "default"));
  assert.match(thrown(() => sharedRender("dioptra-1.1", "no-such-variant", { renders, ci: false })), /has no render dioptra-1\.1\/no-such-variant/);
  // The real location is beside the repository, never inside it.
  assert.ok(SHARED_RENDERS.endsWith(join("shared", "reference", "renders")));
});

test("deliberate(): the template's third-party images become our pins, its worker health check ours; other services keep their values", () => {
  const { spec } = resolveDeployment({ dioptra: "1.0" });
  const profile = PROFILES["1.0"];
  const doc = {
    services: {
      "dioptra-deployment-minio": { image: profile.templateImages.minio!, hostname: "m" },
      "dioptra-deployment-restapi": { image: "dioptra/restapi:dev", healthcheck: { test: ["CMD", "curl", "-f", "http://localhost:5000/health"] } },
      "dioptra-deployment-pytorchcpu-01": { image: "dioptra/pytorch-cpu:dev", healthcheck: { test: ["CMD", "/usr/local/bin/healthcheck.sh"], interval: "30s" } },
      custom: { image: "minio/minio:RELEASE.2020" },
    },
  };
  const out = deliberate(spec!, doc, false);
  const svc = (n: string) => out.services[n] as Record<string, unknown>;
  assert.is(svc("dioptra-deployment-minio").image, "quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z");
  assert.is(svc("dioptra-deployment-minio").hostname, "m");
  assert.equal(svc("dioptra-deployment-restapi").healthcheck, doc.services["dioptra-deployment-restapi"].healthcheck);
  assert.is(svc("custom").image, "minio/minio:RELEASE.2020");
  assert.equal((svc("dioptra-deployment-pytorchcpu-01").healthcheck as { test: string[] }).test, ["CMD", "/bin/bash", "-c", "grep -qs 'dioptra-worker-v[1]' /proc/[0-9]*/cmdline"]);
  // The input is not edited in place.
  assert.is(doc.services["dioptra-deployment-minio"].image, "minio/minio:latest");
});

test.run();
