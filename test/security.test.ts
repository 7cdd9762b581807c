/**
 * Secure by default: the TLS floor and HSTS in the nginx confs (and the real
 * `nginx -t` on the weakened variants), the redirect's port, Redis's
 * password from .env only, least privilege on every service, the
 * generate-time audit, and the validation of the new settings.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "yaml";
import { workerContainer } from "../dsl/container.js";
import { deployment } from "../dsl/deployment.js";
import type { DeploymentProps } from "../dsl/props.js";
import { resolveDeployment } from "../validation/resolve.js";
import { synth } from "../generators/index.js";
import { INTERMEDIATE_CIPHERS } from "../generators/nginx/table.js";
import type { OutFile } from "../files/out-file.js";
import { securityAudit } from "../generators/security-audit.js";
import { HARDENING, INIT_HARDENING } from "../model/hardening.js";
import { runCli, tempDir } from "./helpers.js";
import { propsOut, restrictedPath, runScript } from "./init/support.js";
import { canRunNginx, nginxCheck } from "./nginx/harness.js";

type Service = Record<string, unknown> & { environment?: Record<string, unknown>; command?: string[] };
type Doc = { services: Record<string, Service> };

const filesOf = (props: DeploymentProps): OutFile[] => synth(deployment(props).toSpec());
const file = (files: readonly OutFile[], path: string): string => {
  const f = files.find((x) => x.path === path);
  assert.ok(f, `${path} is generated`);
  return f!.content;
};
const compose = (files: readonly OutFile[], path = "docker-compose.yml") => parse(file(files, path)) as Doc;
const confs = (files: readonly OutFile[]) =>
  new Map(files.filter((f) => f.path.startsWith("config/nginx/")).map((f) => [f.path.slice("config/nginx/".length), f.content]));
const specOf = (props: DeploymentProps) => {
  const r = resolveDeployment(props);
  assert.equal(r.issues, []);
  return r.spec!;
};

// ── TLS

test("https_default.conf: TLS 1.2 and 1.3 only, Mozilla's intermediate ciphers, the client's choice, no session tickets", () => {
  const conf = file(filesOf({}), "config/nginx/https_default.conf");
  assert.match(conf, /^ssl_protocols +TLSv1\.2 TLSv1\.3;$/m);
  assert.not.match(conf, /TLSv1(\.1)?[ ;]/);
  assert.match(conf, new RegExp(`^ssl_ciphers +${INTERMEDIATE_CIPHERS};$`, "m"));
  assert.ok(INTERMEDIATE_CIPHERS.split(":").every((c) => c.startsWith("ECDHE-") && /GCM|CHACHA20/.test(c)), "forward-secret AEAD suites only");
  assert.match(conf, /^ssl_prefer_server_ciphers off;$/m);
  assert.match(conf, /^ssl_session_tickets off;$/m);
  assert.match(conf, /intermediate/, "the conf names its source");
  // pgAdmin's server no longer has a cipher list (and order) of its own.
  assert.not.match(file(filesOf({}), "config/nginx/https_dbadmin.conf"), /ssl_ciphers|ssl_prefer_server_ciphers/);
});

test("security.legacyTls restores TLS 1.0 and 1.1 (Mozilla's old profile) and generate warns", () => {
  const conf = file(filesOf({ security: { legacyTls: true } }), "config/nginx/https_default.conf");
  assert.match(conf, /^ssl_protocols +TLSv1 TLSv1\.1 TLSv1\.2 TLSv1\.3;$/m);
  assert.match(conf, /@SECLEVEL=0;$/m);
  assert.match(securityAudit(specOf({ security: { legacyTls: true } })).join("\n"), /security\.legacyTls: nginx accepts TLS 1\.0 and 1\.1/);
});

test("HSTS: off for localhost-only deployments, on beyond localhost, configurable, only in the https_ confs", () => {
  const hsts = (props: DeploymentProps) => /Strict-Transport-Security "max-age=(\d+)" always;/.exec(file(filesOf(props), "config/nginx/https_default.conf"))?.[1];
  assert.is(hsts({}), undefined);
  assert.is(hsts({ nginx: { exposePortsOnLocalhostOnly: false } }), "63072000");
  assert.is(hsts({ nginx: { exposePortsOnLocalhostOnly: false }, security: { hsts: false } }), undefined);
  assert.is(hsts({ security: { hsts: true, hstsMaxAge: 86400 } }), "86400");
  const plain = [...confs(filesOf({ security: { hsts: true } }))].filter(([n]) => !n.startsWith("https_"));
  assert.ok(plain.every(([, text]) => !text.includes("Strict-Transport-Security")), "no HSTS over plain HTTP");
});

test("the redirect to HTTPS keeps nginx.httpsPort (and leaves 443 implicit)", () => {
  const redirect = (props: DeploymentProps) => /return 301 (\S+);/.exec(file(filesOf(props), "config/nginx/https_restapi.conf"))?.[1];
  assert.is(redirect({ nginx: { tls: true, certificate: "provided" } }), "https://dioptra.example.org$request_uri");
  assert.is(redirect({ nginx: { tls: true, certificate: "provided", httpsPort: 8443, serverName: "lab.example.org" } }), "https://lab.example.org:8443$request_uri");
});

test("nginx -t accepts the https layout with legacy TLS and HSTS, and with the intermediate profile", () => {
  if (!canRunNginx()) return;
  for (const props of [{ security: { legacyTls: true, hsts: true } }, { nginx: { exposePortsOnLocalhostOnly: false, httpsPort: 8443 } }] as DeploymentProps[]) {
    const r = nginxCheck(confs(filesOf(props)), "https");
    assert.is(r.status, 0, `${JSON.stringify(props)}: ${r.output}`);
  }
  // The checker is real: a protocol nginx does not know fails.
  const broken = new Map([...confs(filesOf({}))].map(([n, t]) => [n, t.replace("TLSv1.2 TLSv1.3;", "TLSv1.2 TLSv9;")]));
  assert.is.not(nginxCheck(broken, "https").status, 0);
});

// ── Redis

test("Redis requires the password from .env; RQ_REDIS_URI comes from .env, never from a committed env file", () => {
  const files = filesOf({ customContainers: { mine: { image: "mine:1", environment: { A: "b" } } } });
  const doc = compose(files);
  const redis = doc.services["dioptra-deployment-redis"]!;
  assert.equal(redis.command, ["redis-server", "--appendonly", "yes", "--requirepass", "${REDIS_PASSWORD}"]);
  assert.equal(redis.environment, { REDISCLI_AUTH: "${REDIS_PASSWORD}" });
  for (const f of files.filter((x) => x.path.startsWith("envs/"))) assert.not.match(f.content, /RQ_REDIS_URI|REDIS_PASSWORD/, f.path);
  const users = Object.entries(doc.services).filter(([n]) => /-(restapi|tfcpu-01|pytorchcpu-01)$/.test(n));
  assert.is(users.length, 3);
  for (const [name, s] of users) assert.is(s.environment?.RQ_REDIS_URI, "${RQ_REDIS_URI}", name);
});

test("a workerContainer gets RQ_REDIS_URI from .env too; a container from scratch only what it asks for", () => {
  const doc = compose(filesOf({ customContainers: { custom: workerContainer("cpu", { image: "c:1", command: ["q"] }), plain: { image: "p:1" } } }));
  assert.is(doc.services.custom!.environment?.RQ_REDIS_URI, "${RQ_REDIS_URI}");
  assert.is(doc.services.plain!.environment, undefined);
});

test("init's secrets step writes REDIS_PASSWORD and an RQ_REDIS_URI that carries it, mode 0600", () => {
  const out = propsOut({});
  const r = runScript(out, "init-deployment.sh", ["--secrets-only"], restrictedPath(["base64", "dirname", "head", "mkdir", "tail", "tr"]));
  assert.is(r.status, 0, r.stderr);
  const env = new Map(
    readFileSync(join(out, ".env"), "utf8")
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)] as const),
  );
  const password = env.get("REDIS_PASSWORD") ?? "";
  assert.match(password, /^[A-Za-z0-9_-]{32}$/);
  assert.is(env.get("RQ_REDIS_URI"), `redis://:${password}@dioptra-deployment-redis:6379/0`);
});

// ── Least privilege

test("every long-running service: no-new-privileges, every capability dropped, only its table's added back", () => {
  const doc = compose(filesOf({ workers: { tensorflowGpu: 1 }, customContainers: { mine: { image: "mine:1", capAdd: ["SETUID", "CHOWN", "SETUID"] } } }));
  const expected: Record<string, readonly string[]> = {
    nginx: [], minio: [], db: HARDENING.db.capAdd ?? [], dbadmin: ["NET_BIND_SERVICE"], redis: [], "mlflow-tracking": [], restapi: [],
    "tfcpu-01": [], "tfgpu-01": [], "pytorchcpu-01": [], mine: ["CHOWN", "SETUID"],
  };
  assert.equal(Object.keys(doc.services).map((n) => n.replace(/^dioptra-deployment-/, "")).sort(), Object.keys(expected).sort());
  for (const [name, s] of Object.entries(doc.services)) {
    const key = name.replace(/^dioptra-deployment-/, "");
    assert.equal(s.security_opt, ["no-new-privileges:true"], name);
    assert.equal(s.cap_drop, ["ALL"], name);
    assert.equal(s.cap_add ?? [], [...expected[key]!], name);
  }
  // Read-only roots where the real program is proved (e2e) to write only to its volumes and tmpfs.
  const ro = Object.entries(doc.services).filter(([, s]) => s.read_only === true).map(([n]) => n.replace(/^dioptra-deployment-/, ""));
  assert.equal(ro.sort(), ["db", "nginx", "redis"]);
  const owned = "uid=39000,gid=100,mode=0755";
  assert.equal(doc.services["dioptra-deployment-nginx"]!.tmpfs, ["/tmp", `/var/cache/nginx:${owned}`, `/var/lib/nginx:${owned}`, `/var/log/nginx:${owned}`]);
  assert.equal(doc.services["dioptra-deployment-db"]!.tmpfs, ["/tmp", "/var/run/postgresql"]);
  assert.is(doc.services["dioptra-deployment-redis"]!.user, "999:999");
});

test("init services: no-new-privileges on each; root only where they change ownership, with CHOWN/FOWNER/DAC_OVERRIDE", () => {
  const doc = compose(filesOf({}), "docker-compose.init.yml");
  for (const [name, s] of Object.entries(doc.services)) {
    assert.equal(s.security_opt, ["no-new-privileges:true"], name);
    if (s.user === "root") {
      // The runners: named-volumes, the *-ssl jobs and the frontend build, which all chown.
      assert.ok(name === "named-volumes" || name.endsWith("-ssl") || name === "frontend-build", `${name} runs as root`);
      if (name !== "frontend-build") assert.equal(s.cap_add, [...(INIT_HARDENING.owner.capAdd ?? [])], name);
    }
  }
  assert.equal(doc.services.mc!.cap_add, ["DAC_READ_SEARCH"]);
  assert.equal(doc.services.db!.cap_add, [...(HARDENING.db.capAdd ?? [])]);
  assert.is(doc.services["frontend-build"]!.cap_drop, undefined, "npm keeps Docker's default set (not proved offline)");
});

// ── Audit and validation

test("the audit: silent by default; names the clear-text ports when public without TLS; names each weakening knob", () => {
  assert.equal(securityAudit(specOf({})), []);
  assert.equal(securityAudit(specOf({ nginx: { exposePortsOnLocalhostOnly: false, tls: true, certificate: "provided" } })), []);
  const open = securityAudit(specOf({ nginx: { exposePortsOnLocalhostOnly: false, httpPort: 8080 } })).join("\n");
  assert.match(open, /ports 8080 \(Dioptra logins\), 35050 \(pgAdmin login\) and 39001 \(MinIO console login\) carry passwords in clear text/);
  assert.match(open, /ports 35000, 39000, 35432 carry data unencrypted/);
  assert.not.match(securityAudit(specOf({ nginx: { exposePortsOnLocalhostOnly: false }, postgres: { tls: true } })).join("\n"), /35432/);
  assert.match(securityAudit(specOf({ nginx: { exposePortsOnLocalhostOnly: false, tls: true, certificate: "provided" }, security: { hsts: false } })).join("\n"), /security\.hsts is off/);
  assert.match(securityAudit(specOf({ customContainers: { mine: { image: "m:1", capAdd: ["NET_ADMIN"] } } })).join("\n"), /customContainers\.mine\.capAdd gives back NET_ADMIN/);
});

test("generate prints the audit as warnings on stderr and still writes", () => {
  const dir = tempDir("dd-audit-");
  const config = join(dir, "deployment.config.ts");
  writeFileSync(config, 'import { deployment } from "dioptra-deploy";\nexport default deployment({ nginx: { exposePortsOnLocalhostOnly: false }, security: { legacyTls: true } });\n');
  const r = runCli(["generate", "--config", config, "--out", join(dir, "out")]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, /^warning: nginx\.exposePortsOnLocalhostOnly is false and nginx\.tls is off: .*carry passwords in clear text/m);
  assert.match(r.stderr, /^warning: security\.legacyTls/m);
});

test("bad security settings and capabilities are located errors", () => {
  const { issues } = resolveDeployment({
    security: { hstsMaxAge: -1, legacyTls: "yes" as unknown as boolean, tls13: true } as never,
    customContainers: { mine: { image: "m:1", capAdd: ["CAP_NET_ADMIN", "ALL"] as never } },
  });
  const text = issues.map((i) => `${i.path}: ${i.message}`).join("\n");
  assert.match(text, /security\.hstsMaxAge: must be a whole number of seconds/);
  assert.match(text, /security\.legacyTls: /);
  assert.match(text, /security: .*tls13|security\.tls13/);
  assert.match(text, /customContainers\.mine\.capAdd\.0: "CAP_NET_ADMIN" is not a Linux capability/);
  assert.match(text, /customContainers\.mine\.capAdd\.1: "ALL" is not a Linux capability/);
});

test.run();
