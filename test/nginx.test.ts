/**
 * The nginx confs: text parity with the template's render for every
 * fixture (the fixtures are Dioptra 1.0, compared with the dioptra-1.0
 * renders in ../shared/reference/renders), and a real `nginx -t` of each layout init produces (http_ or
 * https_ confs, plus stream_) under the image's nginx.conf, with the
 * upstream host names and /etc/ssl supplied by private bind mounts so the
 * confs are checked exactly as generated.
 */
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "yaml";
import { ENTRY_POINTS } from "../model/entry-points.js";
import { MARKER } from "../files/marker.js";
import { NGINX_CONF_DIR } from "../generators/nginx/confs.js";
import type { OutFile } from "../files/out-file.js";
import { FIXTURES, fixtureNames, sharedRender, synthConfig } from "./helpers.js";
import { loadConfig } from "../app/load-config.js";
import { deliberateConf, withoutComments } from "./support/deliberate.js";
import { canRunNginx, nginxCheck, upstreamHosts, type NginxResult } from "./nginx/harness.js";

const MARKER_LINE = `# ${MARKER}\n`;

const generated = new Map<string, Promise<OutFile[]>>();

/** Everything the fixture generates, once per run. */
function filesOf(fixture: string): Promise<OutFile[]> {
  let files = generated.get(fixture);
  if (!files) generated.set(fixture, (files = synthConfig(join(FIXTURES, fixture, "deployment.config.ts"))));
  return files;
}

/** The fixture's nginx confs, by file name. */
async function confsOf(fixture: string): Promise<Map<string, string>> {
  const confs = (await filesOf(fixture)).filter((f) => f.path.startsWith(`${NGINX_CONF_DIR}/`));
  return new Map(confs.map((f) => [basename(f.path), f.content]));
}

function stripMarker(file: string, content: string): string {
  assert.ok(content.startsWith(MARKER_LINE), `${file} does not start with the generated-file marker`);
  return content.slice(MARKER_LINE.length);
}

/** The render's config/nginx, or undefined (skipped) without ../shared. */
function referenceDir(fixture: string): string | undefined {
  const render = sharedRender("dioptra-1.0", fixture);
  return render === undefined ? undefined : join(render, NGINX_CONF_DIR);
}

for (const name of fixtureNames()) {
  test(`${name}: config/nginx has the reference's conf files`, async () => {
    const ref = referenceDir(name);
    if (ref === undefined) return;
    assert.equal([...(await confsOf(name)).keys()].sort(), readdirSync(ref).sort());
  });

  test(`${name}: each nginx conf is the reference's directives, less the deliberate differences, plus the marker line`, async () => {
    const ref = referenceDir(name);
    if (ref === undefined) return;
    const spec = (await loadConfig(join(FIXTURES, name, "deployment.config.ts"))).toSpec();
    for (const [file, content] of await confsOf(name)) {
      assert.ok(stripMarker(file, content) !== content, `${file}: no marker line`);
      assert.fixture(withoutComments(stripMarker(file, content)), withoutComments(deliberateConf(spec, file, readFileSync(join(ref, file), "utf8"))), file);
    }
  });
}

test("nginx listens on exactly the container ports compose can publish", async () => {
  const published = new Set(ENTRY_POINTS.map((e) => e.container));
  const listened = new Set<number>();
  for (const content of (await confsOf("default")).values()) {
    for (const m of content.matchAll(/^\s*listen (\d+)/gm)) listened.add(Number(m[1]));
  }
  const sorted = (ports: Set<number>) => [...ports].sort((a, b) => a - b);
  assert.equal(sorted(listened), sorted(published));
});

test("every upstream host is the host name of a service in docker-compose.yml", async () => {
  const compose = (await filesOf("default")).find((f) => f.path === "docker-compose.yml");
  assert.ok(compose, "no docker-compose.yml generated");
  const services = Object.values((parse(compose.content) as { services: Record<string, { hostname?: string }> }).services);
  const hostnames = new Set(services.map((svc) => svc.hostname));
  for (const host of upstreamHosts((await confsOf("default")).values())) assert.ok(hostnames.has(host), `${host} is no service's hostname`);
});

function assertAccepted(result: NginxResult, what: string): void {
  assert.ok(result.status === 0, `nginx -t rejected ${what}:\n${result.output}`);
}

function assertRejected(result: NginxResult, expected: RegExp): void {
  assert.ok(result.status !== 0, "nginx -t accepted a layout it should reject");
  assert.match(result.output, expected);
}

for (const name of fixtureNames()) {
  for (const scheme of ["http", "https"] as const) {
    test(`${name}: nginx -t accepts the ${scheme} layout (${scheme}_*.conf + stream_*.conf)`, async () => {
      if (!canRunNginx()) return;
      assertAccepted(nginxCheck(await confsOf(name), scheme), `${name}'s ${scheme} layout`);
    });
  }
}

test("nginx -t rejects a misspelled directive", async () => {
  if (!canRunNginx()) return;
  const edit = (d: Map<string, string>) => d.set("http_mlflow.conf", d.get("http_mlflow.conf")!.replace("client_max_body_size", "client_max_bodysize"));
  assertRejected(nginxCheck(await confsOf("default"), "http", { edit }), /unknown directive "client_max_bodysize"/);
});

test("nginx -t rejects a missing semicolon", async () => {
  if (!canRunNginx()) return;
  const edit = (d: Map<string, string>) => d.set("stream_db.conf", d.get("stream_db.conf")!.replace("proxy_timeout 60s;", "proxy_timeout 60s"));
  assertRejected(nginxCheck(await confsOf("default"), "https", { edit }), /invalid number of arguments in "proxy_timeout" directive in \S+stream_db\.conf:\d+/);
});

test("nginx -t rejects an upstream host that does not resolve", async () => {
  if (!canRunNginx()) return;
  const result = nginxCheck(await confsOf("default"), "http", { unresolved: ["dioptra-deployment-restapi"] });
  assertRejected(result, /host not found in upstream "dioptra-deployment-restapi:5000"/);
});

test("nginx -t rejects the https layout without its certificate", async () => {
  if (!canRunNginx()) return;
  assertRejected(nginxCheck(await confsOf("default"), "https", { withoutCertificate: true }), /\/etc\/ssl\/server\.crt/);
});

test.run();
