/**
 * What the e2e run asserts on a healthy deployment, as a user would: each
 * nginx port answers from the right upstream (the stand-ins name themselves),
 * psql through nginx logs in as the application user with the password init
 * wrote, MinIO holds the accounts and policies init created, workers see the
 * datasets folder read-only, GPU workers their GPUs, and with TLS the served
 * certificate is the one put in ssl/nginx/.
 */
import { X509Certificate, createHash } from "node:crypto";
import { PROFILES } from "../../profiles/index.js";
import { EXTRA_CA_FILE, SERVER_NAME, type Deployment } from "./deployment.js";
import { httpRetry, log, run, type HttpAnswer, type HttpOptions } from "./util.js";

export class Checker {
  passed = 0;
  readonly failures: string[] = [];

  constructor(private readonly prefix: string) {}

  async check(name: string, fn: () => Promise<void> | void): Promise<void> {
    try {
      await fn();
      this.passed++;
      log(`  ✓ ${this.prefix}: ${name}`);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      this.failures.push(`${this.prefix}: ${name}: ${msg}`);
      log(`  ✗ ${this.prefix}: ${name}: ${msg}`);
    }
  }
}

function expect(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(msg);
}

function show(a: HttpAnswer): string {
  return `${a.status} ${a.body.replace(/\s+/g, " ").trim().slice(0, 200)}`;
}

const get = httpRetry;

function json(a: HttpAnswer): Record<string, unknown> {
  try {
    return JSON.parse(a.body) as Record<string, unknown>;
  } catch {
    throw new Error(`not JSON: ${show(a)}`);
  }
}

export interface CheckContext {
  readonly deployment: Deployment;
  /** An image with a shell, to write the stand-in frontend into its volume. */
  readonly helperImage: string;
  /** An image with psql, when the host has none. */
  readonly psqlImage: string;
}

/** Runs psql against nginx's published Postgres port; host psql if there is one. */
async function psql(ctx: CheckContext, conninfo: string, password: string, sql: string) {
  const env = { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: "10" };
  const args = ["-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", conninfo, "-c", sql];
  if ((await run("sh", ["-c", "command -v psql"])).status === 0) return run("psql", args, { env, timeoutMs: 30_000 });
  return ctx.deployment.docker(["run", "--rm", "--network", "host", "--entrypoint", "psql", "-e", `PGPASSWORD=${password}`, "-e", "PGCONNECT_TIMEOUT=10", ctx.psqlImage, ...args], 60_000);
}

/** The ports nginx proxies besides the web port: port, path, and the name its stand-in answers with. */
const IDENTITIES: readonly [port: number, path: string, who: string][] = [
  [35000, "/", "MLflow tracking server"],
  [35050, "/login", "pgAdmin login"],
  [39000, "/", "MinIO S3 API"],
  [39001, "/", "MinIO console"],
];

/** Whether an answer comes from the stand-in named `who` (each names itself in its body). */
const answeredBy = (a: HttpAnswer, who: string) => a.status === 200 && a.body.includes(`stand-in: ${who}`);

/** Asserts that `base` + `path` is answered by the stand-in named `who`. */
async function checkIdentity(c: Checker, base: string, path: string, who: string, opts: HttpOptions): Promise<void> {
  await c.check(`${base}${path} answers from ${who.split(" ").slice(0, 2).join(" ")}`, async () => {
    const a = await get(`${base}${path}`, opts);
    expect(answeredBy(a, who), `got ${show(a)}`);
  });
}

/**
 * Proves, in every run, that the upstream assertions can fail: points the
 * running nginx's MLflow upstream at the REST API (edit in its conf.d volume,
 * `nginx -s reload`) and passes only if :35000 then fails the assertion above
 * (and is answered by the REST API, so the edit is what changed). Run last on
 * a plain-HTTP deployment: nginx stays that way until teardown.
 */
export async function checkCanary(ctx: CheckContext, c: Checker): Promise<void> {
  const d = ctx.deployment;
  const [port, path, who] = IDENTITIES[0]!;
  await c.check(`canary: with nginx's MLflow upstream pointed at the REST API, :${port} fails the assertion`, async () => {
    const nginx = await d.container(`${d.slug}-nginx`);
    const from = `server ${d.slug}-mlflow-tracking:5000;`;
    const to = `server ${d.slug}-restapi:5000;`;
    const script = 'grep -lF "$1" /etc/nginx/conf.d/*mlflow.conf | xargs -r sed -i "s/$1/$2/" && ! grep -qF "$1" /etc/nginx/conf.d/*mlflow.conf';
    // As nginx's own user, who owns conf.d: root in this container has no capability to write there.
    const edit = await d.docker(["exec", nginx, "sh", "-c", script, "sh", from, to]);
    expect(edit.status === 0, `could not edit the MLflow upstream in conf.d: ${edit.stderr}`);
    const reload = await d.docker(["exec", nginx, "nginx", "-s", "reload"]);
    expect(reload.status === 0, `nginx -s reload: ${reload.stderr}`);
    // A reload lets the old workers finish their connections: ask a few times.
    let a = await get(`http://${d.address}:${port}${path}`);
    for (let i = 0; i < 10 && answeredBy(a, who); i++) {
      await new Promise((r) => setTimeout(r, 500));
      a = await get(`http://${d.address}:${port}${path}`);
    }
    expect(!answeredBy(a, who), `the assertion still passes with the upstream broken: ${show(a)}`);
    expect(json(a).service === "restapi", `not answered by the REST API: ${show(a)}`);
  });
}

/**
 * The TLS floor, asked of the running nginx with the host's openssl. The
 * client is allowed every protocol and cipher (security level 0), so a
 * refused TLS 1.1 is the server's refusal (its protocol_version alert), not
 * the client's own policy.
 */
async function checkTlsFloor(c: Checker, address: string, port: number): Promise<void> {
  const hello = (proto: string) =>
    run("openssl", ["s_client", "-connect", `${address}:${port}`, "-servername", SERVER_NAME, proto, "-cipher", "ALL:@SECLEVEL=0"], { input: "", timeoutMs: 20_000 });
  await c.check(`openssl s_client -tls1_1 to :${port} is refused by nginx (protocol version alert)`, async () => {
    const r = await hello("-tls1_1");
    const out = r.stdout + r.stderr;
    expect(r.status !== 0 && /alert protocol version|unsupported protocol|wrong version number/i.test(out) && !/no protocols available/i.test(out), `exit ${r.status}: ${out.slice(-400)}`);
  });
  for (const [flag, version] of [["-tls1_2", "TLSv1.2"], ["-tls1_3", "TLSv1.3"]] as const) {
    await c.check(`openssl s_client ${flag} to :${port} completes a ${version} handshake`, async () => {
      const r = await hello(flag);
      const out = r.stdout + r.stderr;
      expect(r.status === 0 && new RegExp(`Protocol\\s*:\\s*${version.replace(".", "\\.")}|New, ${version.replace(".", "\\.")}`).test(out), `exit ${r.status}: ${out.slice(-400)}`);
    });
  }
}

/**
 * Redis requires the password from .env: a client on the deployment network
 * without it is refused, the same client with it gets PONG, and the password
 * is not on Redis's command line as the host's `ps` sees it.
 */
async function checkRedisAuth(ctx: CheckContext, c: Checker, dotEnv: ReadonlyMap<string, string>): Promise<void> {
  const d = ctx.deployment;
  const password = dotEnv.get("REDIS_PASSWORD") ?? "";
  const cli = (...args: string[]) =>
    d.docker(["run", "--rm", "--network", `${d.slug}_dioptra`, "--entrypoint", "redis-cli", ctx.helperImage, "-h", `${d.slug}-redis`, ...args], 60_000);
  await c.check("Redis refuses a client without the password, and answers one with it", async () => {
    expect(password.length >= 32, ".env has no REDIS_PASSWORD");
    const anon = await cli("ping");
    expect(/NOAUTH/.test(anon.stdout + anon.stderr), `without AUTH: exit ${anon.status} ${anon.stdout}${anon.stderr}`);
    const wrong = await cli("--no-auth-warning", "-a", `${password}x`, "ping");
    expect(/WRONGPASS|invalid password/i.test(wrong.stdout + wrong.stderr), `wrong password: exit ${wrong.status} ${wrong.stdout}${wrong.stderr}`);
    const authed = await cli("--no-auth-warning", "-a", password, "ping");
    expect(authed.status === 0 && authed.stdout.trim() === "PONG", `with the password: exit ${authed.status} ${authed.stdout}${authed.stderr}`);
    expect(dotEnv.get("RQ_REDIS_URI") === `redis://:${password}@${d.slug}-redis:6379/0`, "RQ_REDIS_URI in .env does not carry REDIS_PASSWORD");
  });
  await c.check("Redis's command line, as the host's ps sees it, shows no password", async () => {
    const r = await d.docker(["exec", await d.container(`${d.slug}-redis`), "cat", "/proc/1/cmdline"]);
    expect(r.status === 0 && /redis-server/.test(r.stdout), `cmdline: exit ${r.status} ${r.stdout}${r.stderr}`);
    expect(!r.stdout.includes(password), `the password is on the command line: ${r.stdout.replaceAll(password, "<password>").replaceAll("\0", " ")}`);
  });
}

/** What `docker inspect` says each running service got from the generated hardening keys. */
async function checkHardening(ctx: CheckContext, c: Checker): Promise<void> {
  const d = ctx.deployment;
  await c.check("every service runs with no-new-privileges and all capabilities dropped (docker inspect)", async () => {
    const rows: string[] = [];
    for (const service of Object.keys(d.main.services)) {
      const id = await d.container(service);
      const r = await d.docker(["inspect", "--format", "{{json .HostConfig.SecurityOpt}}|{{json .HostConfig.CapDrop}}|{{json .HostConfig.CapAdd}}|{{.HostConfig.ReadonlyRootfs}}|{{.Config.User}}", id]);
      const [opt, drop, add, ro, user] = r.stdout.trim().split("|");
      expect(/no-new-privileges/.test(opt ?? ""), `${service}: SecurityOpt ${opt}`);
      expect(/"ALL"/.test(drop ?? ""), `${service}: CapDrop ${drop}`);
      rows.push(`${service.slice(d.slug.length + 1)}: add ${add === "null" ? "-" : add}, read-only ${ro}, user ${user || "(image)"}`);
    }
    log(`    hardening: ${rows.join("; ")}`);
  });
}

export async function checkDeployment(ctx: CheckContext, c: Checker): Promise<void> {
  const d = ctx.deployment;
  const slug = d.slug;
  const tls = d.scenario.tls;
  const scheme = tls ? "https" : "http";
  const webPort = tls ? (d.scenario.httpsPort ?? 443) : 80;
  const opts: HttpOptions = tls ? { ca: d.certificate!.crt, servername: SERVER_NAME } : {};
  const base = (port: number) => `${scheme}://${d.address}:${port}`;
  const dotEnv = d.readEnvFile(".env");

  // ── Dioptra 1.1: the workers' account init registered, in the REST API's database
  if (d.scenario.release !== "1.0") {
    const user = dotEnv.get("DIOPTRA_WORKER_USERNAME") ?? "";
    const password = dotEnv.get("DIOPTRA_WORKER_PASSWORD") ?? "";
    await c.check(`the workers' account ${user} logs in through nginx with the password in .env, and not with another`, async () => {
      expect(user !== "" && /^[A-Za-z0-9_-]{32}$/.test(password), "DIOPTRA_WORKER_USERNAME/PASSWORD missing from .env");
      const ok = await get(`${base(webPort)}/api/v1/auth/login`, { ...opts, json: JSON.stringify({ username: user, password }) });
      expect(ok.status === 200, `login refused: ${show(ok)}`);
      const bad = await get(`${base(webPort)}/api/v1/auth/login`, { ...opts, json: JSON.stringify({ username: user, password: `${password}x` }) });
      expect(bad.status === 401, `a wrong password was not refused: ${show(bad)}`);
    });
    if (d.scenario.reinit) {
      await c.check("init run a second time kept the workers' account (and passed)", async () => {
        expect(/exists and accepts the password in \.env/.test(d.reinitOutput ?? ""), `the second init did not report the existing account:\n${(d.reinitOutput ?? "").slice(-2000)}`);
      });
    }
  }

  // ── nginx → REST API and frontend
  await c.check(`${base(webPort)}/health answers from the REST API`, async () => {
    const a = await get(`${base(webPort)}/health`, opts);
    expect(a.status === 200, `got ${show(a)}`);
    const body = json(a);
    expect(body.service === "restapi" && body.host === `${slug}-restapi`, `not the REST API: ${show(a)}`);
  });
  await c.check(`the REST API got the signing key init drew into .env${tls ? ", and the Secure remember-me cookie (TLS)" : ""}`, async () => {
    const body = json(await get(`${base(webPort)}/health`, opts));
    const key = dotEnv.get("DIOPTRA_DEPLOY_SECRET_KEY") ?? "";
    expect(/^[A-Za-z0-9_-]{32}$/.test(key), "DIOPTRA_DEPLOY_SECRET_KEY in .env is not a 32-character token");
    expect(body.secret_key_sha256 === createHash("sha256").update(key).digest("hex"), "the REST API's key is not the one in .env");
    expect(body.remember_cookie_secure === tls, `DIOPTRA_REMEMBER_COOKIE_SECURE is ${body.remember_cookie_secure ? "set" : "unset"} with TLS ${tls ? "on" : "off"}`);
  });
  await c.check(`${base(webPort)}/api/… reaches the REST API at the same path`, async () => {
    const a = await get(`${base(webPort)}/api/v1/e2e-probe?x=1`, opts);
    const body = json(a);
    expect(a.status === 200 && body.service === "restapi" && body.path === "/api/v1/e2e-probe?x=1", `got ${show(a)}`);
    expect(body.forwarded_proto === scheme, `X-Forwarded-Proto is ${String(body.forwarded_proto)}, not ${scheme}`);
  });
  await c.check(`${base(webPort)}/api-docs/ and /swagger.json reach the REST API`, async () => {
    const docs = json(await get(`${base(webPort)}/api-docs/`, opts));
    expect(docs.service === "restapi" && docs.path === "/", `/api-docs/ → ${JSON.stringify(docs)}`);
    const swagger = json(await get(`${base(webPort)}/swagger.json`, opts));
    expect(swagger.service === "restapi" && swagger.path === "/swagger.json", `/swagger.json → ${JSON.stringify(swagger)}`);
  });
  await c.check(`${base(webPort)}/ serves the frontend volume`, async () => {
    // The frontend build needs the internet (init --offline skips it): a page
    // written into the nginx-frontend volume stands in for its output.
    const marker = `<!doctype html><title>dioptra e2e frontend ${slug}</title>`;
    const w = await d.docker([
      "run", "--rm", "--user", "0", "--entrypoint", "/bin/sh", "-v", `${slug}_nginx-frontend:/frontend`, ctx.helperImage,
      "-c", `printf '%s\\n' "$1" > /frontend/index.html && chmod 0644 /frontend/index.html`, "sh", marker,
    ]);
    expect(w.status === 0, `could not write index.html: ${w.stderr}`);
    const a = await get(`${base(webPort)}/`, opts);
    expect(a.status === 200 && a.body.trim() === marker, `got ${show(a)}`);
  });
  if (tls) {
    const portPart = webPort === 443 ? "" : `:${webPort}`;
    await c.check(`http://${d.address}:80/… redirects to HTTPS on the server name and port ${webPort}`, async () => {
      const a = await get(`http://${d.address}:80/api/v1/x`);
      expect(a.status === 301 && a.headers.location === `https://${SERVER_NAME}${portPart}/api/v1/x`, `got ${a.status} → ${a.headers.location}`);
    });
    await c.check("HTTPS serves the certificate from ssl/nginx/ (fingerprint)", async () => {
      const want = new X509Certificate(d.certificate!.crt).fingerprint256;
      for (const port of [webPort, 35000, 35050, 39000, 39001]) {
        const a = await get(`${base(port)}/`, opts);
        expect(a.certificate?.fingerprint256 === want, `port ${port} served ${a.certificate?.fingerprint256}, want ${want}`);
      }
    });
  }

  if (tls) await checkTlsFloor(c, d.address, webPort);
  if (tls) await c.check(`${base(webPort)}/ sends HSTS (security.hsts)`, async () => {
    const a = await get(`${base(webPort)}/health`, opts);
    expect(a.headers["strict-transport-security"] === "max-age=63072000", `Strict-Transport-Security: ${a.headers["strict-transport-security"]}`);
  });
  else await c.check(`${base(webPort)}/ sends no HSTS over plain HTTP`, async () => {
    const a = await get(`${base(webPort)}/health`, opts);
    expect(a.headers["strict-transport-security"] === undefined, `Strict-Transport-Security: ${a.headers["strict-transport-security"]}`);
  });

  await checkRedisAuth(ctx, c, dotEnv);
  await checkHardening(ctx, c);

  // ── nginx → MLflow, pgAdmin, MinIO
  for (const [port, path, who] of IDENTITIES) await checkIdentity(c, base(port), path, who, opts);

  // ── MinIO: what init's mc commands created
  await c.check("MinIO has the buckets, policies and accounts init created (through nginx :39000)", async () => {
    const state = json(await get(`${base(39000)}/_e2e/state`, opts)) as {
      buckets: string[];
      policies: string[];
      users: Record<string, string[]>;
      log: { args: string[]; status: number }[];
    };
    // The release's buckets (parity with the upstream renders pins them down, test/parity.test.ts).
    const buckets = PROFILES[d.scenario.release].minio.buckets;
    expect(buckets.every((b) => state.buckets.includes(b)), `buckets ${state.buckets}, want ${buckets}`);
    expect(JSON.stringify([...state.policies].sort()) === JSON.stringify(d.minioPolicyNames()), `policies ${state.policies} vs config/minio ${d.minioPolicyNames()}`);
    const accounts = d.readEnvFile(`secrets/${slug}-minio-accounts.env`);
    for (const who of ["MLFLOW_TRACKING", "RESTAPI", "WORKER"]) {
      const user = accounts.get(`MINIO_${who}_USER`)!;
      const want = (accounts.get(`MINIO_${who}_POLICIES`) ?? "").split(",").sort();
      expect(JSON.stringify([...(state.users[user] ?? [])].sort()) === JSON.stringify(want), `${user} has ${state.users[user]}, want ${want}`);
    }
    const commands = state.log.map((l) => l.args.slice(0, 3).join(" "));
    for (const cmd of ["alias set", "mb -p", "admin user add", "admin policy create", "admin policy entities", "admin policy attach"]) {
      expect(commands.some((x) => x.startsWith(cmd)), `mc never ran \`${cmd}\` (log: ${commands.join("; ")})`);
    }
    expect(state.log.every((l) => l.status === 0), `an mc command failed: ${JSON.stringify(state.log.filter((l) => l.status !== 0))}`);
  });

  // ── Postgres through nginx's stream proxy
  const password = dotEnv.get("POSTGRES_USER_DIOPTRA_PASSWORD") ?? "";
  const pgTls = Boolean(d.scenario.postgresTls);
  const sslmode = pgTls ? "require" : "disable";
  await c.check(`psql via ${d.address}:35432 (sslmode=${sslmode}) logs in as dioptra with .env's password and sees restapi`, async () => {
    expect(password.length > 0, ".env has no POSTGRES_USER_DIOPTRA_PASSWORD");
    const r = await psql(ctx, `host=${d.address} port=35432 user=dioptra dbname=restapi sslmode=${sslmode}`, password,
      "SELECT current_user || '|' || current_database() || '|' || (SELECT count(*) FROM dioptra_e2e_restapi) || '|' || " +
        "(SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database WHERE datname IN ('restapi', 'mlflow-tracking')) || '|' || " +
        "(SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid())");
    expect(r.status === 0, `psql failed: ${r.stderr.trim()}`);
    const [user, db, rows, dbs, ssl] = r.stdout.trim().split("|");
    expect(user === "dioptra" && db === "restapi", `logged in as ${user} to ${db}`);
    expect(Number(rows) > 0, "the REST API stand-in's table is empty: it did not use this database");
    expect(dbs === "mlflow-tracking,restapi", `databases ${dbs}`);
    expect(ssl === (pgTls ? "true" : "false"), `connection SSL is ${ssl}, want ${pgTls}`);
  });
  await c.check("psql via :35432 refuses a wrong password and the superuser from the network", async () => {
    const wrong = await psql(ctx, `host=${d.address} port=35432 user=dioptra dbname=restapi sslmode=${sslmode}`, `${password}x`, "SELECT 1");
    expect(wrong.status !== 0 && /password authentication failed/.test(wrong.stderr), `wrong password: exit ${wrong.status} ${wrong.stderr.trim()}`);
    const admin = d.readEnvFile("secrets/postgres-passwd.env").get("POSTGRES_PASSWORD") ?? "";
    const su = await psql(ctx, `host=${d.address} port=35432 user=postgres dbname=postgres sslmode=${sslmode}`, admin, "SELECT 1");
    expect(su.status !== 0 && /no pg_hba\.conf entry/.test(su.stderr), `superuser over TCP: exit ${su.status} ${su.stderr.trim()}`);
  });
  if (pgTls) {
    await c.check("Postgres refuses the application user without SSL (hostssl)", async () => {
      const plain = await psql(ctx, `host=${d.address} port=35432 user=dioptra dbname=restapi sslmode=disable`, password, "SELECT 1");
      expect(plain.status !== 0 && /no pg_hba\.conf entry.*no encryption/s.test(plain.stderr), `sslmode=disable: exit ${plain.status} ${plain.stderr.trim()}`);
    });
  }

  // ── The extra CA certificate init added to each service's trust store
  if (d.scenario.extraCa) await c.check("init added ssl/ca-certificates/ to every service's CA bundle", async () => {
    const body = d.extraCa.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
    expect(body.length > 100, "no extra CA certificate");
    const firstWorker = Object.keys(d.main.services).find((n) => /-(tf|pytorch)(cpu|gpu)-\d+$/.test(n))!;
    const places: [string, string][] = [
      [`${slug}-nginx`, "/etc/ssl/certs/ca-certificates.crt"],
      [`${slug}-restapi`, "/etc/ssl/certs/ca-certificates.crt"],
      [`${slug}-mlflow-tracking`, "/etc/ssl/certs/ca-certificates.crt"],
      [firstWorker, "/etc/ssl/certs/ca-certificates.crt"],
      [`${slug}-dbadmin`, "/etc/ssl/certs/cacert.pem"],
      [`${slug}-minio`, `/root/.minio/certs/CAs/${EXTRA_CA_FILE}`],
    ];
    for (const [service, file] of places) {
      const r = await d.docker(["exec", await d.container(service), "cat", file]);
      expect(r.status === 0, `${service}: cannot read ${file}: ${r.stderr.trim()}`);
      expect(r.stdout.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "").includes(body), `${service}: ${file} lacks the extra CA`);
    }
  });

  // ── Workers
  const workers = Object.keys(d.main.services).filter((n) => /-(tf|pytorch)(cpu|gpu)-\d+$/.test(n));
  await c.check(`every worker (${workers.length}) sees the datasets folder read-only at /dioptra/data`, async () => {
    expect(workers.length > 0, "no workers");
    for (const w of workers) {
      const id = await d.container(w);
      const cat = await d.docker(["exec", id, "cat", `/dioptra/data/${d.datasetMarker.file}`]);
      expect(cat.status === 0 && cat.stdout === d.datasetMarker.content, `${w}: cat → ${cat.status} ${cat.stdout}${cat.stderr}`);
      const touch = await d.docker(["exec", id, "touch", "/dioptra/data/e2e-write-probe"]);
      expect(touch.status !== 0 && /Read-only file system/.test(touch.stderr), `${w}: writing /dioptra/data: exit ${touch.status} ${touch.stderr.trim()}`);
    }
  });
  if (d.scenario.gpus) {
    for (const [role, devices] of Object.entries(d.scenario.gpus)) {
      await c.check(`${role} runs with runtime nvidia and NVIDIA_VISIBLE_DEVICES=${devices}`, async () => {
        const id = await d.container(`${slug}-${role}`);
        const runtime = await d.docker(["inspect", "--format", "{{.HostConfig.Runtime}}", id]);
        expect(runtime.stdout.trim() === "nvidia", `runtime ${runtime.stdout.trim()}`);
        const env = await d.docker(["exec", id, "printenv", "NVIDIA_VISIBLE_DEVICES"]);
        expect(env.status === 0 && env.stdout.trim() === devices, `NVIDIA_VISIBLE_DEVICES=${env.stdout.trim()} ${env.stderr}`);
      });
    }
    const cpu = workers.filter((w) => /cpu-\d+$/.test(w));
    await c.check("CPU workers have no GPU runtime", async () => {
      for (const w of cpu) {
        const runtime = await d.docker(["inspect", "--format", "{{.HostConfig.Runtime}}", await d.container(w)]);
        expect(runtime.stdout.trim() === "runc", `${w}: runtime ${runtime.stdout.trim()}`);
      }
    });
  }
}
