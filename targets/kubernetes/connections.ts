/**
 * Who talks to whom, read from what the services are told: the hosts they
 * wait for, the URLs in their environment and env files, nginx's upstreams,
 * the init Jobs' targets. The NetworkPolicies allow exactly these, after a
 * deny-all; the tests compute reachability from the policies and compare.
 * PostgreSQL is reached only by its clients (REST API, MLflow, pgAdmin, the
 * database Job): the workers' wait for it is dropped, as they never query it.
 */
import type { DioptraService, EnvValue } from "../../dsl/props.js";
import type { Source, SourceService } from "./source.js";

export interface Edge {
  readonly from: string;
  readonly to: string;
  readonly port: number;
}

/** The services allowed to open connections to PostgreSQL. */
const DB_CLIENTS: readonly DioptraService[] = ["restapi", "mlflowTracking", "dbadmin"];
/** pgAdmin's whole purpose is the database; it has no URL for it in its environment. */
const TOOLS: readonly (readonly [DioptraService, DioptraService])[] = [["dbadmin", "db"]];

const URL_HOST = /\b[a-z][a-z0-9+.-]*:\/\/(?:[^@/\s]*@)?([a-z0-9][a-z0-9.-]*):([0-9]{1,5})/g;

/** A connection the target keeps: PostgreSQL only for its clients. */
export function allowed(src: Source, from: SourceService | undefined, to: string): boolean {
  const target = src.services.find((s) => s.name === to);
  if (target?.dioptra !== "db") return true;
  return from === undefined || (from.dioptra !== undefined && DB_CLIENTS.includes(from.dioptra));
}

const hostPort = (t: string): [string, number] => [t.slice(0, t.lastIndexOf(":")), Number(t.slice(t.lastIndexOf(":") + 1))];

/** The waits a service keeps on Kubernetes. */
export const keptWaits = (src: Source, s: SourceService): string[] => s.waitFor.filter((w) => allowed(src, s, hostPort(w)[0]));

function envText(src: Source, s: SourceService): string {
  const literal = Object.values(s.environment).filter((v: EnvValue): v is string => typeof v === "string");
  const files = s.envFiles.map((f) => src.files.get(f.replace(/^\.\//, "")) ?? "");
  return [...literal, ...files].join("\n");
}

/** nginx's upstreams, from the http confs the base mounts. */
function upstreams(src: Source): [string, number][] {
  const out: [string, number][] = [];
  for (const [path, text] of src.files)
    if (/^config\/nginx\/(?:http|stream)_/.test(path) && !path.endsWith("stream_db.conf"))
      for (const [, h, p] of text.matchAll(/^\s*server\s+([a-z0-9.-]+):([0-9]+);/gm)) out.push([h!, Number(p)]);
  return out;
}

/** The long-running services' connections, sorted and each once. */
export function serviceEdges(src: Source): Edge[] {
  const names = new Set(src.services.map((s) => s.name));
  const edges: Edge[] = [];
  for (const s of src.services) {
    const targets: [string, number][] = [...keptWaits(src, s).map(hostPort), ...[...envText(src, s).matchAll(URL_HOST)].map((m): [string, number] => [m[1]!, Number(m[2])])];
    if (s.dioptra === "nginx") targets.push(...upstreams(src));
    for (const [a, b] of TOOLS) if (s.dioptra === a) targets.push(...src.services.filter((t) => t.dioptra === b).flatMap((t) => t.ports.map((p): [string, number] => [t.name, p.port])));
    for (const d of s.dependsOn) targets.push(...(src.services.find((t) => t.name === d)?.ports ?? []).map((p): [string, number] => [d, p.port]));
    for (const [to, port] of targets) if (names.has(to) && to !== s.name && allowed(src, s, to)) edges.push({ from: s.name, to, port });
  }
  return unique(edges);
}

export function unique(edges: readonly Edge[]): Edge[] {
  const key = (e: Edge) => `${e.from}\u0000${e.to}\u0000${String(e.port).padStart(5, "0")}`;
  return [...new Map(edges.map((e) => [key(e), e])).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e);
}
