/**
 * A throw-away PostgreSQL cluster set up the way the official postgres image
 * sets itself up on first start, and a runner for /docker-entrypoint-initdb.d
 * scripts that mirrors the image's entrypoint. It uses Debian's server
 * binaries (/usr/lib/postgresql/<version>/bin) on a private port and socket
 * folder, so it touches no other cluster.
 *
 * Postgres refuses to run as root; when the tests run as root (CI), the
 * server and the init scripts run as the `postgres` system user, as in the
 * image, which switches to that user with gosu.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { haveTool, tempDir } from "../helpers.js";

/** The newest /usr/lib/postgresql/<version>/bin that has a server. */
export function findPgBin(root = "/usr/lib/postgresql"): string | undefined {
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => /^\d+(\.\d+)?$/.test(v) && existsSync(join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], "bin");
}

/**
 * The server binaries, or undefined (with the reason printed) when they are
 * missing; under CI=true `haveTool` makes a missing one fail instead.
 */
export function pgTools(): string | undefined {
  const bin = findPgBin();
  const tools = [bin ? join(bin, "initdb") : "initdb", bin ? join(bin, "pg_ctl") : "pg_ctl", bin ? join(bin, "psql") : "psql"];
  if (isRoot()) tools.push("setpriv");
  // Every tool is probed (no short-circuit) so each missing one is reported.
  const ok = tools.map((t) => haveTool(t)).every(Boolean);
  return ok ? bin : undefined;
}

const isRoot = () => process.getuid?.() === 0;

function postgresIds(): { uid: number; gid: number } {
  const id = (flag: string) => Number(spawnSync("id", [flag, "postgres"], { encoding: "utf8" }).stdout.trim());
  return { uid: id("-u"), gid: id("-g") };
}

/** `cmd args` as the postgres user when we are root; the environment is kept as given. */
function asPostgres(cmd: string, args: readonly string[]): [string, string[]] {
  return isRoot() ? ["setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", cmd, ...args]] : [cmd, [...args]];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      s.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

function check(r: SpawnSyncReturns<string>, what: string): string {
  if (r.error) throw new Error(`${what}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** What the image's environment says about its superuser (POSTGRES_USER, …). */
export interface Superuser {
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

export interface PsqlOptions {
  /** Connect over TCP to 127.0.0.1 (password authentication) instead of the socket (trust). */
  readonly tcp?: boolean;
  readonly password?: string;
}

export interface Result {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface InitRun {
  /** The script's text and mode, as generated. */
  readonly script: string;
  readonly mode: number;
  /** POSTGRES_USER_DIOPTRA_PASSWORD; undefined leaves it unset. */
  readonly dioptraPassword: string | undefined;
}

/** Clusters not stopped yet: stopped on exit too, should a run end before its cleanup hooks. */
const LIVE = new Set<PgCluster>();
process.once("exit", () => {
  for (const c of LIVE) c.stop();
});

export class PgCluster {
  private constructor(
    readonly bin: string,
    readonly dir: string,
    readonly port: number,
    readonly superuser: Superuser,
  ) {}

  get data(): string {
    return join(this.dir, "data");
  }

  get socketDir(): string {
    return this.dir;
  }

  /**
   * initdb with the superuser and password the image would use, local
   * (socket) connections trusted as in the image, TCP on 127.0.0.1 with
   * scram-sha-256 as POSTGRES_HOST_AUTH_METHOD asks, then the superuser's
   * database if it is new (the image's docker_setup_db).
   */
  static async start(bin: string, superuser: Superuser): Promise<PgCluster> {
    const dir = tempDir("dd-pg-");
    if (isRoot()) {
      const { uid, gid } = postgresIds();
      chownSync(dir, uid, gid);
    }
    const cluster = new PgCluster(bin, dir, await freePort(), superuser);
    LIVE.add(cluster);
    try {
      cluster.initAndStart();
    } catch (e) {
      cluster.stop();
      throw e;
    }
    return cluster;
  }

  private initAndStart(): void {
    const pwfile = join(this.dir, "pwfile");
    this.writeAsPostgres(pwfile, `${this.superuser.password}\n`, 0o600);
    const [c, a] = asPostgres(join(this.bin, "initdb"), [
      "--pgdata",
      this.data,
      `--username=${this.superuser.user}`,
      `--pwfile=${pwfile}`,
      "--encoding=UTF8",
      "--locale=C",
      "--no-sync",
    ]);
    check(spawnSync(c, a, { encoding: "utf8", env: this.baseEnv() }), "initdb");
    rmSync(pwfile);
    this.writeAsPostgres(join(this.data, "pg_hba.conf"), "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n", 0o600);
    const opts = `-c listen_addresses=127.0.0.1 -p ${this.port} -k ${this.socketDir} -c fsync=off -c wal_level=minimal -c max_wal_senders=0 -c full_page_writes=off -c synchronous_commit=off`;
    const [c2, a2] = asPostgres(join(this.bin, "pg_ctl"), ["-D", this.data, "-l", join(this.dir, "server.log"), "-o", opts, "-w", "-t", "30", "start"]);
    check(spawnSync(c2, a2, { encoding: "utf8", env: this.baseEnv() }), "pg_ctl start");
    const { user, database } = this.superuser;
    if (this.sql(user, "postgres", `SELECT 1 FROM pg_database WHERE datname = ${literal(database)}`) === "") {
      this.sql(user, "postgres", `CREATE DATABASE ${ident(database)}`);
    }
  }

  /** Stops the server and removes its folder; never throws (it runs in cleanup). */
  stop(): void {
    LIVE.delete(this);
    try {
      if (existsSync(join(this.data, "postmaster.pid"))) {
        const [c, a] = asPostgres(join(this.bin, "pg_ctl"), ["-D", this.data, "-m", "immediate", "-w", "stop"]);
        spawnSync(c, a, { encoding: "utf8", env: this.baseEnv() });
      }
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  /** A minimal environment: nothing from ours (PG*, ~/.pgpass, ~/.psqlrc) leaks in. */
  baseEnv(): NodeJS.ProcessEnv {
    return { PATH: `${this.bin}:/usr/sbin:/usr/bin:/sbin:/bin`, HOME: this.dir, LANG: "C.UTF-8", PGCONNECT_TIMEOUT: "10" };
  }

  private writeAsPostgres(path: string, text: string, mode: number): void {
    writeFileSync(path, text);
    chmodSync(path, mode);
    if (isRoot()) {
      const { uid, gid } = postgresIds();
      chownSync(path, uid, gid);
    }
  }

  private psqlCommand(user: string, database: string, options: PsqlOptions): [string, string[], NodeJS.ProcessEnv] {
    const args = [
      "-X",
      "-w",
      "-q",
      "-A",
      "-t",
      "-v",
      "ON_ERROR_STOP=1",
      "-h",
      options.tcp ? "127.0.0.1" : this.socketDir,
      "-p",
      String(this.port),
      "-U",
      user,
      "-d",
      database,
    ];
    const env = { ...this.baseEnv(), ...(options.password === undefined ? {} : { PGPASSWORD: options.password }) };
    return [join(this.bin, "psql"), args, env];
  }

  /** psql; `sql` statements are read from stdin, so each runs on its own (CREATE DATABASE needs that). */
  psql(user: string, database: string, sql: string, options: PsqlOptions = {}): Result {
    const [cmd, args, env] = this.psqlCommand(user, database, options);
    const r = spawnSync(cmd, args, { input: sql, encoding: "utf8", env });
    if (r.error) throw r.error;
    return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr };
  }

  /** `psql` without blocking, so independent probes can run side by side. */
  psqlAsync(user: string, database: string, sql: string, options: PsqlOptions = {}): Promise<Result> {
    const [cmd, args, env] = this.psqlCommand(user, database, options);
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, args, { env });
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
      child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      child.on("error", reject);
      child.on("close", (status) => resolve({ status, stdout: stdout.trim(), stderr }));
      child.stdin.end(sql);
    });
  }

  /** psql that must succeed; returns its unaligned, tuples-only output. */
  sql(user: string, database: string, sql: string, options: PsqlOptions = {}): string {
    const r = this.psql(user, database, sql, options);
    if (r.status !== 0) throw new Error(`psql -U ${user} -d ${database} failed (${r.status}):\n${sql}\n${r.stderr}`);
    return r.stdout;
  }

  /** As the superuser over the socket, connected to its own database. */
  admin(sql: string, database = this.superuser.database): string {
    return this.sql(this.superuser.user, database, sql);
  }

  /**
   * Puts the script in an initdb.d folder with its mode and processes it as
   * the image's docker_process_init_files does: executed if executable,
   * sourced into the entrypoint's bash otherwise, with the variables the
   * entrypoint exports (PGHOST/PGPORT stand in for its default socket).
   */
  runInit(run: InitRun): Result {
    const initdbD = join(this.dir, "docker-entrypoint-initdb.d");
    mkdirSync(initdbD, { recursive: true });
    if (isRoot()) {
      const { uid, gid } = postgresIds();
      chownSync(initdbD, uid, gid);
    }
    const file = join(initdbD, "init-db.sh");
    this.writeAsPostgres(file, run.script, run.mode);
    const { user, password, database } = this.superuser;
    const env: NodeJS.ProcessEnv = {
      ...this.baseEnv(),
      PGDATA: this.data,
      POSTGRES_USER: user,
      POSTGRES_PASSWORD: password,
      POSTGRES_DB: database,
      POSTGRES_HOST_AUTH_METHOD: "scram-sha-256",
      PGPASSWORD: password,
      PGHOST: this.socketDir,
      PGPORT: String(this.port),
      ...(run.dioptraPassword === undefined ? {} : { POSTGRES_USER_DIOPTRA_PASSWORD: run.dioptraPassword }),
    };
    const [c, a] = (run.mode & 0o111) !== 0 ? asPostgres(file, []) : asPostgres("bash", ["-c", 'set -Eeo pipefail; . "$1"', "docker-entrypoint.sh", file]);
    const r = spawnSync(c, a, { encoding: "utf8", env });
    if (r.error) throw r.error;
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }
}

/** A SQL identifier in double quotes. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A SQL string literal (standard_conforming_strings is on). */
export function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
