/**
 * out/README.md's Kubernetes section: the mapping table is the one the
 * target reads (every row, in order), the apply order names the overlays
 * that exist, and the Pod Security exceptions it lists are the pods that
 * fail "restricted" in the built base.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { COMPOSE_TO_KUBERNETES } from "../../../targets/kubernetes/mapping.js";
import { MAPPING_HEADING } from "../../../targets/kubernetes/readme.js";
import { propsFiles } from "../../init/support.js";
import { parseObjects, restrictedViolations, workloads } from "../../support/kubernetes-checks.js";
import { LAB } from "./configs.js";

const readme = (files: ReturnType<typeof propsFiles>) => files.find((f) => f.path === "README.md")!.content;

test("the mapping table holds every row of COMPOSE_TO_KUBERNETES, in order", () => {
  const text = readme(propsFiles(LAB));
  const after = text.slice(text.indexOf(MAPPING_HEADING)).split("\n").slice(2);
  const table = after.slice(0, after.findIndex((l) => !l.startsWith("|"))).slice(2);
  const rows = table.map((l) => l.slice(2, -2).split(/(?<!\\) \| /).map((c) => c.replace(/\\\|/g, "|")));
  assert.equal(rows, COMPOSE_TO_KUBERNETES.map((r) => [r.compose, r.kubernetes, r.fate]));
  assert.ok(COMPOSE_TO_KUBERNETES.some((r) => r.fate === "dropped") && COMPOSE_TO_KUBERNETES.some((r) => /index list/.test(r.kubernetes)), "says what is dropped and what happens to GPU index lists");
});

test("the apply order and prerequisites name what this deployment needs", () => {
  const text = readme(propsFiles(LAB));
  for (const o of ["overlays/gpu", "overlays/ingress", "overlays/storage-class", "overlays/default"]) assert.ok(text.includes(`\`${o}\``), o);
  assert.match(text, /kubernetes\/create-secrets\.sh[^\n]*\nkubectl apply -k kubernetes\/overlays\/default/);
  assert.match(text, /NVIDIA device plugin or GPU operator/);
  assert.match(text, /an Ingress controller/);
  assert.match(text, /Every pod meets "restricted"\./);
  const plain = readme(propsFiles({ kubernetes: {} }));
  assert.not.match(plain, /GPU operator|Ingress controller/);
});

test("the listed Pod Security exceptions are exactly the pods that fail restricted", () => {
  const props = { kubernetes: {}, datasetsDirectory: "/srv/data", customContainers: { side: { image: "s:1" } } };
  const files = propsFiles(props);
  const listed = [...readme(files).matchAll(/^- `([^`]+)`: (baseline|privileged), /gm)].map((m) => m[1]).sort();
  const objs = parseObjects(files.filter((f) => f.path.startsWith("kubernetes/base/workloads/")).map((f) => f.content).join("\n---\n"));
  const failing = workloads(objs).filter((w) => restrictedViolations(w).length > 0).map((w) => w.metadata.name).sort();
  assert.ok(failing.length >= 3, failing.join(", "));
  assert.equal(listed, failing);
  const ns = parseObjects(files.find((f) => f.path === "kubernetes/base/namespace.yaml")!.content)[0]!;
  assert.is(ns.metadata.labels["pod-security.kubernetes.io/enforce"], "privileged");
});

test.run();
