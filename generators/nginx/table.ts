/**
 * The nginx confs as one table. Each row is a conf stem; http-context rows
 * render twice, as `http_<stem>.conf` (plain) and `https_<stem>.conf` (TLS),
 * because init copies one set or the other into the nginx-conf-d volume
 * (`--enable-nginx-ssl`), never both. The stream row renders once, as
 * `stream_<stem>.conf`, which init copies in either case.
 *
 * Texts, ports and their order are the reference template's; render.ts
 * owns the layout (indents, blank lines), so a row holds only content.
 */
import type { DioptraService } from "../../dsl/props.js";
import { entryPoint } from "../../model/entry-points.js";

/** Which of the two http-context files a piece belongs to; absent means both. */
export type Scheme = "http" | "https";

/** What the TLS directives depend on (`security` in deployment.config.ts). */
export interface TlsOptions {
  readonly legacyTls: boolean;
  /** HSTS max-age in seconds; undefined sends no HSTS header. */
  readonly hstsMaxAge: number | undefined;
}

/** Directives that the rendered text keeps together, separated from their neighbours by a blank line. */
export interface Paragraph {
  readonly only?: Scheme;
  readonly lines: readonly string[] | ((tls: TlsOptions) => readonly string[]);
}

export interface Upstream {
  readonly name: string;
  /** Resolved to the service's host name, `<slug>-<suffix>`. */
  readonly service: DioptraService;
  readonly port: number;
}

/** `location <match> { <directive> }`. */
/**
 * `location <match> { <directive> }`; a location marked `app` serves the web
 * app, and gets the single-page-app fallback on plain HTTP in releases that
 * have it (1.1; its HTTPS confs are unchanged upstream).
 */
export type Location = readonly [match: string, directive: string, app?: "app"];

export interface Server {
  readonly only?: Scheme;
  /** Container port; the https_ file may listen elsewhere (30443 for the UI). */
  readonly port: number | { readonly http: number; readonly https: number };
  /** Listens without TLS even in the https_ file: the redirect to HTTPS on the plain port. */
  readonly plain?: true;
  readonly defaultServer?: true;
  /** Extra `listen` parameters (stream only: `so_keepalive=on`). */
  readonly listenParams?: string;
  /** Answers every request with a redirect to `https://<server name>[:<nginx.httpsPort>]`. */
  readonly redirectToHttps?: true;
  readonly paragraphs?: readonly Paragraph[];
  readonly locations?: readonly Location[];
}

export interface Conf {
  readonly stem: string;
  /** nginx's `http {}` or `stream {}` block, which the image's nginx.conf includes the file into. */
  readonly context: "http" | "stream";
  /** Top-level directives, before any upstream. */
  readonly paragraphs?: readonly Paragraph[];
  readonly upstreams?: readonly Upstream[];
  readonly servers?: readonly Server[];
}

const pass = (upstream: string, path: string): string => `proxy_pass http://${upstream}${path};`;

/**
 * TLS 1.2 and 1.3 with Mozilla's "intermediate" profile (ssl-config.mozilla.org,
 * Server Side TLS 5.7) for 1.2: forward-secret AEAD suites only. Its DHE suites
 * are left out: nginx uses them only with an ssl_dhparam file, which this
 * deployment has none of. 1.3's suites are OpenSSL's, all of them sound.
 */
export const INTERMEDIATE_CIPHERS = [
  "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
].join(":");

/**
 * security.legacyTls: Mozilla's "old" profile for clients stuck on TLS 1.0/1.1
 * (less its DHE and 3DES suites), with OpenSSL 3's security level lowered to 0,
 * without which it refuses those protocols' SHA-1 handshakes.
 */
export const LEGACY_CIPHERS = [
  INTERMEDIATE_CIPHERS, "ECDHE-ECDSA-AES128-SHA256", "ECDHE-RSA-AES128-SHA256", "ECDHE-ECDSA-AES128-SHA", "ECDHE-RSA-AES128-SHA",
  "ECDHE-ECDSA-AES256-SHA384", "ECDHE-RSA-AES256-SHA384", "ECDHE-ECDSA-AES256-SHA", "ECDHE-RSA-AES256-SHA",
  "AES128-GCM-SHA256", "AES256-GCM-SHA384", "AES128-SHA256", "AES256-SHA256", "AES128-SHA", "AES256-SHA", "@SECLEVEL=0",
].join(":");

/** The http-level TLS settings every https_ server inherits. */
function tlsLines(tls: TlsOptions): string[] {
  return [
    tls.legacyTls
      ? "# security.legacyTls: Mozilla's \"old\" profile, TLS 1.0 and 1.1 accepted for old clients."
      : "# Mozilla's \"intermediate\" profile (ssl-config.mozilla.org): TLS 1.2 and 1.3 only.",
    `ssl_protocols       ${tls.legacyTls ? "TLSv1 TLSv1.1 TLSv1.2 TLSv1.3" : "TLSv1.2 TLSv1.3"};`,
    `ssl_ciphers         ${tls.legacyTls ? LEGACY_CIPHERS : INTERMEDIATE_CIPHERS};`,
    // With only strong suites offered, the client picks the one its hardware runs fastest;
    // the old profile's weak suites need the server's order.
    `ssl_prefer_server_ciphers ${tls.legacyTls ? "on" : "off"};`,
    "ssl_session_cache   shared:SSL:10m;",
    "ssl_session_timeout 10m;",
    // Ticket keys never rotate while nginx runs: one leaked key would decrypt every session since start.
    "ssl_session_tickets off;",
    ...(tls.hstsMaxAge !== undefined ? [`add_header Strict-Transport-Security "max-age=${tls.hstsMaxAge}" always;`] : []),
  ];
}

/** Both MinIO ports move whole objects: no size cap worth hitting, no buffering on disk. */
const MINIO_BODY_LIMITS: Paragraph = {
  lines: ["client_max_body_size 4000m;", "ignore_invalid_headers off;", "chunked_transfer_encoding off;"],
};
const MINIO_UNBUFFERED: Paragraph = { lines: ["proxy_buffering off;", "proxy_request_buffering off;"] };

/** The SPA is served from disk; API, docs and health checks go to the REST API. */
const RESTAPI_LOCATIONS: readonly Location[] = [
  ["/", "root /frontend;", "app"],
  ["/api/", pass("container-restapi", "/api/")],
  ["/api-docs/", pass("container-restapi", "/")],
  ["/swagger.json", pass("container-restapi", "/swagger.json")],
  ["/swaggerui/", pass("container-restapi", "/swaggerui/")],
  ["= /health", pass("container-restapi", "/health")],
  ["= /health/", pass("container-restapi", "/health")],
];

export const CONFS: readonly Conf[] = [
  {
    stem: "dbadmin",
    context: "http",
    upstreams: [{ name: "container-dbadmin", service: "dbadmin", port: 35050 }],
    servers: [
      {
        port: entryPoint("pgadmin").container,
        paragraphs: [
          // The ciphers and their order come from https_default.conf, as for every server.
          { only: "https", lines: ["ssl_session_cache builtin:1000 shared:SSL:10m;"] },
          // pgAdmin builds its redirects from these, so they must carry the public port.
          { lines: ["proxy_set_header Host $host:$server_port;", "proxy_set_header X-Scheme $scheme;", "proxy_set_header X-Forwarded-Port $server_port;"] },
        ],
        locations: [["^~ /", pass("container-dbadmin", "/")]],
      },
    ],
  },
  {
    stem: "default",
    context: "http",
    paragraphs: [
      { lines: ["include             /etc/nginx/mime.types;", "default_type        application/octet-stream;"] },
      {
        lines: [
          "log_format main '$remote_addr - $remote_user [$time_local] \"$request\" '",
          "                '$status $body_bytes_sent \"$http_referer\" '",
          "                '\"$http_user_agent\" \"$http_x_forwarded_for\"';",
        ],
      },
      { lines: ["access_log /dev/stdout main;", "error_log /dev/stderr;"] },
      { lines: ["sendfile            on;", "tcp_nopush          on;", "tcp_nodelay         on;"] },
      { lines: ["reset_timedout_connection on;", "client_body_timeout 10;", "send_timeout 2;", "keepalive_timeout 30;"] },
      // Paths inside the container: init copies ssl/nginx/server.{crt,key} into the nginx-etc-ssl volume, mounted at /etc/ssl.
      {
        only: "https",
        lines: (tls) => ["ssl_certificate     /etc/ssl/server.crt;", "ssl_certificate_key /etc/ssl/server.key;", ...tlsLines(tls)],
      },
    ],
  },
  {
    stem: "minio",
    context: "http",
    upstreams: [
      { name: "container-minio-api", service: "minio", port: 9000 },
      { name: "container-minio-console", service: "minio", port: 9001 },
    ],
    servers: [
      {
        port: entryPoint("minioApi").container,
        paragraphs: [
          MINIO_BODY_LIMITS,
          MINIO_UNBUFFERED,
          { lines: ["proxy_http_version 1.1;", 'proxy_set_header Connection "";', "proxy_set_header Host            $http_host;"] },
        ],
        locations: [["^~ /", pass("container-minio-api", "/")]],
      },
      {
        port: entryPoint("minioConsole").container,
        paragraphs: [
          MINIO_BODY_LIMITS,
          MINIO_UNBUFFERED,
          { lines: ["proxy_connect_timeout 300;"] },
          { lines: ["# The console talks over WebSockets, which need HTTP/1.1 to the upstream.", "proxy_http_version 1.1;"] },
          { lines: ["# Take the client address from X-Real-IP, so the console sees who is calling.", "real_ip_header X-Real-IP;"] },
          { lines: ["proxy_set_header Upgrade $http_upgrade;", "proxy_set_header X-NginX-Proxy true;", 'proxy_set_header Connection "upgrade";'] },
        ],
        locations: [["^~ /", pass("container-minio-console", "/")]],
      },
    ],
  },
  {
    stem: "mlflow",
    context: "http",
    upstreams: [{ name: "container-mlflow-tracking", service: "mlflowTracking", port: 5000 }],
    servers: [{ port: entryPoint("mlflow").container, paragraphs: [{ lines: ["client_max_body_size 100m;"] }], locations: [["/", pass("container-mlflow-tracking", "/")]] }],
  },
  {
    stem: "proxy",
    context: "http",
    paragraphs: [
      { lines: ["client_max_body_size 10m;", "client_body_buffer_size 128k;"] },
      { lines: ["proxy_redirect off;"] },
      { lines: ["proxy_buffering on;", "proxy_buffers 32 4k;"] },
      { lines: ["proxy_connect_timeout 90;", "proxy_send_timeout 90;", "proxy_read_timeout 90;"] },
      {
        lines: [
          "proxy_set_header Host $http_host;",
          "proxy_set_header X-Real-IP $remote_addr;",
          "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
          "proxy_set_header X-Forwarded-Proto $scheme;",
        ],
      },
    ],
  },
  {
    stem: "restapi",
    context: "http",
    upstreams: [{ name: "container-restapi", service: "restapi", port: 5000 }],
    servers: [
      { only: "https", port: entryPoint("web").container, plain: true, defaultServer: true, redirectToHttps: true },
      {
        port: { http: entryPoint("web").container, https: entryPoint("webTls").container },
        defaultServer: true,
        paragraphs: [{ lines: ["proxy_redirect off;"] }],
        locations: RESTAPI_LOCATIONS,
      },
    ],
  },
  {
    stem: "db",
    context: "stream",
    upstreams: [{ name: "container-db", service: "db", port: 5432 }],
    servers: [
      {
        port: entryPoint("postgres").container,
        listenParams: "so_keepalive=on",
        paragraphs: [
          { lines: ["proxy_timeout 60s;", "proxy_connect_timeout 20s;", "proxy_buffer_size 256k;"] },
          { lines: ["proxy_pass    container-db;"] },
        ],
      },
    ],
  },
];
