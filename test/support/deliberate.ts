/**
 * Our deliberate differences from the upstream template's renders, as edits
 * of a render (README: "Differences from the cookiecutter template"): the
 * one place every test that compares with ../shared applies them. Each text
 * edit insists that what it replaces is there, so a rule cannot go stale.
 */
import * as assert from "uvu/assert";
import { IMAGE_SLOTS } from "../../dsl/images.js";
import type { DeploymentSpec } from "../../validation/spec.js";
import { initCompose, mainCompose } from "../../targets/compose/lower.js";
import { INTERMEDIATE_CIPHERS } from "../../generators/nginx/table.js";
import { buildModel } from "../../model/build.js";

export type Doc = { services: Record<string, Record<string, unknown>>; volumes?: Record<string, unknown> };


/** Compose keys of least privilege (model/hardening.ts), none of which the reference sets. */
const HARDENING_KEYS = ["security_opt", "cap_drop", "cap_add", "read_only", "tmpfs"] as const;

/** The reference's Compose text with our deliberate differences applied. */
export function deliberate(spec: DeploymentSpec, doc: Doc, init: boolean): Doc {
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
export function sqlOf(script: string): string[] {
  const out: string[] = [];
  const re = /--dbname "([^"]+)" <<-EOSQL\n([\s\S]*?)\nEOSQL/g;
  for (const m of script.matchAll(re)) {
    out.push(`\\connect ${m[1]}`, ...m[2]!.split("\n").map((l) => l.trim()).filter((l) => l !== ""));
  }
  // Deliberate: the password is quoted for SQL (each ' doubled) before it is pasted in.
  return out.map((l) => l.replace("'${dioptra_password_sql}'", "'${POSTGRES_USER_DIOPTRA_PASSWORD}'"));
}

/** Deliberate: comments in the nginx confs are in our own words (`#` lines are compared as absent on both sides). */
export const withoutComments = (text: string) => text.split("\n").filter((l) => !/^\s*#/.test(l)).join("\n");

/** Deliberate: a non-default superuser reaches the postgres image through the db env file. */
export const withoutAdminAccount = (text: string) => text.split("\n").filter((l) => !/^POSTGRES_(USER|DB)=/.test(l)).join("\n");

/** Deliberate: RQ_REDIS_URI carries Redis's password, so it moved from the env files to .env. */
export const withoutRedisUri = (text: string) => text.split("\n").filter((l) => !l.startsWith("RQ_REDIS_URI=")).join("\n");

/** Replaces `from` (which must be there: a rule that matches nothing is a broken rule) by `to`. */
function replaced(text: string, from: string, to: string, file: string): string {
  assert.ok(text.includes(from), `${file}: the deliberate difference's original text is there`);
  return text.replace(from, () => to);
}

/** The reference's nginx conf with our deliberate TLS differences applied. */
export function deliberateConf(spec: DeploymentSpec, file: string, text: string): string {
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

