/**
 * What a generate would change on a running deployment: which services
 * Compose recreates (their definition in docker-compose.yml or
 * docker-compose.override.yml changed, or an env file they read), which
 * need a restart that Compose does not notice (a bind-mounted file of the
 * deployment folder changed), and whether init must run again (its inputs
 * under config/ or ssl/ changed, its defaults changed, or there are new
 * secrets). Pure: the caller reads the current folder.
 */
import { parse } from "yaml";
import type { OutFile } from "../files/out-file.js";

/** The Compose files `docker compose` loads without `-f`. */
const COMPOSE_FILES = ["docker-compose.yml", "docker-compose.override.yml"];

type Service = Record<string, unknown>;

export interface ServiceChange {
  readonly service: string;
  readonly action: "create" | "recreate" | "restart" | "remove";
  readonly reasons: readonly string[];
}

export interface Plan {
  /** Files generate would write or remove, relative to the folder. */
  readonly files: { readonly written: readonly string[]; readonly removed: readonly string[] };
  readonly services: readonly ServiceChange[];
  /** Why init must run again; empty when it need not. */
  readonly init: readonly string[];
  /** Secrets init would add to `.env` or `secrets/` (their init names). */
  readonly newSecrets: readonly string[];
}

/** JSON with sorted keys, so two parses of equal YAML compare equal. */
function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(",")}]`;
  if (value !== null && typeof value === "object")
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(value);
}

/** Each service's definitions across the Compose files, by file. */
function servicesOf(read: (path: string) => string | undefined): Map<string, Service[]> {
  const out = new Map<string, Service[]>();
  COMPOSE_FILES.forEach((file, i) => {
    const text = read(file);
    if (text === undefined) return;
    let doc: { services?: Record<string, Service> } | null;
    try {
      doc = parse(text) as typeof doc;
    } catch {
      doc = null;
    }
    for (const [name, svc] of Object.entries(doc?.services ?? {})) {
      const defs = out.get(name) ?? [];
      defs[i] = svc ?? {};
      out.set(name, defs);
    }
  });
  return out;
}

/** `./x` → `x`; paths outside the deployment folder are not ours to compare. */
const local = (p: string): string | undefined => (p.startsWith("./") ? p.slice(2).replace(/\/+$/, "") : undefined);

/** The deployment-folder files a service reads: env files (Compose hashes them) and bind mounts (it does not). */
function inputsOf(defs: readonly Service[]): { envFiles: string[]; binds: string[] } {
  const envFiles: string[] = [];
  const binds: string[] = [];
  for (const d of defs) {
    if (!d) continue;
    const ef = d.env_file;
    for (const f of typeof ef === "string" ? [ef] : Array.isArray(ef) ? ef : []) {
      const p = typeof f === "string" ? local(f) : typeof f?.path === "string" ? local(f.path) : undefined;
      if (p) envFiles.push(p);
    }
    for (const v of Array.isArray(d.volumes) ? d.volumes : []) {
      const src = typeof v === "string" ? v.split(":")[0]! : typeof v?.source === "string" ? v.source : "";
      const p = local(src);
      if (p) binds.push(p);
    }
  }
  return { envFiles, binds };
}

const under = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`);

/** `draw_secret <name> <kind>` lines of an init script: the secrets it creates. */
function drawnSecrets(script: string | undefined): Set<string> {
  return new Set([...(script ?? "").matchAll(/^\s*draw_secret (\S+) \S+$/gm)].map((m) => m[1]!.replace(/^custom_/, "")));
}

/** `readonly DEFAULT_…=` and the certificate source: what init does when run without flags. */
function initDefaults(script: string | undefined): Map<string, string> {
  return new Map([...(script ?? "").matchAll(/^readonly ((?:DEFAULT_[A-Z_]+|NGINX_CERTIFICATE))=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
}

/**
 * The plan for `files` against the current folder. `changed` lists the
 * paths generate would write (new or different) and `removed` the ones it
 * would delete, as the writer's check reports them.
 */
export function planChanges(files: readonly OutFile[], read: (path: string) => string | undefined, changed: readonly string[], removed: readonly string[]): Plan {
  const next = new Map(files.map((f) => [f.path, f.content]));
  const readNext = (p: string) => next.get(p);
  const touched = [...changed, ...removed];
  const before = servicesOf(read);
  const after = servicesOf(readNext);

  const services: ServiceChange[] = [];
  for (const [name, defs] of after) {
    const old = before.get(name);
    if (old === undefined) {
      services.push({ service: name, action: "create", reasons: [] });
      continue;
    }
    const reasons: string[] = [];
    COMPOSE_FILES.forEach((file, i) => {
      if (stable(old[i] ?? null) !== stable(defs[i] ?? null)) reasons.push(`its definition in ${file} changed`);
    });
    const { envFiles, binds } = inputsOf(defs);
    for (const f of envFiles) if (touched.includes(f)) reasons.push(`env file ${f} changed`);
    if (reasons.length > 0) {
      services.push({ service: name, action: "recreate", reasons });
      continue;
    }
    const mounted = touched.filter((p) => binds.some((b) => under(p, b)));
    if (mounted.length > 0) services.push({ service: name, action: "restart", reasons: mounted.map((p) => `mounted file ${p} changed`) });
  }
  for (const name of before.keys()) if (!after.has(name)) services.push({ service: name, action: "remove", reasons: [] });

  const oldScript = read("init-deployment.sh");
  const newScript = readNext("init-deployment.sh");
  const init: string[] = [];
  if (oldScript === undefined) init.push("it has not been generated here before");
  // The READMEs under ssl/ are for people; init reads the rest.
  const inputs = touched.filter((p) => (under(p, "config") || under(p, "ssl")) && !p.endsWith("README.md"));
  if (inputs.length > 0) init.push(`${inputs.join(", ")} changed`);
  const was = initDefaults(oldScript);
  if (oldScript !== undefined) {
    for (const [k, v] of initDefaults(newScript)) if (was.has(k) && was.get(k) !== v) init.push(`its default ${k} is now ${v} (was ${was.get(k)})`);
  }
  const drawnBefore = drawnSecrets(oldScript);
  const newSecrets = oldScript === undefined ? [] : [...drawnSecrets(newScript)].filter((s) => !drawnBefore.has(s)).sort();
  if (newSecrets.length > 0) init.push(`new secret${newSecrets.length === 1 ? "" : "s"} ${newSecrets.join(", ")} (\`./init-deployment.sh --secrets-only\` adds just those)`);

  const order = { remove: 0, create: 1, recreate: 2, restart: 3 };
  services.sort((a, b) => order[a.action] - order[b.action] || a.service.localeCompare(b.service));
  return { files: { written: [...changed].sort(), removed: [...removed].sort() }, services, init, newSecrets };
}

/** The plan as a short list for a terminal. */
export function formatPlan(plan: Plan, shown: string): string[] {
  const { written, removed } = plan.files;
  if (written.length === 0 && removed.length === 0) return [`${shown}/ is up to date: generate would change nothing, Compose would recreate nothing, init need not run again`];
  const lines = [`generate would write ${written.length} file${written.length === 1 ? "" : "s"} and remove ${removed.length} in ${shown}/:`];
  lines.push(...written.map((p) => `  write   ${p}`), ...removed.map((p) => `  remove  ${p}`));
  lines.push("then `docker compose up -d` would:");
  if (plan.services.length === 0) lines.push("  recreate nothing");
  for (const s of plan.services) {
    const why = s.reasons.length > 0 ? `: ${s.reasons.join("; ")}` : "";
    const note = s.action === "remove" ? " (with --remove-orphans)" : s.action === "restart" ? " (Compose does not notice: `docker compose restart` it)" : "";
    lines.push(`  ${s.action.padEnd(9)}${s.service}${why}${note}`);
  }
  lines.push(plan.init.length > 0 ? `init: run ./init-deployment.sh again before \`docker compose up -d\`: ${plan.init.join("; ")}` : "init: need not run again");
  return lines;
}
