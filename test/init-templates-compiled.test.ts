/**
 * The init templates compiled by the build (build/templates.ts) render
 * exactly what ejs renders from the template files, for deployments that
 * use every template.
 */
import { readdirSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { deployment } from "../dsl/deployment.js";
import type { DeploymentProps } from "../dsl/props.js";
import { synth } from "../generators/index.js";
import { compiledTemplateCountForTest, useCompiledTemplatesForTest } from "../generators/init/templates.js";
import { ROOT } from "./helpers.js";

const CONFIGS: DeploymentProps[] = [
  {},
  { workers: { tensorflowCpu: 2, pytorchGpu: 1 }, postgres: { tls: true }, nginx: { tls: true, certificate: "self-signed" }, datasetsDirectory: "/srv/data", systemd: { deploymentPath: "/opt/dioptra" } },
  { name: "lab-two", customContainers: { side: { image: "side:1" } } },
];

test("every template is compiled by the build", () => {
  const files = readdirSync(`${ROOT}/generators/init`, { recursive: true, encoding: "utf8" }).filter((n) => n.endsWith(".ejs"));
  assert.is(compiledTemplateCountForTest(), files.length);
});

test("compiled templates render what ejs renders", () => {
  for (const props of CONFIGS) {
    const spec = deployment(props).toSpec();
    useCompiledTemplatesForTest(false);
    const byEjs = synth(spec);
    useCompiledTemplatesForTest(true);
    const compiled = synth(spec);
    assert.equal(compiled.map((f) => f.path), byEjs.map((f) => f.path));
    compiled.forEach((f, i) => assert.fixture(f.content, byEjs[i]!.content, f.path));
  }
});

test.run();
