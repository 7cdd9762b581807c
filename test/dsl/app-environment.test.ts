/**
 * Dioptra's own secrets and switches: the REST API alone gets the cookie
 * signing key init draws, and the Secure remember-me cookie when TLS is on;
 * a config that turns authentication off, or hands the key to another
 * container, is refused at its line by the shipped CLI.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "yaml";
import { deployment } from "../../dsl/deployment.js";
import type { DeploymentProps } from "../../dsl/props.js";
import { synth } from "../../generators/index.js";
import { runCli, tempDir } from "../helpers.js";

type Doc = { services: Record<string, { environment?: Record<string, string> }> };
const composeOf = (props: DeploymentProps, path = "docker-compose.yml"): Doc =>
  parse(synth(deployment(props).toSpec()).find((f) => f.path === path)!.content) as Doc;

/** The services whose environment names `variable`. */
const holders = (doc: Doc, variable: string) => Object.keys(doc.services).filter((s) => Object.hasOwn(doc.services[s]!.environment ?? {}, variable));

test("only the long-running REST API gets DIOPTRA_DEPLOY_SECRET_KEY, from .env; the init services and the workers do not", () => {
  const swarm: DeploymentProps = { nginx: { exposePortsOnLocalhostOnly: false }, hosts: { core: { node: "core" } }, swarm: {} };
  const stack = composeOf(swarm, "swarm/docker-stack.yml");
  assert.equal(holders(stack, "DIOPTRA_DEPLOY_SECRET_KEY"), ["dioptra-deployment-restapi"]);
  for (const props of [{}, { dioptra: "1.0" }, swarm] as DeploymentProps[]) {
    const main = composeOf(props);
    assert.equal(holders(main, "DIOPTRA_DEPLOY_SECRET_KEY"), ["dioptra-deployment-restapi"]);
    assert.is(main.services["dioptra-deployment-restapi"]!.environment!.DIOPTRA_DEPLOY_SECRET_KEY, "${DIOPTRA_DEPLOY_SECRET_KEY}");
    assert.equal(holders(composeOf(props, "docker-compose.init.yml"), "DIOPTRA_DEPLOY_SECRET_KEY"), []);
  }
});

test("DIOPTRA_REMEMBER_COOKIE_SECURE is set on the REST API exactly when users come over HTTPS (nginx.tls)", () => {
  const tls = composeOf({ nginx: { tls: true, certificate: "self-signed" } });
  assert.equal(holders(tls, "DIOPTRA_REMEMBER_COOKIE_SECURE"), ["dioptra-deployment-restapi"]);
  assert.is(tls.services["dioptra-deployment-restapi"]!.environment!.DIOPTRA_REMEMBER_COOKIE_SECURE, "true");
  assert.equal(holders(composeOf({}), "DIOPTRA_REMEMBER_COOKIE_SECURE"), []);
});

test("generate refuses DIOPTRA_LOGIN_DISABLED in an overlay or a custom container, and the signing key in another container, each at its line", () => {
  const dir = tempDir();
  const config = join(dir, "deployment.config.ts");
  writeFileSync(
    config,
    [
      'import { deployment, fromEnv } from "dioptra-deploy";',
      "export default deployment({",
      "  overrides: { services: { \"dioptra-deployment-restapi\": { environment: { DIOPTRA_LOGIN_DISABLED: \"1\" } } } },",
      "  environments: { lab: { services: { \"dioptra-deployment-restapi\": { environment: [\"DIOPTRA_LOGIN_DISABLED=yes\"] } } } },",
      "  customContainers: {",
      "    api: { image: \"example.org/api:1\", environment: { DIOPTRA_LOGIN_DISABLED: \"true\" } },",
      "    spy: { image: \"example.org/spy:1\", environment: { KEY: fromEnv(\"DIOPTRA_DEPLOY_SECRET_KEY\") } },",
      "  },",
      "});",
      "",
    ].join("\n"),
  );
  const out = join(dir, "out");
  const r = runCli(["generate", "--config", config, "--out", out]);
  assert.is(r.status, 1, r.stderr);
  assert.match(r.stderr, /deployment\.config\.ts:3:\d+ {2}overrides\.services\.dioptra-deployment-restapi\.environment\.DIOPTRA_LOGIN_DISABLED: "DIOPTRA_LOGIN_DISABLED" must not be set: any value turns the REST API's authentication off/);
  assert.match(r.stderr, /deployment\.config\.ts:4:\d+ {2}environments\.lab\.services\.dioptra-deployment-restapi\.environment\.0: "DIOPTRA_LOGIN_DISABLED" must not be set/);
  assert.match(r.stderr, /deployment\.config\.ts:6:\d+ {2}customContainers\.api\.environment\.DIOPTRA_LOGIN_DISABLED: "DIOPTRA_LOGIN_DISABLED" must not be set/);
  assert.match(r.stderr, /deployment\.config\.ts:7:\d+ {2}customContainers\.spy\.environment\.KEY: fromEnv\("DIOPTRA_DEPLOY_SECRET_KEY"\): only the REST API/);
  assert.not.ok(existsSync(out), "nothing written");
});

test.run();
