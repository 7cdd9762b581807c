/** Process, HTTP and timing helpers of the e2e run (test/e2e/run.ts). */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { appendFileSync } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { PeerCertificate, TLSSocket } from "node:tls";

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly input?: string;
  /** Appends the command line and its output to this file. */
  readonly logFile?: string;
  /** Kills the command after this many milliseconds. */
  readonly timeoutMs?: number;
  /** Streams output to this process's stdout/stderr as well. */
  readonly echo?: boolean;
}

/** Commands under way, so an interrupted run can stop them (killRunning). */
const running = new Set<ReturnType<typeof spawn>>();

/** SIGTERMs every command run() started that is still running (the run was interrupted). */
export function killRunning(): void {
  for (const child of running) child.kill("SIGTERM");
}

/** Runs a command without a shell and collects its output. */
export function run(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    running.add(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on("data", (d: Buffer) => {
      out.push(d);
      if (options.echo) process.stdout.write(d);
    });
    child.stderr!.on("data", (d: Buffer) => {
      err.push(d);
      if (options.echo) process.stderr.write(d);
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
    let timer: NodeJS.Timeout | undefined;
    if (options.timeoutMs) timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    const finish = (status: number | null, extra = "") => {
      running.delete(child);
      if (timer) clearTimeout(timer);
      const result = { status, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() + extra };
      if (options.logFile) {
        try {
          appendFileSync(options.logFile, `\n$ ${[cmd, ...args].join(" ")}  (exit ${status})\n${result.stdout}${result.stderr}`);
        } catch {
          // The folder is gone (teardown after SIGINT removed it): the log is lost, the result is not.
        }
      }
      resolve(result);
    };
    child.on("error", (e) => finish(127, `\n${cmd}: ${e.message}`));
    child.on("close", (code) => finish(code));
  });
}

export class CommandError extends Error {}

/** Runs a command and throws, with the tail of its output, unless it exits 0. */
export async function must(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const r = await run(cmd, args, options);
  if (r.status !== 0) {
    throw new CommandError(`\`${[cmd, ...args].join(" ")}\` exited ${r.status}:\n${tail(r.stdout + r.stderr, 40)}`);
  }
  return r;
}

export function tail(text: string, lines: number): string {
  const all = text.trimEnd().split("\n");
  return all.slice(Math.max(0, all.length - lines)).join("\n");
}

export function sha256(...parts: (string | Buffer)[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p).update("\0");
  return h.digest("hex");
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface HttpAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** The server's certificate (https only). */
  readonly certificate?: PeerCertificate;
}

export interface HttpOptions {
  /** PEM certificates to trust (https). */
  readonly ca?: string;
  /** TLS server name (SNI and certificate check). */
  readonly servername?: string;
  readonly timeoutMs?: number;
  /** POST this JSON text instead of a GET. */
  readonly json?: string;
  /** Extra request headers (a session cookie). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** GET (or POST `options.json` to) `url` with no redirect following; https trusts only `options.ca`. */
export function httpGet(url: string, options: HttpOptions = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const isHttps = u.protocol === "https:";
    const headers: Record<string, string> = { Host: options.servername ?? u.host, ...(options.json === undefined ? {} : { "Content-Type": "application/json" }), ...options.headers };
    const common = { method: options.json === undefined ? "GET" : "POST", headers, timeout: options.timeoutMs ?? 10_000, agent: false as const };
    const req = isHttps
      ? https.request(u, { ...common, ca: options.ca, servername: options.servername, rejectUnauthorized: true })
      : http.request(u, common);
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      const certificate = isHttps ? (res.socket as TLSSocket).getPeerCertificate() : undefined;
      res.on("data", (d: Buffer) => chunks.push(d));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString(), ...(certificate ? { certificate } : {}) }),
      );
    });
    req.on("timeout", () => req.destroy(new Error(`timeout after ${options.timeoutMs ?? 10_000} ms`)));
    req.on("error", reject);
    req.end(options.json);
  });
}

/** httpGet with a few retries on connection errors (a published port can lag its container). */
export async function httpRetry(url: string, options: HttpOptions = {}): Promise<HttpAnswer> {
  let last: unknown;
  for (let i = 0; i < 5; i++) {
    try {
      return await httpGet(url, options);
    } catch (e) {
      last = e;
      await sleep(1000);
    }
  }
  throw new Error(`${options.json === undefined ? "GET" : "POST"} ${url}: ${last instanceof Error ? last.message : String(last)}`);
}

/** Phase timings, printed as a table at the end. */
export class Timings {
  private readonly rows: { phase: string; ms: number; note: string }[] = [];

  async time<T>(phase: string, fn: () => Promise<T>, note: (r: T) => string = () => ""): Promise<T> {
    const start = Date.now();
    log(`── ${phase}`);
    try {
      const r = await fn();
      this.rows.push({ phase, ms: Date.now() - start, note: note(r) });
      return r;
    } catch (e) {
      this.rows.push({ phase, ms: Date.now() - start, note: "FAILED" });
      throw e;
    }
  }

  add(phase: string, ms: number, note = ""): void {
    this.rows.push({ phase, ms, note });
  }

  print(totalMs: number): void {
    const width = Math.max(...this.rows.map((r) => r.phase.length), 5);
    console.log("\ne2e phase timings:");
    for (const r of this.rows) console.log(`  ${r.phase.padEnd(width)}  ${seconds(r.ms).padStart(7)}${r.note ? `  ${r.note}` : ""}`);
    console.log(`  ${"total".padEnd(width)}  ${seconds(totalMs).padStart(7)}`);
  }
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

const started = Date.now();

export function log(...msg: unknown[]): void {
  console.log(`[e2e ${seconds(Date.now() - started).padStart(6)}]`, ...msg);
}
