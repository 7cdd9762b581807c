/**
 * Parity with the upstream template, for both release profiles and every
 * variant the reference renders hold (../shared, read at run time): the
 * variant's template variables go through import's mapping, then generate;
 * the result must equal the template's render after applying our deliberate
 * differences (README: "Differences from the cookiecutter template"):
 * docker-compose.yml as data and after `docker-compose config`;
 * docker-compose.init.yml as data; nginx confs and env files exactly;
 * MinIO policies as JSON; the SQL init-db runs, statement by statement.
 */
import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "yaml";
import { resolveDeployment } from "../dsl/resolve.js";
import type { DeploymentSpec } from "../dsl/spec.js";
import { synth } from "../generators/index.js";
import { writeOut } from "../generators/write.js";
import { fromCookiecutter } from "../importers/cookiecutter-vars.js";
import { IMAGE_SLOTS } from "../dsl/images.js";
import type { DioptraRelease } from "../profiles/index.js";
import { initCompose, mainCompose } from "../generators/compose/main.js";
import { INTERMEDIATE_CIPHERS } from "../generators/nginx/table.js";
import { buildModel } from "../model/build.js";
import { composeConfig, haveTool, normalizeCompose, tempDir, withoutMarker } from "./helpers.js";
import { renderDir, renderIndex } from "./support/shared.js";

type Doc = { services: Record<string, Record<string, unknown>>; volumes?: Record<string, unknown> };

const read = (dir: string, path: string) => readFileSync(join(dir, path), "utf8");
const files = (dir: string) => readdirSync(dir).sort();

/** Compose keys of least privilege (model/hardening.ts), none of which the reference sets. */
const HARDENING_KEYS = ["security_opt", "cap_drop", "cap_add", "read_only", "tmpfs"] as const;

/** The reference's Compose text with our deliberate differences applied. */
function deliberate(spec: DeploymentSpec, doc: Doc, init: boolean): Doc {
  const model = buildModel(spec);
  const hardened = (init ? initCompose(model) : mainCompose(model)).services as Record<string, Record<string, unknown>>;
  const images = new Map<string, string>();
  for (const slot of IMAGE_SLOTS) {
    const t = spec.profile.templateImages[slot];
    if (t !== undefined) images.set(t, spec.images[slot]);
  }
  const services: Doc["services"] = {};
  for (const [name, s] of Object.entries(doc.services)) {
    // No argbash: the scripts are plain bash, bind-mounted read-only from ./scripts.
    if (init && name === "argbash") continue;
    const out: Record<string, unknown> = { ...s };
    if (typeof s.image === "string" && images.has(s.image)) out.image = images.get(s.image);
    const hc = s.healthcheck as { test?: string[] } | undefined;
    if (hc?.test?.[1] === "/usr/local/bin/healthcheck.sh" && hc.test.length === 2)
      out.healthcheck = { ...hc, test: ["CMD", ...spec.profile.workerHealthcheck.test.map((t) => t.replaceAll("$", "$$"))] };
    if (Array.isArray(s.volumes)) out.volumes = s.volumes.map((v) => (v === "init-scripts:/scripts:ro" ? "./scripts:/scripts:ro" : v));
    // Least privilege: each service gets its row of model/hardening.ts, and only those keys
    // (compose-checks tests what the rows hold: no-new-privileges everywhere, cap_drop ALL, …).
    for (const k of HARDENING_KEYS) if (hardened[name]?.[k] !== undefined) out[k] = hardened[name]![k];
    // Redis requires the password init draws, runs as its own user (no capability needed), and
    // its health check authenticates through REDISCLI_AUTH.
    if (!init && name === `${spec.slug}-redis`) {
      out.user = "999:999";
      out.command = [...(s.command as string[]), "--requirepass", "${REDIS_PASSWORD}"];
      out.environment = { ...(s.environment as object), REDISCLI_AUTH: "${REDIS_PASSWORD}" };
    }
    // RQ_REDIS_URI, which now carries that password, comes from .env instead of the committed env files.
    const envFiles = Array.isArray(s.env_file) ? (s.env_file as string[]) : [];
    if (envFiles.some((f) => f.endsWith(`${spec.slug}-restapi.env`) || f.endsWith(`${spec.slug}-worker.env`)))
      out.environment = { ...(out.environment as object), RQ_REDIS_URI: "${RQ_REDIS_URI}" };
    services[name] = out;
  }
  const volumes = { ...doc.volumes };
  if (init) delete volumes["init-scripts"];
  return { ...doc, services, volumes };
}

/** The SQL our init-db.sh runs, in the reference's `\connect DB` + statements form. */
function sqlOf(script: string): string[] {
  const out: string[] = [];
  const re = /--dbname "([^"]+)" <<-EOSQL\n([\s\S]*?)\nEOSQL/g;
  for (const m of script.matchAll(re)) {
    out.push(`\\connect ${m[1]}`, ...m[2]!.split("\n").map((l) => l.trim()).filter((l) => l !== ""));
  }
  // Deliberate: the password is quoted for SQL (each ' doubled) before it is pasted in.
  return out.map((l) => l.replace("'${dioptra_password_sql}'", "'${POSTGRES_USER_DIOPTRA_PASSWORD}'"));
}

/** Deliberate: comments in the nginx confs are in our own words (`#` lines are compared as absent on both sides). */
const withoutComments = (text: string) => text.split("\n").filter((l) => !/^\s*#/.test(l)).join("\n");

/** Deliberate: a non-default superuser reaches the postgres image through the db env file. */
const withoutAdminAccount = (text: string) => text.split("\n").filter((l) => !/^POSTGRES_(USER|DB)=/.test(l)).join("\n");

/** Deliberate: RQ_REDIS_URI carries Redis's password, so it moved from the env files to .env. */
const withoutRedisUri = (text: string) => text.split("\n").filter((l) => !l.startsWith("RQ_REDIS_URI=")).join("\n");

/** Replaces `from` (which must be there: a rule that matches nothing is a broken rule) by `to`. */
function replaced(text: string, from: string, to: string, file: string): string {
  assert.ok(text.includes(from), `${file}: the deliberate difference's original text is there`);
  return text.replace(from, () => to);
}

/** The reference's nginx conf with our deliberate TLS differences applied. */
function deliberateConf(spec: DeploymentSpec, file: string, text: string): string {
  const hsts = spec.security.hsts ? [`add_header Strict-Transport-Security "max-age=${spec.security.hstsMaxAge}" always;`] : [];
  switch (file) {
    // TLS 1.2 and 1.3 only, Mozilla's intermediate ciphers chosen by the client, no session tickets;
    // HSTS where the deployment is reachable beyond localhost.
    case "https_default.conf":
      return replaced(text, "ssl_protocols       TLSv1 TLSv1.1 TLSv1.2;\nssl_ciphers         HIGH:!aNULL:!MD5;\nssl_session_cache   shared:SSL:10m;\nssl_session_timeout 10m;", [
        "# Mozilla's \"intermediate\" profile (ssl-config.mozilla.org): TLS 1.2 and 1.3 only.",
        "ssl_protocols       TLSv1.2 TLSv1.3;",
        `ssl_ciphers         ${INTERMEDIATE_CIPHERS};`,
        "ssl_prefer_server_ciphers off;",
        "ssl_session_cache   shared:SSL:10m;",
        "ssl_session_timeout 10m;",
        "ssl_session_tickets off;",
        ...hsts,
      ].join("\n"), file);
    // pgAdmin's port uses the same ciphers as every other server instead of its own list and order.
    case "https_dbadmin.conf":
      return replaced(text, "\n    ssl_ciphers HIGH:!aNULL:!eNULL:!EXPORT:!CAMELLIA:!DES:!MD5:!PSK:!RC4;\n    ssl_prefer_server_ciphers on;", "", file);
    // The redirect to HTTPS keeps a public HTTPS port other than 443.
    case "https_restapi.conf":
      if (spec.nginx.httpsPort === 443) return text;
      return replaced(text, `https://${spec.nginx.serverName}$request_uri;`, `https://${spec.nginx.serverName}:${spec.nginx.httpsPort}$request_uri;`, file);
    default:
      return text;
  }
}

const index = renderIndex();
for (const [profile, { variants }] of Object.entries(index ?? {})) {
  const release = profile.replace(/^dioptra-/, "") as DioptraRelease;
  for (const variant of variants) {
    const ref = renderDir(profile, variant);
    const name = `${profile}/${variant}`;
    let cached: { out: string; spec: DeploymentSpec } | undefined;
    const generated = () => {
      if (cached) return cached;
      const conv = fromCookiecutter(JSON.parse(read(ref, "vars.json")) as Record<string, unknown>, release);
      assert.equal(conv.issues, [], `${name}: the variables import cleanly`);
      const { spec, issues } = resolveDeployment(conv.props);
      assert.equal(issues, []);
      const out = tempDir("dd-parity-");
      writeOut(synth(spec!), out);
      cached = { out, spec: spec! };
      return cached;
    };

    test(`${name}: docker-compose.yml equals the template's (as data, and after docker-compose config)`, () => {
      const { out, spec } = generated();
      const theirs = deliberate(spec, parse(read(ref, "docker-compose.yml")) as Doc, false);
      assert.equal(normalizeCompose(parse(read(out, "docker-compose.yml"))), normalizeCompose(theirs));
      if (!haveTool("docker-compose")) return;
      const dir = tempDir("dd-parity-ref-");
      cpSync(join(ref, "envs"), join(dir, "envs"), { recursive: true });
      // JSON is YAML that no reader can misread (a re-serialized `yes` would become true).
      writeFileSync(join(dir, "docker-compose.yml"), JSON.stringify(theirs));
      assert.fixture(composeConfig(out, ["docker-compose.yml"]).replaceAll(out, "<DIR>"), composeConfig(dir, ["docker-compose.yml"]).replaceAll(dir, "<DIR>"));
    });

    test(`${name}: docker-compose.init.yml has the template's services, less argbash`, () => {
      const { out, spec } = generated();
      const theirs = deliberate(spec, parse(read(ref, "docker-compose.init.yml")) as Doc, true);
      assert.equal(normalizeCompose(parse(read(out, "docker-compose.init.yml"))), normalizeCompose(theirs));
    });

    test(`${name}: nginx confs, env files and MinIO policies are the template's`, () => {
      const { out, spec } = generated();
      for (const folder of ["config/nginx", "envs", "config/minio"]) {
        assert.equal(files(join(out, folder)), files(join(ref, folder)), `${folder}: the same files`);
        for (const f of files(join(ref, folder))) {
          const path = join(folder, f);
          if (folder === "config/minio") assert.equal(JSON.parse(read(out, path)), JSON.parse(read(ref, path)), path);
          else if (folder === "config/nginx") assert.fixture(withoutComments(withoutMarker(read(out, path))), withoutComments(deliberateConf(spec, f, read(ref, path))), path);
          else assert.fixture(withoutAdminAccount(withoutMarker(read(out, path))), withoutRedisUri(read(ref, path)), path);
        }
      }
    });

    test(`${name}: init-db.sh runs the template's SQL`, () => {
      const { out } = generated();
      assert.equal(sqlOf(read(out, "config/db/init-db.sh")), read(ref, "config/db/init-db.sql").trim().split("\n"));
    });
  }
}

test("the deliberate differences are not a blanket: a changed value still fails parity", () => {
  if (!index) return;
  const ref = renderDir("dioptra-1.1", "default");
  const conv = fromCookiecutter({ ...(JSON.parse(read(ref, "vars.json")) as object), num_tensorflow_cpu_workers: "2" }, "1.1");
  const { spec } = resolveDeployment(conv.props);
  const out = tempDir("dd-parity-neg-");
  mkdirSync(out, { recursive: true });
  writeOut(synth(spec!), out);
  const theirs = deliberate(spec!, parse(read(ref, "docker-compose.yml")) as Doc, false);
  assert.not.equal(normalizeCompose(parse(read(out, "docker-compose.yml"))), normalizeCompose(theirs));
  assert.not.equal(sqlOf("no sql here"), read(ref, "config/db/init-db.sql").trim().split("\n"));
});

test.run();
