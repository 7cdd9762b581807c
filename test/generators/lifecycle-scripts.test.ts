/**
 * The lifecycle scripts run for real where no Docker is needed:
 * import-resources.sh against a small HTTP server playing the REST API
 * (login failure and success, the form it posts, the password kept out of
 * its command line), and restore.sh's checks of an archive before it
 * touches anything (with a `docker` on PATH that only answers "no such
 * volume"). Docker-bound behaviour is the e2e run's.
 */
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { DeploymentProps } from "../../dsl/props.js";
import { resolveDeployment } from "../../dsl/resolve.js";
import { synth } from "../../generators/index.js";
import { haveTool, listFiles, tempDir } from "../helpers.js";

function folder(props: DeploymentProps): string {
  const dir = tempDir();
  for (const f of synth(resolveDeployment(props).spec!)) {
    mkdirSync(join(dir, f.path, ".."), { recursive: true });
    writeFileSync(join(dir, f.path), f.content, { mode: f.mode });
  }
  return dir;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, input = ""): Promise<{ status: number | null; out: string }> {
  return new Promise((done) => {
    const p = spawn(cmd, args, { env: { ...process.env, ...env } });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (out += d));
    p.on("close", (status) => done({ status, out }));
    p.stdin.end(input);
  });
}

const body = (req: IncomingMessage) => new Promise<string>((done) => { let b = ""; req.on("data", (d) => (b += d)); req.on("end", () => done(b)); });

test("import-resources.sh: only Dioptra 1.1 gets it", () => {
  assert.ok(existsSync(join(folder({}), "import-resources.sh")));
  assert.not.ok(existsSync(join(folder({ dioptra: "1.0" }), "import-resources.sh")));
});

test("import-resources.sh: a failed login stops it with the server's message; a good one posts the import form with the session", async () => {
  const dir = folder({});
  const seen: { path: string; type: string; body: string; cookie: string }[] = [];
  const server = createServer(async (req, res) => {
    const b = await body(req);
    seen.push({ path: req.url ?? "", type: req.headers["content-type"] ?? "", body: b, cookie: req.headers.cookie ?? "" });
    if (req.url === "/api/v1/auth/login") {
      const { password } = JSON.parse(b) as { password: string };
      if (password !== 'p"w\\rd') return res.writeHead(401, { "content-type": "application/json" }).end('{"message":"Login failed: bad password"}');
      return res.writeHead(200, { "set-cookie": "session=abc; Path=/" }).end('{"status":"Login successful"}');
    }
    res.writeHead(req.headers.cookie?.includes("session=abc") ? 200 : 401).end('{"imported":2}');
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const bad = await run("bash", [join(dir, "import-resources.sh"), "--host", host], { DIOPTRA_USERNAME: "alice", DIOPTRA_PASSWORD: "wrong" });
    assert.is(bad.status, 1);
    assert.match(bad.out, /Login failed: bad password/);
    assert.match(bad.out, /Login as alice failed \(HTTP 401\)/);
    assert.is(seen.length, 1, "no import after a failed login");
    seen.length = 0;
    const good = await run("bash", [join(dir, "import-resources.sh"), "--host", host, "-u", "alice", "--git-branch", "dev", "-g", "3", "--overwrite"], { DIOPTRA_PASSWORD: 'p"w\\rd' });
    assert.is(good.status, 0, good.out);
    assert.match(good.out, /\{"imported":2\}/);
    assert.equal(JSON.parse(seen[0]!.body), { username: "alice", password: 'p"w\\rd' });
    assert.is(seen[1]!.path, "/api/v1/workflows/resourceImport");
    assert.match(seen[1]!.type, /application\/x-www-form-urlencoded/);
    assert.equal(Object.fromEntries(new URLSearchParams(seen[1]!.body)), {
      group: "3", sourceType: "git", gitUrl: "https://github.com/usnistgov/dioptra#dev", configPath: "extra/dioptra.toml", resolveNameConflictsStrategy: "overwrite",
    });
    assert.match(seen[1]!.cookie, /session=abc/);
    assert.not.match(good.out, /p"w/, "the password is never printed");
  } finally {
    server.close();
  }
});

/** PATH with a `docker` that knows no volume and does nothing else. */
function fakeDocker(): NodeJS.ProcessEnv {
  const bin = tempDir();
  writeFileSync(join(bin, "docker"), '#!/bin/sh\n[ "$1 $2" = "volume inspect" ] && exit 1\nexit 0\n');
  chmodSync(join(bin, "docker"), 0o755);
  return { PATH: `${bin}:${process.env.PATH}` };
}

/** A fresh folder, a fake docker that knows no volume, and an archive built like backup.sh's. */
function restoreCase(manifest: Record<string, string>, tamper?: (work: string) => void): { dir: string; archive: string; env: NodeJS.ProcessEnv } {
  const dir = folder({});
  const work = tempDir();
  mkdirSync(join(work, "databases"));
  mkdirSync(join(work, "volumes"));
  writeFileSync(join(work, "databases", "restapi.dump"), "dump");
  writeFileSync(join(work, "volumes", "minio-data.tar"), "tar");
  const host = tempDir();
  writeFileSync(join(host, ".env"), "X=1\n");
  spawnSync("tar", ["-C", host, "-cf", join(work, "host.tar"), ".env"]);
  writeFileSync(join(work, "MANIFEST"), Object.entries({ format: "1", slug: "dioptra-deployment", release: "1.1", postgres_major: "17", ...manifest }).map(([k, v]) => `${k}=${v}\n`).join(""));
  spawnSync("sh", ["-c", "find . -type f -print0 | sort -z | xargs -0 sha256sum > ../sums && mv ../sums SHA256SUMS"], { cwd: work });
  tamper?.(work);
  const archive = join(tempDir(), "backup.tar");
  spawnSync("tar", ["-C", work, "-cf", archive, "."]);
  return { dir, archive, env: fakeDocker() };
}

for (const [name, manifest, tamper, message] of [
  ["a damaged member", {}, (w: string) => writeFileSync(join(w, "databases", "restapi.dump"), "DUMP"), /a checksum does not match; the archive is damaged\. Nothing was changed/],
  ["another release", { release: "1.0", postgres_major: "15" }, undefined, /archive is Dioptra 1\.0 with PostgreSQL 15; this folder is generated for Dioptra 1\.1 with PostgreSQL 17\.[^]*dioptra: "1\.0"/],
  ["another PostgreSQL major", { postgres_major: "18" }, undefined, /PostgreSQL 18; .* PostgreSQL 17/],
  ["a member outside the archive's layout", {}, (w: string) => writeFileSync(join(w, "volumes", "..evil.tar"), "x"), /which backup\.sh never writes/],
] as const) {
  test(`restore.sh refuses ${name} before it changes anything`, async () => {
    const { dir, archive, env } = restoreCase(manifest, tamper);
    const before = listFiles(dir);
    const r = await run("bash", [join(dir, "restore.sh"), archive], env);
    assert.is(r.status, 1, r.out);
    assert.match(r.out, message);
    assert.equal(listFiles(dir), before, "the folder is unchanged");
  });
}

test("restore.sh refuses a folder that has been initialised", async () => {
  const { dir, archive, env } = restoreCase({});
  writeFileSync(join(dir, ".env"), "A=b\n");
  const r = await run("bash", [join(dir, "restore.sh"), archive], env);
  assert.is(r.status, 1);
  assert.match(r.out, /\.env exists: this folder has been initialised/);
  assert.is(readFileSync(join(dir, ".env"), "utf8"), "A=b\n");
});

test("every lifecycle script passes shellcheck (style and up) and bash -n, for both releases and with both upgrades declared", () => {
  if (!haveTool("shellcheck")) return;
  for (const props of [{}, { dioptra: "1.0" }, { postgres: { tag: "17" }, upgrade: { postgres: { from: 15 }, dioptra: { from: "1.0" } } }] as DeploymentProps[]) {
    const dir = folder(props);
    const scripts = ["backup.sh", "restore.sh", "import-resources.sh", "pg-upgrade.sh", "dioptra-upgrade.sh"].filter((f) => existsSync(join(dir, f)));
    const r = spawnSync("shellcheck", ["--severity=style", "--format=gcc", ...scripts], { cwd: dir, encoding: "utf8" });
    assert.is(r.status, 0, r.stdout);
    for (const f of scripts) assert.is(spawnSync("bash", ["-n", f], { cwd: dir }).status, 0, f);
  }
});

test("pg-upgrade.sh and dioptra-upgrade.sh come with their declarations, and know both sides", () => {
  const plain = folder({});
  assert.not.ok(existsSync(join(plain, "pg-upgrade.sh")) || existsSync(join(plain, "dioptra-upgrade.sh")));
  const dir = folder({ images: { db: "registry.example.org/pg/postgres:17.6-trixie" }, upgrade: { postgres: { from: 15 }, dioptra: { from: "1.0" } } });
  const pg = readFileSync(join(dir, "pg-upgrade.sh"), "utf8");
  assert.match(pg, /^readonly OLD_MAJOR=15$/m);
  assert.match(pg, /^readonly NEW_MAJOR=17$/m);
  assert.match(pg, /^readonly DEFAULT_OLD_IMAGE=registry\.example\.org\/pg\/postgres:15$/m);
  const up = readFileSync(join(dir, "dioptra-upgrade.sh"), "utf8");
  assert.match(up, /^readonly QUEUE_RENAMES=\(tensorflow_cpu=tensorflow-cpu tensorflow_gpu=tensorflow-gpu pytorch_cpu=pytorch-cpu pytorch_gpu=pytorch-gpu\)$/m);
});

test("pg-upgrade.sh stops when init's record says the data is another major than the declared one", async () => {
  const env = fakeDocker();
  const pgDir = folder({ upgrade: { postgres: { from: 15 } } });
  mkdirSync(join(pgDir, "secrets"));
  writeFileSync(join(pgDir, ".env"), "X=1\n");
  writeFileSync(join(pgDir, "secrets", "postgres-passwd.env"), "POSTGRES_PASSWORD=x\n");
  writeFileSync(join(pgDir, ".dioptra-init-state"), "release=1.1\nslug=dioptra-deployment\npostgres_major=16\n");
  const r = await run("bash", [join(pgDir, "pg-upgrade.sh")], env);
  assert.is(r.status, 1, r.out);
  assert.match(r.out, /says the data is PostgreSQL 16, not 15: set upgrade: \{ postgres: \{ from: 16 \} \}/);
  writeFileSync(join(pgDir, ".dioptra-init-state"), "release=1.1\nslug=dioptra-deployment\npostgres_major=17\n");
  const done = await run("bash", [join(pgDir, "pg-upgrade.sh")], env);
  assert.is(done.status, 0, done.out);
  assert.match(done.out, /PostgreSQL 17 already: nothing to do/);
});

test.run();
