/**
 * The scripts of the e2e stand-in images (test/e2e/images), checked without
 * Docker: shellcheck, the port waiter against real local ports, the nginx
 * and worker healthchecks against real servers and processes, and the
 * nginx.conf move that the nginx -t harness makes.
 */
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { deployment } from "../dsl/deployment.js";
import { synth } from "../generators/index.js";
import { ROOT, haveTool, tempDir } from "./helpers.js";
import { STANDIN_NGINX_CONF, prefixedNginxConf } from "./nginx/harness.js";
import { pgTools } from "./postgres/cluster.js";

const IMAGES = join(ROOT, "test", "e2e", "images");
const WAITER = join(IMAGES, "common", "wait-for-port.sh");

/** Every shell script of the images, relative to IMAGES. */
const scripts = () =>
  readdirSync(IMAGES, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".sh"))
    .sort();

/** Runs a command to its end; resolves with its exit status, output and duration. */
function run(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<{ status: number | null; output: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, output, ms: Date.now() - started }));
  });
}

/** A TCP port nothing listens on (the OS picks a free one, then it is released). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Starts accepting TCP connections on `port` after `delayMs`. */
function listenLater(port: number, delayMs: number): { stop: () => Promise<void> } {
  let server: Server | undefined;
  const timer = setTimeout(() => {
    server = createServer((c) => c.end());
    server.listen(port, "127.0.0.1");
  }, delayMs);
  return {
    stop: async () => {
      clearTimeout(timer);
      if (server) await new Promise((r) => server!.close(r));
    },
  };
}

test("every stand-in script passes shellcheck, and shellcheck rejects a broken one", () => {
  if (!haveTool("shellcheck")) return;
  const all = scripts();
  assert.ok(all.includes("common/wait-for-port.sh") && all.includes("nginx/healthcheck.sh") && all.includes("engine-host/start.sh"), all.join(", "));
  const r = spawnSync("shellcheck", ["-x", ...all], { cwd: IMAGES, encoding: "utf8" });
  assert.is(r.status, 0, r.stdout);
  const dir = tempDir();
  writeFileSync(join(dir, "broken.sh"), `${readFileSync(WAITER, "utf8")}\nrm -rf $target/\n`);
  assert.is.not(spawnSync("shellcheck", [join(dir, "broken.sh")]).status, 0);
});

test("no stand-in script is a copy of upstream's: none carries a licence header or wait-for-it's variables", () => {
  for (const f of scripts()) {
    const text = readFileSync(join(IMAGES, f), "utf8");
    assert.not.match(text, /National Institute of Standards|Creative Commons|Licensed under|WAITFORIT_|argbash/i, f);
  }
});

test("the waiter waits for a port that opens later, then exits 0", async () => {
  const port = await freePort();
  const server = listenLater(port, 1500);
  try {
    const r = await run("bash", [WAITER, `127.0.0.1:${port}`, "-t", "0"]);
    assert.is(r.status, 0, r.output);
    assert.ok(r.ms >= 1400, `returned after ${r.ms} ms, before the port opened`);
    assert.match(r.output, new RegExp(`127\\.0\\.0\\.1:${port} answered`));
  } finally {
    await server.stop();
  }
});

test("the waiter takes its targets in turn, and gives up after -t seconds on one that never opens", async () => {
  const [open, closed] = [await freePort(), await freePort()];
  const server = listenLater(open, 0);
  try {
    const r = await run("bash", [WAITER, `127.0.0.1:${open}`, `127.0.0.1:${closed}`, "-t", "2"]);
    assert.is(r.status, 1, r.output);
    assert.ok(r.ms >= 1900 && r.ms < 8000, `gave up after ${r.ms} ms`);
    const lines = r.output.trim().split("\n");
    assert.match(lines[1]!, `127.0.0.1:${open} answered`, "the first target first");
    assert.match(lines.at(-1)!, `127.0.0.1:${closed} did not answer within 2s`);
  } finally {
    await server.stop();
  }
});

test("the waiter rejects bad arguments with status 2", async () => {
  for (const args of [[], ["db"], ["db:x"], ["db:5432", "-t"], ["db:5432", "-t", "soon"], ["db:5432", "--quiet"]]) {
    const r = await run("bash", [WAITER, ...args]);
    assert.is(r.status, 2, `${args.join(" ")}: ${r.output}`);
  }
});

test("nginx healthcheck.sh: healthy on 200, 301, 401 and 403 only, and when every URL is", async () => {
  if (!haveTool("curl")) return;
  const server = createHttpServer((req, res) => {
    res.statusCode = Number(req.url!.slice(1));
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const check = (...codes: number[]) => run("bash", [join(IMAGES, "nginx", "healthcheck.sh"), ...codes.map((c) => `${base}/${c}`)]);
  try {
    assert.is((await check(200, 301, 401, 403)).status, 0);
    for (const bad of [404, 500, 502]) assert.is((await check(200, bad)).status, 1, `${bad} is unhealthy`);
    assert.is((await run("bash", [join(IMAGES, "nginx", "healthcheck.sh"), `http://127.0.0.1:${await freePort()}/`])).status, 1, "no answer");
    assert.is((await run("bash", [join(IMAGES, "nginx", "healthcheck.sh")])).status, 1, "no URL");
  } finally {
    await new Promise((r) => server.close(r));
  }
});

test("worker healthcheck.sh: healthy with exactly one `python -m dioptra.rq.cli.rq worker` process", async () => {
  if (!haveTool("python3") || !haveTool("ps", ["--version"])) return;
  // A `python` that runs a module of that name, as the stand-in image sets it up.
  const dir = tempDir();
  mkdirSync(join(dir, "bin"));
  mkdirSync(join(dir, "lib", "dioptra", "rq", "cli"), { recursive: true });
  // The interpreter itself: a pyenv-style shim would exec it by its full path, hiding `python`.
  const python3 = spawnSync("python3", ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" }).stdout.trim();
  symlinkSync(python3, join(dir, "bin", "python"));
  writeFileSync(join(dir, "lib", "dioptra", "rq", "cli", "rq.py"), "import time\ntime.sleep(60)\n");
  const env = { ...process.env, PATH: `${join(dir, "bin")}:${process.env.PATH}`, PYTHONPATH: join(dir, "lib") };
  const worker = () => spawn("python", ["-m", "dioptra.rq.cli.rq", "worker", "--url", "redis://x", "q"], { env, stdio: "ignore" });
  const healthcheck = () => run("bash", [join(IMAGES, "worker", "healthcheck.sh")]);
  const settle = () => new Promise((r) => setTimeout(r, 500));
  const workers = [];
  try {
    assert.is((await healthcheck()).status, 1, "no worker");
    workers.push(worker());
    await settle();
    assert.is((await healthcheck()).status, 0, "one worker");
    workers.push(worker());
    await settle();
    assert.is((await healthcheck()).status, 1, "two workers");
  } finally {
    for (const w of workers) w.kill();
  }
});

test("the nginx -t harness moves the stand-in's nginx.conf into its prefix, and notices when it cannot", () => {
  const moved = prefixedNginxConf();
  assert.match(moved, /^pid nginx\.pid;$/m);
  assert.match(moved, /^\s*include conf\.d\/stream_\*\.conf;$/m);
  assert.match(moved, /client_body_temp_path temp\/body;/);
  assert.not.match(moved.replace(/#.*/g, ""), /\/etc\/nginx|\/tmp\//);
  const original = readFileSync(STANDIN_NGINX_CONF, "utf8");
  assert.throws(() => prefixedNginxConf(original.replace("pid /tmp/nginx.pid;", "")), /pid file/);
  assert.throws(() => prefixedNginxConf(original.replaceAll("/etc/nginx/conf.d/", "/srv/")), /conf\.d includes/);
});

test("the stand-in's nginx.conf has the image's settings", () => {
  const conf = readFileSync(STANDIN_NGINX_CONF, "utf8");
  const directives = conf.split("\n").map((l) => l.replace(/#.*/, "").trim()).filter(Boolean);
  for (const d of [
    "load_module /usr/lib/nginx/modules/ngx_stream_module.so;",
    "worker_processes auto;",
    "worker_rlimit_nofile 8192;",
    "error_log /dev/stdout warn;",
    "pid /tmp/nginx.pid;",
    "daemon off;",
    "worker_connections 1024;",
  ]) assert.ok(directives.includes(d), d);
  const includes = directives.filter((d) => d.startsWith("include "));
  assert.equal(includes, ["include /etc/nginx/conf.d/http_*.conf;", "include /etc/nginx/conf.d/https_*.conf;", "include /etc/nginx/conf.d/stream_*.conf;"]);
  assert.not.ok(directives.some((d) => d.startsWith("user ")), "the image runs nginx as uid 39000, without a user directive");
});

/**
 * The postgres stand-in's entrypoint, run on this machine's PostgreSQL: a copy
 * with its two fixed folders (init scripts, socket) moved into a temp folder,
 * so no system folder is touched. As root it switches to the postgres user,
 * as in the image.
 */
test("postgres entrypoint: a first start runs initdb and the generated init-db.sh, the next start keeps the cluster", async () => {
  const bin = pgTools();
  if (!bin || !haveTool("psql")) return;
  const dir = tempDir();
  chmodSync(dir, 0o755); // the postgres user must reach the folders below
  const [initdbDir, socketDir] = [join(dir, "initdb"), join(dir, "run")];
  mkdirSync(initdbDir, { mode: 0o755 });
  const script = readFileSync(join(IMAGES, "postgres", "docker-entrypoint.sh"), "utf8")
    .replace("readonly INITDB_DIR=/docker-entrypoint-initdb.d", `readonly INITDB_DIR=${initdbDir}`)
    .replace("readonly SOCKET_DIR=/var/run/postgresql", `readonly SOCKET_DIR=${socketDir}`);
  assert.ok(script.includes(initdbDir) && script.includes(socketDir), "the entrypoint still names both folders");
  writeFileSync(join(dir, "entrypoint.sh"), script, { mode: 0o755 });
  const initDb = synth(deployment({}).toSpec()).find((f) => f.path === "config/db/init-db.sh")!;
  writeFileSync(join(initdbDir, "init-db.sh"), initDb.content, { mode: 0o755 });
  writeFileSync(join(initdbDir, "zz-marker.sql"), "CREATE TABLE marker (x int);\n", { mode: 0o644 });
  writeFileSync(join(dir, "postgres-passwd"), "superuser-pw\n", { mode: 0o644 });
  const port = await freePort();
  const env = {
    ...process.env,
    PATH: `${bin}:${process.env.PATH}`,
    PGDATA: join(dir, "data"),
    PGPORT: String(port),
    POSTGRES_PASSWORD_FILE: join(dir, "postgres-passwd"),
    POSTGRES_HOST_AUTH_METHOD: "scram-sha-256",
    POSTGRES_USER_DIOPTRA_PASSWORD: "dioptra's-pw",
  };
  const server = ["postgres", "-c", "listen_addresses=127.0.0.1", "-c", `unix_socket_directories=${socketDir}`];
  const psql = (user: string, password: string, db: string, sql: string) =>
    spawnSync("psql", ["-h", "127.0.0.1", "-p", String(port), "-U", user, "-d", db, "-Atc", sql], { encoding: "utf8", env: { ...process.env, PGPASSWORD: password } });
  /** Starts the entrypoint, waits until the server answers, runs `check`, stops it; returns the log. */
  async function boot(check: () => void): Promise<string> {
    const child = spawn(join(dir, "entrypoint.sh"), server, { env });
    let log = "";
    child.stdout.on("data", (d) => (log += d));
    child.stderr.on("data", (d) => (log += d));
    const exited = new Promise((r) => child.on("close", r));
    try {
      for (let i = 0; i < 120 && psql("postgres", "superuser-pw", "postgres", "SELECT 1").status !== 0; i++) {
        if (child.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      assert.is(psql("postgres", "superuser-pw", "postgres", "SELECT 1").status, 0, log);
      check();
    } finally {
      child.kill("SIGINT"); // postgres' fast shutdown
      await exited;
    }
    return log;
  }
  const first = await boot(() => {
    assert.is(psql("postgres", "superuser-pw", "postgres", "SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database").stdout.trim(), "mlflow-tracking,postgres,restapi,template0,template1");
    assert.is(psql("dioptra", "dioptra's-pw", "restapi", "SELECT current_user").stdout.trim(), "dioptra");
    assert.is(psql("postgres", "superuser-pw", "postgres", "SELECT count(*) FROM marker").stdout.trim(), "0");
  });
  assert.match(first, `running ${join(initdbDir, "init-db.sh")}`);
  const second = await boot(() => assert.is(psql("postgres", "superuser-pw", "postgres", "SELECT count(*) FROM marker").stdout.trim(), "0"));
  assert.match(second, "holds a cluster already");
  assert.not.match(second, "running ");

  // What the image refuses: a password given twice, and none at all on a first start.
  const refused = (extra: NodeJS.ProcessEnv) => spawnSync(join(dir, "entrypoint.sh"), server, { env: { ...env, PGDATA: join(dir, "fresh"), ...extra }, encoding: "utf8" });
  const twice = refused({ POSTGRES_PASSWORD: "x" });
  assert.is(twice.status, 1);
  assert.match(twice.stderr, "set POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE, not both");
  const none = refused({ POSTGRES_PASSWORD_FILE: "" });
  assert.is(none.status, 1);
  assert.match(none.stderr, "no superuser password");
});

test.run();
