/**
 * The scripts that run inside the init containers, run here against folders
 * standing in for the named volumes (every path and owner is an option, so
 * no root and no Docker are needed): init-named-volumes.sh with its helpers
 * copies what the reference copies with the same modes, and init-minio.sh
 * makes the reference's mc calls, attaching only the policies a user lacks.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { tempDir } from "./helpers.js";
import { filesOf, freshFixtureOut, runScript, stubPath, which } from "./init/support.js";

const VOLUMES = [
  "init-repos",
  "postgres-initdb-d",
  "postgres-etc-postgresql",
  "postgres-var-certs",
  "mc-ca-certificates",
  "minio-certs",
  "minio-data",
  "dbadmin-certs",
  "dbadmin-data",
  "nginx-conf-d",
  "nginx-etc-ssl",
  "redis-data",
] as const;
const OWNERS = ["mc", "minio", "nginx", "dbadmin", "postgres", "redis"] as const;

const me = `${process.getuid!()}:${process.getgid!()}`;
const mode = (p: string) => statSync(p).mode & 0o777;

/** A generated deployment with secrets, an extra CA, server certificates and empty stand-in volumes. */
async function prepared(): Promise<{ out: string; vol: string; args: string[] }> {
  const out = await freshFixtureOut("default");
  assert.is(runScript(out, "init-deployment.sh", ["--secrets-only"], process.env.PATH ?? "").status, 0);
  mkdirSync(join(out, "ssl/ca-certificates"), { recursive: true });
  writeFileSync(join(out, "ssl/ca-certificates/corp-root.crt"), "-----BEGIN CERTIFICATE-----\n");
  for (const d of ["nginx", "db"]) {
    mkdirSync(join(out, "ssl", d), { recursive: true });
    writeFileSync(join(out, "ssl", d, "server.crt"), `${d} cert\n`);
    writeFileSync(join(out, "ssl", d, "server.key"), `${d} key\n`);
  }
  const vol = tempDir("dd-vol-");
  for (const v of VOLUMES) mkdirSync(join(vol, v));
  // The bundle the extra CA certificates step leaves in nginx's /etc/ssl.
  mkdirSync(join(vol, "nginx-etc-ssl/certs"));
  writeFileSync(join(vol, "nginx-etc-ssl/certs/ca-certificates.crt"), "bundle\n");
  const args = [
    ...["scripts", "config", "secrets", "ssl"].flatMap((d) => [`--${d}-dir`, join(out, d)]),
    ...OWNERS.flatMap((o) => [`--chown-${o}`, me]),
    ...VOLUMES.flatMap((v) => [`--${v}-dir`, join(vol, v)]),
    "--skip-clone",
  ];
  return { out, vol, args };
}

const namedVolumes = (out: string, args: string[]) => runScript(out, "scripts/init-named-volumes.sh", args, process.env.PATH ?? "");
const confs = (out: string, re: RegExp) => readdirSync(join(out, "config/nginx")).filter((f) => re.test(f)).sort();

test("init-named-volumes.sh fills the volumes as the reference does (SSL off)", async () => {
  const { out, vol, args } = await prepared();
  writeFileSync(join(vol, "nginx-conf-d/stale.conf"), "from an older init\n");
  const r = namedVolumes(out, args);
  assert.is(r.status, 0, r.stderr);

  assert.equal(readdirSync(join(vol, "nginx-conf-d")).sort(), confs(out, /^(http|stream)_.*\.conf$/));
  for (const f of readdirSync(join(vol, "nginx-conf-d"))) assert.is(mode(join(vol, "nginx-conf-d", f)), 0o644, f);
  assert.is(mode(join(vol, "nginx-conf-d")), 0o755);
  assert.not.ok(existsSync(join(vol, "nginx-etc-ssl/server.key")));

  // The image reads the whole file as the password: it must hold the value alone.
  const password = /^POSTGRES_PASSWORD=(.+)$/m.exec(readFileSync(join(out, "secrets/postgres-passwd.env"), "utf8"))?.[1];
  assert.ok(password && password.length >= 22);
  assert.is(readFileSync(join(vol, "postgres-etc-postgresql/postgres-passwd"), "utf8"), `${password}\n`);
  assert.is(mode(join(vol, "postgres-etc-postgresql/postgres-passwd")), 0o600);
  assert.is(mode(join(vol, "postgres-etc-postgresql")), 0o700);
  assert.is(readFileSync(join(vol, "postgres-initdb-d/init-db.sh"), "utf8"), readFileSync(join(out, "config/db/init-db.sh"), "utf8"));
  assert.is(mode(join(vol, "postgres-initdb-d/init-db.sh")), 0o755);
  assert.equal(readdirSync(join(vol, "postgres-var-certs")), []);

  assert.is(mode(join(vol, "minio-data")), 0o700);
  assert.is(mode(join(vol, "minio-certs")), 0o755);
  assert.is(mode(join(vol, "minio-certs/CAs/corp-root.crt")), 0o644);
  assert.is(mode(join(vol, "mc-ca-certificates/corp-root.crt")), 0o644);
  assert.is(mode(join(vol, "dbadmin-data")), 0o700);
  assert.is(readFileSync(join(vol, "dbadmin-certs/cacert.pem"), "utf8"), "bundle\n");
  assert.is(mode(join(vol, "redis-data")), 0o700);
  assert.equal(readdirSync(join(vol, "init-repos")), []);
  assert.match(r.stdout, "Skipping the clone");
});

test("init-named-volumes.sh with both SSL options copies the https confs and the server certificates", async () => {
  const { out, vol, args } = await prepared();
  const r = namedVolumes(out, [...args, "--enable-nginx-ssl", "--enable-postgres-ssl"]);
  assert.is(r.status, 0, r.stderr);
  assert.equal(readdirSync(join(vol, "nginx-conf-d")).sort(), confs(out, /^(https|stream)_.*\.conf$/));
  assert.is(mode(join(vol, "nginx-etc-ssl/server.crt")), 0o644);
  assert.is(mode(join(vol, "nginx-etc-ssl/server.key")), 0o600);
  assert.is(readFileSync(join(vol, "postgres-var-certs/server.crt"), "utf8"), "db cert\n");
  assert.is(mode(join(vol, "postgres-var-certs/server.key")), 0o600);
});

test("init-named-volumes.sh fails, naming the helper, when a file to copy is missing", async () => {
  const { out, args } = await prepared();
  spawnSync("rm", [join(out, "ssl/db/server.key")]);
  const r = namedVolumes(out, [...args, "--enable-postgres-ssl"]);
  assert.is.not(r.status, 0);
  assert.match(r.stderr, "file-copy.sh");
  assert.match(namedVolumes(out, ["--no-such-option", "x"]).stderr, "unknown option --no-such-option");
});

// --- init-minio.sh ---------------------------------------------------------------------

/** What `mc admin policy entities` prints: one policy already mapped to two users, one only to a group. */
const ENTITIES = `Query time: 2024-01-01T00:00:00Z
Policy -> Entity Mappings:
  Policy: builtin-plugins-readonly
    Group Mappings:
      dioptra-worker
  Policy: builtin-plugins-readwrite
    User Mappings:
      dioptra-restapi
  Policy: mlflow-tracking-readwrite
    User Mappings:
      dioptra-mlflow-tracking
      dioptra-worker
`;

test("init-minio.sh creates buckets, accounts and policies, and attaches only the missing policies", async () => {
  const out = await freshFixtureOut("default");
  assert.is(runScript(out, "init-deployment.sh", ["--secrets-only"], process.env.PATH ?? "").status, 0);
  const log = join(tempDir(), "mc-calls");
  const entities = join(tempDir(), "entities");
  writeFileSync(entities, ENTITIES);
  const mc = stubPath({
    mc: `printf '%s\\n' "$*" >>${JSON.stringify(log)}\nif [[ "$1 $2 $3" == "admin policy entities" ]]; then cat ${JSON.stringify(entities)}; fi`,
  });
  const accounts = join(out, "secrets/dioptra-deployment-minio-accounts.env");
  const r = runScript(out, "scripts/init-minio.sh", ["--accounts-file", accounts, "--policy-dir", join(out, "config/minio")], `${mc}:${process.env.PATH}`);
  assert.is(r.status, 0, r.stderr);

  const pw = (key: string) => readFileSync(accounts, "utf8").match(new RegExp(`^${key}=(.*)$`, "m"))![1]!;
  const policies = readdirSync(join(out, "config/minio"))
    .filter((f) => f.endsWith("-policy.json"))
    .sort();
  assert.is(policies.length, 9);
  const calls = readFileSync(log, "utf8").trimEnd().split("\n");
  assert.equal(calls, [
    `alias set minio http://dioptra-deployment-minio:9000 dioptra-admin ${pw("MINIO_ROOT_PASSWORD")}`,
    "mb -p minio/plugins minio/workflow minio/mlflow-tracking",
    `admin user add minio dioptra-mlflow-tracking ${pw("MINIO_MLFLOW_TRACKING_PASSWORD")}`,
    `admin user add minio dioptra-restapi ${pw("MINIO_RESTAPI_PASSWORD")}`,
    `admin user add minio dioptra-worker ${pw("MINIO_WORKER_PASSWORD")}`,
    ...policies.map((f) => `admin policy create minio ${f.replace(/-policy\.json$/, "")} ${join(out, "config/minio", f)}`),
    "admin policy entities minio",
    "admin policy attach minio custom-plugins-readwrite workflow-uploadonly --user=dioptra-restapi",
    "admin policy attach minio builtin-plugins-readonly custom-plugins-readonly workflow-downloadonly --user=dioptra-worker",
  ]);
  assert.match(r.stdout, "dioptra-mlflow-tracking already has its policies");
});

test("init-minio.sh stops when the accounts file lacks a value", async () => {
  const out = tempDir();
  writeFileSync(join(out, "accounts.env"), "MINIO_ROOT_USER=dioptra-admin\n");
  const script = (await filesOf("default")).find((f) => f.path === "scripts/init-minio.sh")!;
  mkdirSync(join(out, "scripts"));
  writeFileSync(join(out, "scripts/init-minio.sh"), script.content);
  const r = spawnSync(which("bash"), [join(out, "scripts/init-minio.sh"), "--accounts-file", join(out, "accounts.env")], { encoding: "utf8" });
  assert.is.not(r.status, 0);
  assert.match(r.stderr, "has no value for MINIO_ROOT_PASSWORD");
});

test.run();
