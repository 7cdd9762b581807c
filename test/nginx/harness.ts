/**
 * Runs `nginx -t` on generated confs laid out as the nginx container sees
 * them after init, under the e2e nginx stand-in's nginx.conf (the image's
 * settings) moved into a temp prefix by `prefixedNginxConf`,
 * with upstream host names and /etc/ssl supplied by private bind mounts so
 * the confs are checked exactly as generated.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { IN_CI, ROOT, haveTool, tempDir } from "../helpers.js";

/** The image's nginx.conf loads this; Debian ships it in libnginx-mod-stream. */
const STREAM_MODULE = "/usr/lib/nginx/modules/ngx_stream_module.so";

/** `server <host>:<port>;` targets of every upstream in the confs. */
export function upstreamHosts(confs: Iterable<string>): string[] {
  const hosts = new Set<string>();
  for (const c of confs) for (const m of c.matchAll(/^\s*server ([^\s:;]+):\d+;/gm)) hosts.add(m[1]!);
  return [...hosts].sort();
}

export type Scheme = "http" | "https";

export interface NginxResult {
  readonly status: number | null;
  /** nginx's messages and anything the mount set-up printed. */
  readonly output: string;
}

export interface Layout {
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
export function canRunNginx(): boolean {
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

/** The nginx.conf the e2e nginx stand-in runs with: the image's settings. */
export const STANDIN_NGINX_CONF = join(ROOT, "test", "e2e", "images", "nginx", "nginx.conf");

/**
 * Edits that keep `nginx -t` inside its temp prefix, each as [what, from, to].
 * Every `from` must occur in the stand-in's conf, so a changed conf fails
 * here instead of being checked half-moved.
 */
const PREFIX_EDITS: readonly (readonly [string, string | RegExp, string])[] = [
  // nginx -t creates the pid file; the prefix is the only place it may.
  ["the pid file", /^pid \/tmp\/nginx\.pid;$/m, "pid nginx.pid;"],
  // The prefix's conf.d stands in for the nginx-conf-d volume (relative
  // includes resolve against the conf's folder).
  ["the conf.d includes", /\/etc\/nginx\/conf\.d\//g, "conf.d/"],
  // The image's temp folders are under its own /var/lib/nginx; nginx -t
  // creates them, so they move into the prefix too.
  ["the http temp folders", /^http \{$/m, ["http {", ...["body", "proxy", "fastcgi", "uwsgi", "scgi"].map((t) => `    ${t === "body" ? "client_body" : t}_temp_path temp/${t};`)].join("\n")],
];

/** The stand-in's nginx.conf with PREFIX_EDITS applied; throws when one finds nothing to edit. */
export function prefixedNginxConf(conf: string = readFileSync(STANDIN_NGINX_CONF, "utf8")): string {
  return PREFIX_EDITS.reduce((text, [what, from, to]) => {
    const edited = text.replace(from, to);
    if (edited === text) throw new Error(`the nginx stand-in's nginx.conf no longer has ${what} the nginx -t harness moves into its prefix`);
    return edited;
  }, conf);
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
export function nginxCheck(confs: ReadonlyMap<string, string>, scheme: Scheme, layout: Layout = {}): NginxResult {
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
  writeFileSync(join(prefix, "nginx.conf"), prefixedNginxConf());
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

