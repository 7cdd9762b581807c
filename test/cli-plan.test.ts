/**
 * `dioptra-deploy plan`, run as the built bin: for a config edit it names
 * the files generate would write, the services Compose would create,
 * recreate, remove or need restarting, and whether init must run again;
 * it writes nothing and exits 0.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { OutFile } from "../files/out-file.js";
import { planChanges } from "../generators/plan.js";
import { listFiles, runCli, tempDir } from "./helpers.js";

const HEAD = 'import { deployment, secret } from "dioptra-deploy";\nexport default deployment(';

/** A folder with a config of `props` (TypeScript text) generated into out/. */
function generated(props: string): { dir: string; config: string; out: string } {
  const dir = tempDir();
  const config = join(dir, "deployment.config.ts");
  writeFileSync(config, `${HEAD}${props});\n`);
  const out = join(dir, "out");
  const r = runCli(["generate", "--config", config, "--out", out]);
  assert.is(r.status, 0, r.stderr);
  return { dir, config, out };
}

function plan(config: string, out: string, props: string): string {
  writeFileSync(config, `${HEAD}${props});\n`);
  const before = listFiles(out).map((f) => [f, readFileSync(join(out, f), "utf8")]);
  const r = runCli(["plan", "--config", config, "--out", out]);
  assert.is(r.status, 0, r.stderr);
  assert.equal(listFiles(out).map((f) => [f, readFileSync(join(out, f), "utf8")]), before, "plan wrote nothing");
  return r.stdout;
}

test("an unchanged config: nothing to write, recreate or re-run", () => {
  const { config, out } = generated("{}");
  assert.match(plan(config, out, "{}"), "out/ is up to date: generate would change nothing, Compose would recreate nothing, init need not run again");
});

test("a new custom container with a secret and TLS on: creates it, recreates nginx, init must run for the defaults and the secret", () => {
  const { config, out } = generated("{}");
  const text = plan(
    config,
    out,
    '{ nginx: { tls: true, certificate: "self-signed" }, customContainers: { jupyter: { image: "jup:1", environment: { JUPYTER_TOKEN: secret("JUPYTER_TOKEN") } } } }',
  );
  assert.match(text, /^ {2}write {3}docker-compose\.yml$/m);
  assert.match(text, /^ {2}create {3}jupyter$/m);
  assert.match(text, /^ {2}recreate dioptra-deployment-nginx: its definition in docker-compose\.yml changed$/m);
  assert.not.match(text, /dioptra-deployment-restapi/);
  assert.match(text, /^init: run \.\/init-deployment\.sh again before `docker compose up -d`: .*its default DEFAULT_ENABLE_NGINX_SSL is now on \(was off\).*new secret JUPYTER_TOKEN/m);
});

test("fewer workers: the worker is removed; a changed env file recreates the services that read it; init need not run", () => {
  const { config, out } = generated("{ workers: { tensorflowCpu: 2 } }");
  const text = plan(config, out, "{ workers: { tensorflowCpu: 1 } }");
  assert.match(text, /^ {2}remove {3}dioptra-deployment-tfcpu-02 \(with --remove-orphans\)$/m);
  assert.not.match(text, /tfcpu-01/);
  assert.match(text, "init: need not run again");
});

test("planChanges: an env file or mounted file changed without a definition change; config/ changed means init", () => {
  const compose = (envFile: string) => `services:\n  a:\n    image: a\n    env_file:\n      - ./envs/${envFile}\n  b:\n    image: b\n    volumes:\n      - "./data/b:/b:ro"\n`;
  const files: OutFile[] = [
    { path: "docker-compose.yml", content: compose("a.env"), mode: 0o644 },
    { path: "init-deployment.sh", content: "readonly DEFAULT_ENABLE_NGINX_SSL=off\n  draw_secret x token\n", mode: 0o755 },
  ];
  const current: Record<string, string> = { "docker-compose.yml": compose("a.env"), "init-deployment.sh": files[1]!.content };
  const p = planChanges(files, (f) => current[f], ["envs/a.env", "data/b/x.txt", "config/nginx/http.conf"], []);
  assert.equal(p.services.map((s) => [s.action, s.service, s.reasons.join("; ")]), [
    ["recreate", "a", "env file envs/a.env changed"],
    ["restart", "b", "mounted file data/b/x.txt changed"],
  ]);
  assert.equal(p.init, ["config/nginx/http.conf changed"]);
  // Negative: the same folder with nothing changed plans nothing.
  const none = planChanges(files, (f) => current[f], [], []);
  assert.equal([none.services, none.init, none.newSecrets], [[], [], []]);
});

test("plan --help documents the command; plan is listed in the tool's help", () => {
  const r = runCli(["plan", "--help"]);
  assert.is(r.status, 0);
  assert.match(r.stdout, "usage: dioptra-deploy plan [--config FILE] [--out DIR]");
  assert.match(r.stdout, "whether\n./init-deployment.sh must run again");
  assert.match(runCli(["--help"]).stdout, /^ {2}plan +show what generate would change/m);
});

test("plan with a bad config reports it like generate and exits 1", () => {
  const { config, out } = generated("{}");
  writeFileSync(config, `${HEAD}{ nginx: { tls: true } });\n`);
  const r = runCli(["plan", "--config", config, "--out", out]);
  assert.is(r.status, 1);
  assert.match(r.stderr, /deployment\.config\.ts:\d+:\d+ +nginx\.certificate: is required with nginx\.tls: true/);
});

test.run();
