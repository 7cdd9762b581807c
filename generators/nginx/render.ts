/**
 * Lays out one row of the nginx table as conf text, in the reference
 * template's exact layout: 4-space indents, one blank line between
 * paragraphs, upstreams and server blocks.
 */
import type { DioptraService } from "../../dsl/props.js";
import type { Conf, Paragraph, Scheme, Server, TlsOptions, Upstream } from "./table.js";

/** The file-name prefix, which is also the variant being rendered. */
export type Variant = Scheme | "stream";

export interface ConfNames {
  readonly serverName: string;
  readonly host: (service: DioptraService) => string;
  /** The release serves the web app with a single-page-app fallback. */
  readonly frontendFallback: boolean;
  /** The public HTTPS port, which the redirect from plain HTTP names (unless 443). */
  readonly httpsPort: number;
  readonly tls: TlsOptions;
}

const INDENT = "    ";

const indent = (lines: readonly string[]): string[] => lines.map((l) => `${INDENT}${l}`);

function keep(variant: Variant): (piece: { readonly only?: Scheme }) => boolean {
  return (piece) => piece.only === undefined || piece.only === variant;
}

function upstream(u: Upstream, names: ConfNames): string {
  return [`upstream ${u.name} {`, ...indent([`server ${names.host(u.service)}:${u.port};`]), "}"].join("\n");
}

function listen(s: Server, variant: Variant): string {
  const port = typeof s.port === "number" ? s.port : s.port[variant === "https" ? "https" : "http"];
  const tls = variant === "https" && s.plain !== true ? " ssl" : "";
  const params = s.listenParams === undefined ? "" : ` ${s.listenParams}`;
  // Two spaces before default_server: the template leaves an empty slot there; kept for text parity.
  const dflt = s.defaultServer ? "  default_server" : "";
  return `listen ${port}${tls}${params}${dflt};`;
}

function server(s: Server, conf: Conf, variant: Variant, names: ConfNames): string {
  const paragraphs: string[][] = [[listen(s, variant)]];
  // The stream module has no virtual servers, so no server_name there.
  if (conf.context === "http") paragraphs.push([`server_name         ${names.serverName};`]);
  paragraphs.push(...(s.paragraphs ?? []).filter(keep(variant)).map((p) => lines(p, names)));
  // The public port, not nginx's container port: the client reaches nginx through the published one.
  if (s.redirectToHttps) paragraphs.push([`return 301 https://${names.serverName}${names.httpsPort === 443 ? "" : `:${names.httpsPort}`}$request_uri;`]);
  for (const [match, directive, app] of s.locations ?? []) {
    const fallback = app && names.frontendFallback && variant === "http" ? ["try_files $uri $uri/ /index.html;"] : [];
    paragraphs.push([`location ${match} {`, ...indent([directive, ...fallback]), "}"]);
  }
  return ["server {", paragraphs.map((p) => indent(p).join("\n")).join("\n\n"), "}"].join("\n");
}

const lines = (p: Paragraph, names: ConfNames): string[] => [...(typeof p.lines === "function" ? p.lines(names.tls) : p.lines)];

export function renderConf(conf: Conf, variant: Variant, names: ConfNames): string {
  const blocks = [
    ...(conf.paragraphs ?? []).filter(keep(variant)).map((p) => lines(p, names).join("\n")),
    ...(conf.upstreams ?? []).map((u) => upstream(u, names)),
    ...(conf.servers ?? []).filter(keep(variant)).map((s) => server(s, conf, variant, names)),
  ];
  return `${blocks.join("\n\n")}\n`;
}
