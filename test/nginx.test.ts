/**
 * The nginx confs: text parity with the template's render for every
 * fixture, and a real `nginx -t` of each layout init produces (http_ or
 * https_ confs, plus stream_) under the image's nginx.conf, with the
 * upstream host names and /etc/ssl supplied by private bind mounts so the
 * confs are checked exactly as generated.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "yaml";
import { NGINX_FIXED_PORTS } from "../dsl/resolve.js";
import { MARKER } from "../generators/marker.js";
import { NGINX_CONF_DIR } from "../generators/nginx.js";
import type { OutFile } from "../generators/out-file.js";
import { FIXTURES, IN_CI, ROOT, fixtureNames, haveTool, synthConfig, tempDir } from "./helpers.js";

const MARKER_LINE = `# ${MARKER}\n`;
/** The image's nginx.conf loads this; Debian ships it in libnginx-mod-stream. */
const STREAM_MODULE = "/usr/lib/nginx/modules/ngx_stream_module.so";

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

const referenceDir = (fixture: string) => join(FIXTURES, fixture, "reference", NGINX_CONF_DIR);

for (const name of fixtureNames()) {
  test(`${name}: config/nginx has the reference's conf files`, async () => {
    assert.equal([...(await confsOf(name)).keys()].sort(), readdirSync(referenceDir(name)).sort());
  });

  test(`${name}: each nginx conf is the reference's text plus the marker line`, async () => {
    for (const [file, content] of await confsOf(name)) {
      assert.fixture(stripMarker(file, content), readFileSync(join(referenceDir(name), file), "utf8"), file);
    }
  });
}

test("nginx listens on exactly the container ports compose can publish", async () => {
  const published = new Set([30080, 30443, ...NGINX_FIXED_PORTS.map((p) => p.container)]);
  const listened = new Set<number>();
  for (const content of (await confsOf("default")).values()) {
    for (const m of content.matchAll(/^\s*listen (\d+)/gm)) listened.add(Number(m[1]));
  }
  const sorted = (ports: Set<number>) => [...ports].sort((a, b) => a - b);
  assert.equal(sorted(listened), sorted(published));
});

/** `server <host>:<port>;` targets of every upstream in the confs. */
function upstreamHosts(confs: Iterable<string>): string[] {
  const hosts = new Set<string>();
  for (const c of confs) for (const m of c.matchAll(/^\s*server ([^\s:;]+):\d+;/gm)) hosts.add(m[1]!);
  return [...hosts].sort();
}

test("every upstream host is the host name of a service in docker-compose.yml", async () => {
  const compose = (await filesOf("default")).find((f) => f.path === "docker-compose.yml");
  assert.ok(compose, "no docker-compose.yml generated");
  const services = Object.values((parse(compose.content) as { services: Record<string, { hostname?: string }> }).services);
  const hostnames = new Set(services.map((svc) => svc.hostname));
  for (const host of upstreamHosts((await confsOf("default")).values())) assert.ok(hostnames.has(host), `${host} is no service's hostname`);
});

// ---- nginx -t --------------------------------------------------------------

type Scheme = "http" | "https";

interface NginxResult {
  readonly status: number | null;
  /** nginx's messages and anything the mount set-up printed. */
  readonly output: string;
}

interface Layout {
  /** Edits the conf.d files before the check (negative tests). */
  readonly edit?: (confD: Map<string, string>) => void;
  /** Upstream hosts to leave out of /etc/hosts. */
  readonly unresolved?: readonly string[];
  readonly withoutCertificate?: boolean;
}

const IS_ROOT = process.getuid?.() === 0;
/** As root a mount namespace is enough; otherwise a user namespace grants the bind mounts. */
const UNSHARE = IS_ROOT ? ["--mount"] : ["--user", "--map-root-user", "--mount"];

/** Why nginx -t cannot run here, "" when it can; probed on first use. */
let blocker: string | undefined;

/** Whether nginx -t can run here; locally says once why not, under CI fails. */
function canRunNginx(): boolean {
  if (!haveTool("nginx", ["-v"]) || !haveTool("unshare") || !haveTool("openssl", ["version"])) return false;
  if (blocker === undefined) {
    blocker = !existsSync(STREAM_MODULE)
      ? `nginx's stream module (${STREAM_MODULE}, Debian package libnginx-mod-stream) is not installed`
      : spawnSync("unshare", [...UNSHARE, "--", "true"]).status !== 0
        ? `\`unshare ${UNSHARE.join(" ")}\` is not permitted here`
        : "";
    if (blocker && !IN_CI) console.log(`  (skipping nginx -t checks: ${blocker})`);
  }
  if (blocker && IN_CI) throw new Error(`${blocker}; nginx -t checks are required under CI`);
  return blocker === "";
}

let certificate: { crt: string; key: string } | undefined;

/** A throw-away self-signed certificate, made once per run (EC: quick to generate). */
function selfSigned(): { crt: string; key: string } {
  if (certificate) return certificate;
  const dir = tempDir("dd-nginx-cert-");
  try {
    const [crt, key] = [join(dir, "server.crt"), join(dir, "server.key")];
    const args = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"];
    const r = spawnSync("openssl", [...args, "-subj", "/CN=dioptra.example.org", "-keyout", key, "-out", crt], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`openssl req failed:\n${r.stderr}`);
    return (certificate = { crt: readFileSync(crt, "utf8"), key: readFileSync(key, "utf8") });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Lays out what the nginx container sees after `init` for one scheme, and
 * runs `nginx -t` on it:
 * - `<prefix>/conf.d`: the confs init copies into the nginx-conf-d volume,
 *   `<scheme>_*.conf` and `stream_*.conf`;
 * - `/etc/ssl`: a private bind mount of `<prefix>/ssl` (server.crt and
 *   server.key for https, as init copies them into nginx-etc-ssl; empty for http);
 * - `/etc/hosts`: a private bind mount mapping each upstream host to 127.0.0.1.
 * The mounts live in a mount namespace of their own (`unshare --mount`,
 * private propagation), so the machine's files are untouched.
 */
function nginxCheck(confs: ReadonlyMap<string, string>, scheme: Scheme, layout: Layout = {}): NginxResult {
  const prefix = tempDir("dd-nginx-");
  try {
    return runInPrefix(prefix, confs, scheme, layout);
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
}

function runInPrefix(prefix: string, confs: ReadonlyMap<string, string>, scheme: Scheme, layout: Layout): NginxResult {
  const confD = new Map([...confs].filter(([file]) => file.startsWith(`${scheme}_`) || file.startsWith("stream_")));
  layout.edit?.(confD);
  mkdirSync(join(prefix, "conf.d"));
  mkdirSync(join(prefix, "temp")); // nginx creates the temp folders named in nginx.conf, not their parent
  for (const [file, content] of confD) writeFileSync(join(prefix, "conf.d", file), content);
  writeFileSync(join(prefix, "nginx.conf"), readFileSync(join(ROOT, "test", "nginx", "nginx.conf")));
  mkdirSync(join(prefix, "ssl"));
  if (scheme === "https" && !layout.withoutCertificate) {
    const { crt, key } = selfSigned();
    writeFileSync(join(prefix, "ssl", "server.crt"), crt);
    writeFileSync(join(prefix, "ssl", "server.key"), key, { mode: 0o600 });
  }
  const hosts = upstreamHosts(confD.values()).filter((h) => !layout.unresolved?.includes(h));
  writeFileSync(join(prefix, "hosts"), ["127.0.0.1 localhost", ...hosts.map((h) => `127.0.0.1 ${h}`), ""].join("\n"));

  // nginx's output goes to a file: the confs log to /dev/stdout and /dev/stderr,
  // which nginx cannot open when they are the sockets Node gives a child.
  const log = join(prefix, "nginx.log");
  // Mapped root in a user namespace: nginx would chown its temp folders to
  // `nobody`, who has no uid there, so it keeps them as (mapped) root.
  const user = IS_ROOT ? "" : '-g "user root;" ';
  const nginx = `exec nginx ${user}-q -t -e stderr -p "$1/" -c "$1/nginx.conf" >"$1/nginx.log" 2>&1`;
  const script = `mount --bind "$1/hosts" /etc/hosts && mount --bind "$1/ssl" /etc/ssl && ${nginx}`;
  const r = spawnSync("unshare", [...UNSHARE, "--", "sh", "-c", script, "sh", prefix], { encoding: "utf8" });
  if (r.error) throw r.error;
  return { status: r.status, output: `${existsSync(log) ? readFileSync(log, "utf8") : ""}${r.stdout}${r.stderr}` };
}

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
