/**
 * Cookiecutter variables (as cookiecutter stores them: all strings) → typed
 * deployment props. The importer writes these props as a config file; tests
 * use the same mapping to compare with the template for any combination.
 */
import type { Issue } from "../dsl/errors.js";
import { PROFILES, type DioptraProfile, type DioptraRelease } from "../profiles/index.js";
import { formatImage, type ImageName } from "../dsl/images.js";
import type { DeploymentProps, ImagesProps } from "../dsl/props.js";
import { DEFAULTS } from "../validation/core.js";
import { resolveDeployment } from "../validation/resolve.js";
import { slugify } from "../model/services.js";
import { WORKER_KINDS } from "../dsl/worker-kinds.js";

export type CookiecutterVars = Readonly<Record<string, unknown>>;

/** Template variable → the DSL setting it becomes. */
export const VARIABLE_PATHS: Readonly<Record<string, string>> = {
  deployment_name: "name",
  container_registry: "registry",
  __container_namespace: "namespace",
  container_tag: "tag",
  docker_compose_path: "composeCommand",
  systemd_required_mounts: "systemd.requiredMounts",
  nginx_server_name: "nginx.serverName",
  nginx_expose_ports_on_localhost_only: "nginx.exposePortsOnLocalhostOnly",
  postgres_container_tag: "postgres.tag",
  __restapi_http_port: "nginx.httpPort",
  __restapi_https_port: "nginx.httpsPort",
  __db_admin_username: "postgres.adminUser",
  __db_admin_database: "postgres.adminDatabase",
  pgadmin_default_email: "pgadmin.defaultEmail",
  ...Object.fromEntries(WORKER_KINDS.map((k) => [k.cookiecutter, `workers.${k.key}`])),
  datasets_directory: "datasetsDirectory",
};

/** `__containers` keys of the template → our image slots (argbash is not used any more). */
const CONTAINER_KEYS: Readonly<Record<string, ImageName | null>> = {
  nginx: "nginx",
  mlflow_tracking: "mlflowTracking",
  restapi: "restapi",
  tfcpu: "tensorflowCpu",
  tfgpu: "tensorflowGpu",
  pytorchcpu: "pytorchCpu",
  pytorchgpu: "pytorchGpu",
  db: "db",
  dbadmin: "dbadmin",
  mc: "mc",
  minio: "minio",
  nodejs: "nodejs",
  redis: "redis",
  argbash: null,
};

/** Variables that are derived or only steer cookiecutter itself. */
const IGNORED = new Set(["__project_slug", "_copy_without_render", "_is_pytest", "_template", "_checkout", "_output_dir", "_repo_dir", "_extensions", "_jinja2_env_vars", "__prompts__"]);

export interface Conversion {
  readonly props: DeploymentProps;
  readonly warnings: readonly string[];
  /** Problems, each naming the template variable and its value. */
  readonly issues: readonly Issue[];
}

/** Finds the variables in a .cruft.json, a replay/context file, or a flat object. */
export function extractVariables(data: unknown): CookiecutterVars | undefined {
  if (data === null || typeof data !== "object" || Array.isArray(data)) return undefined;
  const d = data as Record<string, unknown>;
  const ctx = d.context as Record<string, unknown> | undefined;
  if (ctx && typeof ctx === "object" && typeof ctx.cookiecutter === "object" && ctx.cookiecutter !== null) return ctx.cookiecutter as CookiecutterVars;
  if (typeof d.cookiecutter === "object" && d.cookiecutter !== null && !Array.isArray(d.cookiecutter)) return d.cookiecutter as CookiecutterVars;
  return d;
}

const asText = (v: unknown): string | undefined => (typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : undefined);

/**
 * Converts template variables of the given release's template to props that
 * state the release and only what differs from its defaults.
 */
export function fromCookiecutter(vars: CookiecutterVars, release: DioptraRelease): Conversion {
  const profile = PROFILES[release];
  const warnings: string[] = [];
  const issues: Issue[] = [];
  const bad = (variable: string, message: string) => issues.push({ path: variable, message: `${JSON.stringify(vars[variable])}: ${message}` });
  const p: Record<string, unknown> = { dioptra: release };
  const set = (path: string, value: unknown) => {
    const keys = path.split(".");
    let o = p;
    for (const k of keys.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
    o[keys.at(-1)!] = value;
  };
  const text = (variable: string): string | undefined => {
    if (!(variable in vars)) return undefined;
    const t = asText(vars[variable]);
    if (t === undefined) bad(variable, "must be a string");
    return t;
  };
  const defaults: Record<string, string> = {
    deployment_name: DEFAULTS.name,
    container_registry: profile.defaults.registry,
    __container_namespace: profile.defaults.namespace,
    container_tag: profile.defaults.tag,
    docker_compose_path: DEFAULTS.composeCommand,
    nginx_server_name: DEFAULTS.nginx.serverName,
    postgres_container_tag: profile.defaults.postgresTag,
    __db_admin_username: DEFAULTS.postgres.adminUser,
    __db_admin_database: DEFAULTS.postgres.adminDatabase,
    pgadmin_default_email: DEFAULTS.pgadmin.defaultEmail,
  };
  for (const [variable, fallback] of Object.entries(defaults)) {
    const t = text(variable);
    if (t !== undefined && t !== fallback) set(VARIABLE_PATHS[variable]!, t);
  }
  const localhost = text("nginx_expose_ports_on_localhost_only");
  if (localhost !== undefined) {
    // The template tests `.lower() == "true"`; anything but true/false is a typo we refuse to guess at.
    const l = localhost.toLowerCase();
    if (l !== "true" && l !== "false") bad("nginx_expose_ports_on_localhost_only", 'must be "True" or "False"');
    else if (l === "false") set("nginx.exposePortsOnLocalhostOnly", false);
  }
  for (const [variable, fallback] of [["__restapi_http_port", 80], ["__restapi_https_port", 443]] as const) {
    const t = text(variable);
    if (t === undefined) continue;
    if (!/^[0-9]+$/.test(t.trim())) bad(variable, "must be a port number");
    else if (Number(t) !== fallback) set(VARIABLE_PATHS[variable]!, Number(t));
  }
  for (const kind of WORKER_KINDS) {
    const t = text(kind.cookiecutter);
    if (t === undefined) continue;
    if (!/^-?[0-9]+$/.test(t.trim())) bad(kind.cookiecutter, "must be a whole number of workers, e.g. \"2\"");
    else if (Number(t) < 0) bad(kind.cookiecutter, "must be 0 or more");
    else if (Number(t) !== DEFAULTS.workers[kind.key]) set(`workers.${kind.key}`, Number(t));
  }
  const mounts = text("systemd_required_mounts");
  if (mounts !== undefined && mounts.trim() !== "") set("systemd.requiredMounts", mounts.trim().split(/\s+/));
  const datasets = text("datasets_directory");
  if (datasets !== undefined && datasets.trim() !== "") set("datasetsDirectory", datasets);

  const images = imageOverrides(vars, p, profile, warnings);
  if (Object.keys(images).length > 0) p.images = images;

  const slug = asText(vars.__project_slug);
  const name = (p.name as string | undefined) ?? DEFAULTS.name;
  if (slug !== undefined && slug !== slugify(name)) warnings.push(`__project_slug ${JSON.stringify(slug)} differs from the slug of deployment_name (${JSON.stringify(slugify(name))}); the latter is used`);
  for (const k of Object.keys(vars)) {
    if (!(k in VARIABLE_PATHS) && k !== "__containers" && !IGNORED.has(k)) warnings.push(`unknown template variable ${k} (ignored)`);
  }

  // Values the DSL rejects are reported under the template variable that set them.
  if (issues.length === 0) {
    const byPath = new Map(Object.entries(VARIABLE_PATHS).map(([v, path]) => [path, v]));
    for (const i of resolveDeployment(p as DeploymentProps).issues) {
      const variable = [...byPath.keys()].filter((path) => i.path === path || i.path.startsWith(`${path}.`)).sort((a, b) => b.length - a.length)[0];
      const v = variable === undefined ? undefined : byPath.get(variable);
      issues.push(v ? { path: v, message: `${JSON.stringify(vars[v])}: ${i.message}` } : i);
    }
  }
  return { props: p as DeploymentProps, warnings, issues };
}

/** Entries of `__containers` that differ from what the other variables imply become `images` overrides. */
function imageOverrides(vars: CookiecutterVars, p: Record<string, unknown>, profile: DioptraProfile, warnings: string[]): ImagesProps {
  const containers = vars.__containers;
  if (containers === undefined) return {};
  if (containers === null || typeof containers !== "object") {
    warnings.push("__containers is not an object (ignored)");
    return {};
  }
  const out: Record<string, unknown> = {};
  const registry = (p.registry as string | undefined) ?? profile.defaults.registry;
  const namespace = (p.namespace as string | undefined) ?? profile.defaults.namespace;
  const tag = (p.tag as string | undefined) ?? profile.defaults.tag;
  const pgTag = ((p.postgres as { tag?: string } | undefined)?.tag) ?? profile.defaults.postgresTag;
  for (const [key, value] of Object.entries(containers as Record<string, unknown>)) {
    if (key === "networks") continue;
    if (!(key in CONTAINER_KEYS)) {
      warnings.push(`unknown __containers entry ${key} (ignored)`);
      continue;
    }
    const slot = CONTAINER_KEYS[key];
    if (slot === null || slot === undefined || value === null || typeof value !== "object") continue;
    const row = profile.images[slot];
    const expected = row.dioptra
      ? { registry, namespace, image: row.image, tag }
      : { registry: row.registry ?? "", namespace: row.namespace ?? "", image: row.image, tag: slot === "db" ? pgTag : (row.tag ?? "") };
    const got = value as Record<string, unknown>;
    // The template's own third-party default is replaced by this profile's pinned image.
    const gotRef = { registry: asText(got.registry) ?? "", namespace: asText(got.namespace) ?? "", image: asText(got.image) ?? "", tag: asText(got.tag) ?? "" };
    if (profile.templateImages[slot] !== undefined && formatImage(gotRef) === profile.templateImages[slot]) continue;
    const diff: Record<string, string> = {};
    for (const part of ["registry", "namespace", "image", "tag"] as const) {
      const g = asText(got[part]);
      if (g !== undefined && g !== expected[part]) diff[part] = g;
    }
    if (Object.keys(diff).length > 0) out[slot] = diff;
  }
  return out as ImagesProps;
}
