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
import { SHARED_RENDERS, TEMPLATE_WORKER_HEALTHCHECK_TEST, sharedRender, tempDir, withDeliberateDifferences } from "./helpers.js";

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

test("withDeliberateDifferences: the template's third-party images become our pins, its worker health check ours; nothing else changes", () => {
  const profile = PROFILES["1.0"];
  const doc = {
    services: {
      minio: { image: profile.templateImages.minio!, hostname: "m" },
      redis: { image: profile.templateImages.redis! },
      restapi: { image: "dioptra/restapi:dev", healthcheck: { test: ["CMD", "curl", "-f", "http://localhost:5000/health"] } },
      worker: { image: "dioptra/pytorch-cpu:dev", healthcheck: { test: TEMPLATE_WORKER_HEALTHCHECK_TEST, interval: "30s" } },
      custom: { image: "minio/minio:RELEASE.2020" },
    },
  };
  const { doc: out, images, healthchecks } = withDeliberateDifferences(doc, "1.0");
  assert.is(images, 2);
  assert.is(healthchecks, 1);
  assert.is(out.services.minio.image, "quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z");
  assert.is(out.services.minio.hostname, "m");
  assert.is(out.services.redis.image, "redis:7.4.6");
  assert.equal(out.services.restapi, doc.services.restapi);
  assert.equal(out.services.custom, doc.services.custom);
  assert.equal(out.services.worker.healthcheck.test, ["CMD", "/bin/bash", "-c", "grep -qs 'dioptra-worker-v[1]' /proc/[0-9]*/cmdline"]);
  // The input is not edited in place.
  assert.is(doc.services.minio.image, "minio/minio:latest");
});

test.run();
