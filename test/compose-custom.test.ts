/**
 * Custom containers in Compose: `waitFor` becomes `--wait-for` flags only
 * for a Dioptra entrypoint (a Dioptra image, or `dioptraEntrypoint: true`),
 * a third-party image keeps its own command and orders its start with typed
 * `dependsOn` (Compose's long form, checked by the real docker-compose
 * 1.29), and `fromEnv`/`secret` name only variables that will be in `.env`.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "yaml";
import { deployment } from "../dsl/deployment.js";
import { fromEnv, secret } from "../dsl/env.js";
import { workerContainer } from "../dsl/container.js";
import type { CustomContainerProps, DeploymentProps } from "../dsl/props.js";
import { synth } from "../generators/index.js";
import { haveTool } from "./helpers.js";
import { propsOut } from "./init/support.js";

type Service = { command?: string[]; depends_on?: Record<string, { condition: string }> };

function composeOf(props: DeploymentProps): Record<string, Service> {
  const file = synth(deployment(props).toSpec()).find((f) => f.path === "docker-compose.yml")!;
  return (parse(file.content) as { services: Record<string, Service> }).services;
}

const one = (k: CustomContainerProps) => composeOf({ customContainers: { k } }).k!;

function issuesOf(props: DeploymentProps): { path: string; message: string }[] {
  return deployment(props).resolve().issues.map(({ path, message }) => ({ path, message }));
}

test("a third-party image keeps its own command: no --wait-for flags, and no command key without a command", () => {
  assert.is(one({ image: "quay.io/jupyter/base-notebook:2025-01-06" }).command, undefined);
  assert.equal(one({ image: "quay.io/jupyter/base-notebook:2025-01-06", command: ["start-notebook.py"] }).command, ["start-notebook.py"]);
});

test("waitFor on a Dioptra image (by its reference) or with dioptraEntrypoint: true gives --wait-for flags ahead of the command", () => {
  const image = deployment({}).toSpec().images.tensorflowCpu;
  const flags = ["--wait-for", "dioptra-deployment-db:5432", "tensorflow_cpu"];
  assert.equal(one({ image, waitFor: ["db"], command: ["tensorflow_cpu"] }).command, flags);
  assert.equal(one({ image: "my-worker:1", dioptraEntrypoint: true, waitFor: ["db"], command: ["tensorflow_cpu"] }).command, flags);
  // workerContainer() says its image is a Dioptra worker's.
  assert.equal(one(workerContainer("cpu", { image: "my-worker:1", command: ["q"] })).command!.slice(0, 2), ["--wait-for", "dioptra-deployment-redis:6379"]);
});

test("dependsOn is Compose's long form, with the deployment's service names and conditions", () => {
  const s = composeOf({
    customContainers: {
      app: { image: "app:1", dependsOn: { db: "healthy", helper: "started", side: "healthy" } },
      helper: { image: "helper:1" },
      side: { image: "side:1", healthcheck: { test: ["true"] } },
    },
  });
  assert.equal(s.app!.depends_on, {
    "dioptra-deployment-db": { condition: "service_healthy" },
    helper: { condition: "service_started" },
    side: { condition: "service_healthy" },
  });
  assert.is(s.helper!.depends_on, undefined);
});

const CASES: [what: string, props: DeploymentProps, path: string, fragment: string][] = [
  ["waitFor on a third-party image", { customContainers: { k: { image: "x:1", waitFor: ["db", "restapi"] } } }, "customContainers.k.waitFor", 'is not one of this deployment\'s Dioptra images, whose entrypoint reads --wait-for flags; another image would get them as its command. Write dependsOn: { db: "healthy", restapi: "healthy" }'],
  ["dependsOn on an unknown service", { customContainers: { k: { image: "x:1", dependsOn: { postgres: "healthy" } } } }, "customContainers.k.dependsOn.postgres", '"postgres" is neither a deployment service'],
  ["dependsOn with a bad condition", { customContainers: { k: { image: "x:1", dependsOn: { db: "ready" as "healthy" } } } }, "customContainers.k.dependsOn.db", 'must be "started" or "healthy", got "ready"'],
  ["dependsOn on itself", { customContainers: { k: { image: "x:1", dependsOn: { k: "started" } } } }, "customContainers.k.dependsOn.k", "cannot depend on itself"],
  ["healthy on a container without a healthcheck", { customContainers: { k: { image: "x:1", dependsOn: { j: "healthy" } }, j: { image: "y:1" } } }, "customContainers.k.dependsOn.j", '"j" has no healthcheck'],
  ["fromEnv of a variable nothing writes", { customContainers: { k: { image: "x:1", environment: { TOKEN: fromEnv("JUPYTER_TOKEN") } } } }, "customContainers.k.environment.TOKEN", 'fromEnv("JUPYTER_TOKEN"): nothing puts JUPYTER_TOKEN in .env'],
  ["secret named like one of init's variables", { customContainers: { k: { image: "x:1", environment: { P: secret("REDIS_PASSWORD") } } } }, "customContainers.k.environment.P", "init already writes REDIS_PASSWORD"],
  ["dioptraEntrypoint as a string", { customContainers: { k: { image: "x:1", dioptraEntrypoint: "yes" as unknown as boolean } } }, "customContainers.k.dioptraEntrypoint", "must be true or false"],
];

for (const [what, props, path, fragment] of CASES) {
  test(`rejects ${what} at ${path}`, () => {
    const hit = issuesOf(props).find((i) => i.path === path);
    assert.ok(hit, `no issue at ${path}; got: ${issuesOf(props).map((i) => `${i.path}: ${i.message}`).join(" | ")}`);
    assert.ok(hit!.message.includes(fragment), `message "${hit!.message}" lacks "${fragment}"`);
  });
}

test("fromEnv may name init's variables, a secret() declared anywhere in the config, or any name with a default", () => {
  const props: DeploymentProps = {
    customContainers: {
      a: { image: "x:1", environment: { T: secret("LAB_TOKEN"), P: fromEnv("POSTGRES_USER_DIOPTRA_PASSWORD"), O: fromEnv("OPTIONAL", { default: "x" }) } },
      b: { image: "y:1", environment: { T: fromEnv("LAB_TOKEN") } },
    },
  };
  assert.equal(issuesOf(props), []);
});

test("the deployment README lists each custom container's published ports and .env variables", () => {
  const readme = synth(
    deployment({
      customContainers: {
        jupyter: { image: "jup:1", ports: [{ host: 8888, container: 8888 }, { host: 9000, container: 90, protocol: "udp", hostIp: "::1" }], environment: { JUPYTER_TOKEN: secret("JUPYTER_TOKEN"), DB: fromEnv("POSTGRES_USER_DIOPTRA_PASSWORD"), O: fromEnv("LEVEL", { default: "info" }) } },
      },
    }).toSpec(),
  ).find((f) => f.path === "README.md")!.content;
  const row = readme.split("\n").find((l) => l.startsWith("| `jupyter`"));
  assert.ok(row, readme);
  assert.match(row!, "`127.0.0.1:8888 → 8888/tcp`<br>`[::1]:9000 → 90/udp`");
  assert.match(row!, "`JUPYTER_TOKEN` (secret, drawn by init)");
  assert.match(row!, "`LEVEL` (optional, default `info`)");
  assert.match(row!, "`POSTGRES_USER_DIOPTRA_PASSWORD`");
});

test("docker-compose 1.29 accepts the long-form depends_on, and rejects a condition it does not know", () => {
  if (!haveTool("docker-compose", ["version"])) return;
  const out = propsOut({ customContainers: { app: { image: "app:1", dependsOn: { db: "healthy", helper: "started" } }, helper: { image: "helper:1" } } });
  writeFileSync(join(out, ".env"), "");
  const ok = spawnSync("docker-compose", ["config", "-q"], { cwd: out, encoding: "utf8" });
  assert.is(ok.status, 0, ok.stderr);
  const path = join(out, "docker-compose.yml");
  const text = spawnSync("sed", ["-i", "s/condition: service_started/condition: service_ready/", path], { encoding: "utf8" });
  assert.is(text.status, 0);
  const bad = spawnSync("docker-compose", ["config", "-q"], { cwd: out, encoding: "utf8" });
  assert.is.not(bad.status, 0, "service_ready was accepted");
});

test.run();
