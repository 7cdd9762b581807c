/**
 * nginx's entry points, one row each: the one table the nginx service's
 * ports and health check, the host-port check, the deployment README and the
 * security audit read. Rows are in the order nginx publishes them.
 */
import type { DioptraService } from "../dsl/props.js";

export interface EntryPoint {
  readonly key: "web" | "webTls" | "postgres" | "mlflow" | "pgadmin" | "minioApi" | "minioConsole";
  /** What a person reaches there, as the README names it. */
  readonly what: string;
  /** The port nginx listens on in its container (it runs unprivileged, so ≥ 1024). */
  readonly container: number;
  /** The host port: fixed, or the `nginx` setting that chooses it. */
  readonly host: number | "httpPort" | "httpsPort";
  /** The service nginx forwards to. */
  readonly upstream: DioptraService;
  /** HTTP (HTTPS once `nginx.tls` is on) or a plain TCP stream. */
  readonly protocol: "http" | "tcp";
  /** Published always, or only with `nginx.tls`. */
  readonly published: "always" | "tls";
  /** The path nginx's health check probes, and whether over plain HTTP, HTTPS or either; undefined: not probed. */
  readonly health: { readonly path: string; readonly when: "always" | "plain" | "tls" } | undefined;
  /** What crosses it in clear text without TLS: logins (named), or data; `postgres.tls` encrypts the Postgres stream itself. */
  readonly carries: { readonly logins: string } | "data";
}

export const ENTRY_POINTS: readonly EntryPoint[] = [
  { key: "web", what: "Dioptra web app and REST API", container: 30080, host: "httpPort", upstream: "restapi", protocol: "http", published: "always", health: { path: "", when: "plain" }, carries: { logins: "Dioptra logins" } },
  { key: "webTls", what: "Dioptra web app and REST API", container: 30443, host: "httpsPort", upstream: "restapi", protocol: "http", published: "tls", health: { path: "", when: "tls" }, carries: { logins: "Dioptra logins" } },
  { key: "postgres", what: "PostgreSQL (TCP, through nginx)", container: 5432, host: 35432, upstream: "db", protocol: "tcp", published: "always", health: undefined, carries: "data" },
  { key: "mlflow", what: "MLflow tracking", container: 35000, host: 35000, upstream: "mlflowTracking", protocol: "http", published: "always", health: { path: "", when: "always" }, carries: "data" },
  { key: "pgadmin", what: "pgAdmin", container: 35050, host: 35050, upstream: "dbadmin", protocol: "http", published: "always", health: { path: "/login", when: "always" }, carries: { logins: "pgAdmin login" } },
  { key: "minioApi", what: "MinIO S3 API", container: 39000, host: 39000, upstream: "minio", protocol: "http", published: "always", health: { path: "", when: "always" }, carries: "data" },
  { key: "minioConsole", what: "MinIO console", container: 39001, host: 39001, upstream: "minio", protocol: "http", published: "always", health: { path: "", when: "always" }, carries: { logins: "MinIO console login" } },
];

/** A row by key (the table is fixed, so every key is there). */
export const entryPoint = (key: EntryPoint["key"]): EntryPoint => ENTRY_POINTS.find((e) => e.key === key)!;

/** The nginx settings an entry point's host port depends on. */
export interface EntrySettings {
  readonly httpPort: number;
  readonly httpsPort: number;
  readonly tls: boolean;
}

/** The host port of an entry point under these settings. */
export const hostPort = (e: EntryPoint, nginx: EntrySettings): number => (e.host === "httpPort" ? nginx.httpPort : e.host === "httpsPort" ? nginx.httpsPort : e.host);

/** The entry points nginx publishes under these settings, in order. */
export const publishedEntryPoints = (nginx: EntrySettings): EntryPoint[] => ENTRY_POINTS.filter((e) => e.published === "always" || nginx.tls);

/** The URLs nginx's health check probes: the HTTP ones, or the HTTPS ones when TLS is on. */
export function healthUrls(tls: boolean): string[] {
  const scheme = tls ? "https" : "http";
  return ENTRY_POINTS.filter((e) => e.health !== undefined && (e.health.when === "always" || e.health.when === (tls ? "tls" : "plain"))).map(
    (e) => `${scheme}://localhost:${e.container}${e.health!.path}`,
  );
}
