/**
 * A plain model of the Compose files we emit, keyed by Compose's own names so
 * serialization needs no renaming. Values are final Compose text: a literal
 * `$` is already written `$$`.
 */
/** Any document in Compose's file format (a Compose file, a Swarm stack file): what the serializer and the schema check read. */
export interface ComposeDocument {
  readonly version?: string;
  readonly services?: Readonly<Record<string, { readonly healthcheck?: ComposeHealthcheck | undefined }>>;
  readonly networks?: Readonly<Record<string, object>>;
  readonly volumes?: Readonly<Record<string, object>>;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  networks?: Record<string, ComposeNetwork>;
  volumes?: Record<string, ComposeVolume>;
}

export interface ComposeService {
  image?: string;
  restart?: "no" | "always" | "on-failure" | "unless-stopped";
  hostname?: string;
  user?: string;
  runtime?: string;
  shm_size?: string;
  security_opt?: string[];
  cap_drop?: string[];
  cap_add?: string[];
  read_only?: boolean;
  tmpfs?: string[];
  healthcheck?: ComposeHealthcheck;
  entrypoint?: string[];
  /** Numbers only where the template writes one (a single GPU index), for exact parity. */
  environment?: Record<string, string | number>;
  command?: string[];
  /** Long form: the short list cannot say "wait until healthy". */
  depends_on?: Record<string, { condition: "service_started" | "service_healthy" }>;
  env_file?: string[];
  networks?: string[];
  ports?: string[];
  volumes?: string[];
  profiles?: string[];
}

export interface ComposeHealthcheck {
  test: string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
}

export interface ComposeNetwork {
  name?: string;
}

export interface ComposeVolume {
  name?: string;
  driver?: string;
  driver_opts?: Record<string, string>;
}
