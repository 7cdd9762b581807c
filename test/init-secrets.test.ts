/**
 * The secrets step (`init-deployment.sh --secrets-only`), run on the host
 * with a PATH of only bash and a few coreutils: the files and variables
 * listed below (the variables the template's Compose files interpolate,
 * checked against the renders in ../shared), CSPRNG values of at least 128
 * bits, mode 0600, nothing rewritten on a second run, and
 * COMPOSE_PROJECT_NAME added to an old .env.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { PROFILES, type DioptraRelease } from "../profiles/index.js";
import { deployment } from "../dsl/deployment.js";
import { secret } from "../dsl/env.js";
import { INIT_ENV_NAMES } from "../model/dot-env.js";
import { secretFiles } from "../generators/init/secrets.js";
import { fixtureNames, sharedRender } from "./helpers.js";
import { freshFixtureOut, propsOut, restrictedPath, runScript } from "./init/support.js";

/** Everything the secrets step runs besides bash builtins. */
const HOST_TOOLS = ["base64", "dirname", "head", "mkdir", "tail", "tr"];

/**
 * What the secrets step writes for a deployment with slug `slug` of
 * `release` (and the default Postgres superuser), line by line: `{name}` is
 * a value drawn on the host, the same in every file that names it.
 */
function expectedFiles(slug: string, release: DioptraRelease, extraEnv: readonly string[] = []): [file: string, lines: string[]][] {
  const policies = (account: string) => PROFILES[release].minio.accounts.find((a) => a.variable === account)!.policies.join(",");
  return [
    [
      ".env",
      [
        `DIOPTRA_RESTAPI_DATABASE_URI=postgresql://dioptra:{postgres_user_dioptra_password}@${slug}-db/restapi`,
        `DIOPTRA_MLFLOW_TRACKING_DATABASE_URI=postgresql://dioptra:{postgres_user_dioptra_password}@${slug}-db/mlflow-tracking`,
        "DIOPTRA_WORKER_USERNAME=dioptra-worker",
        "DIOPTRA_WORKER_PASSWORD={dioptra_worker_password}",
        "MINIO_ROOT_USER=dioptra-admin",
        "MINIO_ROOT_PASSWORD={minio_root_password}",
        `MINIO_KMS_SECRET_KEY=${slug}-minio-key:{minio_kms_secret_key}`,
        "MLFLOW_TRACKING_AWS_ACCESS_KEY_ID=dioptra-mlflow-tracking",
        "MLFLOW_TRACKING_AWS_SECRET_ACCESS_KEY={minio_mlflow_tracking_password}",
        "PGADMIN_DEFAULT_PASSWORD={pgadmin_default_password}",
        "POSTGRES_USER_DIOPTRA_PASSWORD={postgres_user_dioptra_password}",
        // Not in the template: Redis requires a password (README, security defaults).
        "REDIS_PASSWORD={redis_password}",
        "RESTAPI_AWS_ACCESS_KEY_ID=dioptra-restapi",
        "RESTAPI_AWS_SECRET_ACCESS_KEY={minio_restapi_password}",
        `RQ_REDIS_URI=redis://:{redis_password}@${slug}-redis:6379/0`,
        "WORKER_AWS_ACCESS_KEY_ID=dioptra-worker",
        "WORKER_AWS_SECRET_ACCESS_KEY={minio_worker_password}",
        `COMPOSE_PROJECT_NAME=${slug}`,
        ...extraEnv,
      ],
    ],
    ["secrets/postgres-passwd.env", ["POSTGRES_PASSWORD={postgres_admin_password}", "POSTGRES_USER=postgres", "POSTGRES_DB=postgres"]],
    [
      `secrets/${slug}-minio-accounts.env`,
      [
        "MINIO_ROOT_USER=dioptra-admin",
        "MINIO_ROOT_PASSWORD={minio_root_password}",
        "MINIO_MLFLOW_TRACKING_USER=dioptra-mlflow-tracking",
        "MINIO_MLFLOW_TRACKING_PASSWORD={minio_mlflow_tracking_password}",
        `MINIO_MLFLOW_TRACKING_POLICIES=${policies("MINIO_MLFLOW_TRACKING")}`,
        "MINIO_RESTAPI_USER=dioptra-restapi",
        "MINIO_RESTAPI_PASSWORD={minio_restapi_password}",
        `MINIO_RESTAPI_POLICIES=${policies("MINIO_RESTAPI")}`,
        "MINIO_WORKER_USER=dioptra-worker",
        "MINIO_WORKER_PASSWORD={minio_worker_password}",
        `MINIO_WORKER_POLICIES=${policies("MINIO_WORKER")}`,
      ],
    ],
  ];
}

interface ExpectedLine {
  readonly key: string;
  readonly pattern: RegExp;
  /** Drawn values, in the order of the pattern's groups. */
  readonly vars: readonly string[];
}

/** An expected line as a pattern whose groups capture its `{name}`s. */
function expectedLine(line: string): ExpectedLine {
  const vars: string[] = [];
  const source = line
    .split(/(\{\w+\})/)
    .map((part) => {
      const v = /^\{(\w+)\}$/.exec(part);
      if (!v) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      vars.push(v[1]!);
      return "(.+?)";
    })
    .join("");
  return { key: line.slice(0, line.indexOf("=")), pattern: new RegExp(`^${source}$`), vars };
}

/** Bits of randomness in a value: base64url tokens carry 6 bits a character, the KMS key is standard base64 of raw bytes. */
function bitsOf(variable: string, value: string): number {
  if (variable === "minio_kms_secret_key") {
    assert.match(value, /^[A-Za-z0-9+/]+={0,2}$/, `${variable} is not standard base64`);
    return Buffer.from(value, "base64").length * 8;
  }
  // Unreserved URI characters only, so the value is safe in a postgres URI and an env file.
  assert.match(value, /^[A-Za-z0-9_-]+$/, `${variable} has characters outside base64url`);
  return value.length * 6;
}

function secretsOnly(out: string) {
  return runScript(out, "init-deployment.sh", ["--secrets-only"], restrictedPath(HOST_TOOLS));
}

/** Content and mode of every file init may create. */
function snapshot(out: string): Record<string, string> {
  const paths = [".env", ...readdirSync(join(out, "secrets")).map((f) => `secrets/${f}`), "systemd/dioptra.service"];
  return Object.fromEntries(paths.map((p) => [p, `${(statSync(join(out, p)).mode & 0o777).toString(8)} ${readFileSync(join(out, p), "utf8")}`]));
}

const envLines = (path: string) => readFileSync(path, "utf8").split("\n").filter((l) => l !== "" && !l.startsWith("#"));

/**
 * Runs the secrets step on a generated deployment and checks every file
 * against {@link expectedFiles}: its lines, mode 0600, values of at least
 * 128 bits, one value per name across files, nine distinct values.
 */
function checkSecrets(out: string, slug: string, release: DioptraRelease, extraEnv: readonly string[] = []): void {
  const first = secretsOnly(out);
  assert.is(first.status, 0, first.stderr);

  const values = new Map<string, string>();
  for (const [output, lines] of expectedFiles(slug, release, extraEnv)) {
    const path = join(out, output);
    assert.is(statSync(path).mode & 0o777, 0o600, `${output} mode`);
    const got = envLines(path);
    const expected = lines.map(expectedLine);
    assert.equal(got.map((l) => l.slice(0, l.indexOf("="))), expected.map((e) => e.key), `${output} variables`);
    expected.forEach((e, i) => {
      const line = got[i]!;
      const m = e.pattern.exec(line);
      assert.ok(m, `${output}: ${line.replace(/=.*/, "=…")} does not match ${lines[i]}`);
      e.vars.forEach((v, j) => {
        const value = m![j + 1]!;
        assert.ok(value.length > 0, `${v} is empty`);
        assert.ok(bitsOf(v, value) >= 128, `${v} has fewer than 128 bits`);
        // The same name has the same value in every file.
        if (values.has(v)) assert.is(value, values.get(v), `${v} differs between files`);
        values.set(v, value);
      });
    });
  }
  assert.equal(readdirSync(join(out, "secrets")).sort(), expectedFiles(slug, release).map(([f]) => f).filter((f) => f.startsWith("secrets/")).map((f) => f.slice("secrets/".length)).sort());
  assert.is(values.size, 10 + extraEnv.length, "ten random values, and one per secret(...) of the config");
  assert.is(new Set(values.values()).size, values.size, "two secrets have the same value");
  assert.is(statSync(join(out, "secrets")).mode & 0o777, 0o700);

  const before = snapshot(out);
  const second = secretsOnly(out);
  assert.is(second.status, 0, second.stderr);
  assert.equal(snapshot(out), before);
  assert.match(second.stdout, ".env exists: keeping it");
}

/** A fixture's slug, from the COMPOSE_PROJECT_NAME its docker-compose.yml networks are named after. */
const slugOf = (out: string) => /^\s+name: "?([a-z0-9-]+)_dioptra"?$/m.exec(readFileSync(join(out, "docker-compose.yml"), "utf8"))![1]!;

for (const fixture of fixtureNames()) {
  test(`${fixture}: --secrets-only writes the listed variables with random values, mode 0600, and a second run changes nothing`, async () => {
    const out = await freshFixtureOut(fixture);
    checkSecrets(out, slugOf(out), "1.0");
  });
}

test("Dioptra 1.1: --secrets-only writes the listed variables, with 1.1's MinIO policies", () => {
  const out = propsOut({ dioptra: "1.1", name: "Lab 11" });
  checkSecrets(out, "lab-11", "1.1");
  assert.match(readFileSync(join(out, "secrets", "lab-11-minio-accounts.env"), "utf8"), /^MINIO_WORKER_POLICIES=mlflow-tracking-readwrite$/m);
});

test("the listed .env variables are exactly those the template's Compose files interpolate (1.0 and 1.1 renders), plus the project name and Redis's password", () => {
  for (const release of ["1.0", "1.1"] as const) {
    const render = sharedRender(`dioptra-${release}`, "default");
    if (render === undefined) continue;
    const interpolated = new Set(
      ["docker-compose.yml", "docker-compose.init.yml"].flatMap((f) => [...readFileSync(join(render, f), "utf8").matchAll(/\$\{([A-Z_][A-Z0-9_]*)\}/g)].map((m) => m[1]!)),
    );
    const keys = expectedFiles("dioptra-deployment", release)[0]![1].map((l) => l.slice(0, l.indexOf("=")));
    // Ours: the project name, and Redis's password with the URI that carries it.
    const ours = ["COMPOSE_PROJECT_NAME", "REDIS_PASSWORD", "RQ_REDIS_URI"];
    assert.equal([...interpolated].sort(), keys.filter((k) => !ours.includes(k)).sort(), release);
  }
});

test("INIT_ENV_NAMES, which fromEnv is checked against, are the .env variables init writes", () => {
  const spec = deployment({}).toSpec();
  assert.equal(secretFiles(spec).find((f) => f.path === ".env")!.lines.map(([k]) => k), [...INIT_ENV_NAMES]);
});

test("secret(...) in a custom container: init draws it into .env (CSPRNG, mode 0600, never printed), once, and fills it into an older .env", () => {
  const props = { name: "Lab 11", customContainers: { jupyter: { image: "quay.io/jupyter/base-notebook:2025-01-06", environment: { JUPYTER_TOKEN: secret("JUPYTER_TOKEN"), B: secret("B_TOKEN") } } } };
  const out = propsOut(props);
  checkSecrets(out, "lab-11", "1.1", ["B_TOKEN={custom_b_token}", "JUPYTER_TOKEN={custom_jupyter_token}"]);
  const token = /^JUPYTER_TOKEN=(.*)$/m.exec(readFileSync(join(out, ".env"), "utf8"))![1]!;
  // An .env from before the secret was declared gets only the missing line.
  const old = readFileSync(join(out, ".env"), "utf8").replace(/^JUPYTER_TOKEN=.*\n/m, "");
  writeFileSync(join(out, ".env"), old, { mode: 0o600 });
  const r = secretsOnly(out);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, "adding JUPYTER_TOKEN");
  const fresh = /^JUPYTER_TOKEN=(.*)$/m.exec(readFileSync(join(out, ".env"), "utf8"))![1]!;
  assert.match(fresh, /^[A-Za-z0-9_-]{32}$/);
  assert.is.not(fresh, token);
  assert.not.match(`${r.stdout}${r.stderr}`, fresh);
});

test("the secrets check can fail: an unlisted variable, a short value or a wrong file mode is caught", async () => {
  const broken: [what: string, edit: (out: string, slug: string) => void, message: RegExp][] = [
    // (A variable left out is filled in again by init, which the test above shows; one too many is not.)
    ["variable not in the list", (out, slug) => writeFileSync(join(out, "secrets", `${slug}-minio-accounts.env`), `${readFileSync(join(out, "secrets", `${slug}-minio-accounts.env`), "utf8")}MINIO_UNLISTED=1\n`, { mode: 0o600 }), /variables/],
    ["short value", (out) => writeFileSync(join(out, "secrets", "postgres-passwd.env"), "POSTGRES_PASSWORD=short\nPOSTGRES_USER=postgres\nPOSTGRES_DB=postgres\n", { mode: 0o600 }), /fewer than 128 bits/],
    ["readable by others", (out) => writeFileSync(join(out, "secrets", "postgres-passwd.env"), "x", { mode: 0o644 }), /mode/],
  ];
  for (const [what, edit, message] of broken) {
    const out = await freshFixtureOut("default");
    // Files that exist are kept by init, so a broken one survives the run.
    assert.is(secretsOnly(out).status, 0);
    rmSync(join(out, "secrets", "postgres-passwd.env"));
    edit(out, "dioptra-deployment");
    let error: unknown;
    try {
      checkSecrets(out, "dioptra-deployment", "1.0");
    } catch (e) {
      error = e;
    }
    assert.match(String(error), message, what);
  }
});

test("an existing .env keeps every line and gets only the lines it lacks, the secrets among them, no value printed", async () => {
  const out = await freshFixtureOut("name-and-systemd");
  for (const trailingNewline of [true, false]) {
    rmSync(join(out, ".env"), { force: true });
    rmSync(join(out, "secrets"), { recursive: true, force: true });
    const old = "# an older deployment's .env\nMINIO_ROOT_USER=dioptra-admin\nMINIO_ROOT_PASSWORD=kept-as-it-was" + (trailingNewline ? "\n" : "");
    writeFileSync(join(out, ".env"), old, { mode: 0o600 });
    const r = secretsOnly(out);
    assert.is(r.status, 0, r.stderr);
    const text = readFileSync(join(out, ".env"), "utf8");
    assert.ok(text.startsWith(`${old}${trailingNewline ? "" : "\n"}`), "the old lines changed");
    const lines = envLines(join(out, ".env"));
    const keys = lines.map((l) => l.slice(0, l.indexOf("=")));
    assert.is(new Set(keys).size, keys.length, "a key was added twice");
    for (const key of ["MINIO_ROOT_PASSWORD", "POSTGRES_USER_DIOPTRA_PASSWORD", "PGADMIN_DEFAULT_PASSWORD", "MINIO_KMS_SECRET_KEY", "COMPOSE_PROJECT_NAME"]) {
      const line = lines.find((l) => l.startsWith(`${key}=`));
      assert.ok(line && line.length > key.length + 1, `${key} missing or blank`);
    }
    assert.ok(lines.includes("COMPOSE_PROJECT_NAME=mylab-dioptratest"));
    // The value kept in .env is the one the other files get.
    assert.match(readFileSync(join(out, "secrets/mylab-dioptratest-minio-accounts.env"), "utf8"), /^MINIO_ROOT_PASSWORD=kept-as-it-was$/m);
    for (const l of lines.filter((x) => /PASSWORD|SECRET/.test(x))) assert.not.ok(`${r.stdout}${r.stderr}`.includes(l.slice(l.indexOf("=") + 1)), "a value was printed");
  }
});

test("a .env with only COMPOSE_PROJECT_NAME gets every secret (Compose would otherwise run with blank passwords)", async () => {
  const out = await freshFixtureOut("default");
  writeFileSync(join(out, ".env"), "COMPOSE_PROJECT_NAME=dioptra-deployment\n", { mode: 0o600 });
  const r = secretsOnly(out);
  assert.is(r.status, 0, r.stderr);
  const lines = envLines(join(out, ".env"));
  assert.is(lines[0], "COMPOSE_PROJECT_NAME=dioptra-deployment");
  // The reference's 15 variables, COMPOSE_PROJECT_NAME, and Redis's REDIS_PASSWORD and RQ_REDIS_URI.
  assert.is(lines.length, 18);
  for (const l of lines) assert.ok(l.length > l.indexOf("=") + 1, `${l} is blank`);
  assert.match(r.stdout, "adding DIOPTRA_RESTAPI_DATABASE_URI");
});

test("a secret set to an empty value in an existing file stops init, before anything is written, naming file and key", async () => {
  const out = await freshFixtureOut("default");
  for (const blank of ["MINIO_ROOT_PASSWORD=", 'PGADMIN_DEFAULT_PASSWORD=""', "DIOPTRA_RESTAPI_DATABASE_URI=postgresql://dioptra:@dioptra-deployment-db/restapi"]) {
    rmSync(join(out, "secrets"), { recursive: true, force: true });
    writeFileSync(join(out, ".env"), `COMPOSE_PROJECT_NAME=dioptra-deployment\n${blank}\n`, { mode: 0o600 });
    const r = secretsOnly(out);
    assert.is.not(r.status, 0, blank);
    assert.match(r.stderr, `.env: ${blank.slice(0, blank.indexOf("="))}`);
    assert.is(readFileSync(join(out, ".env"), "utf8"), `COMPOSE_PROJECT_NAME=dioptra-deployment\n${blank}\n`, "the file changed");
    assert.not.ok(existsSync(join(out, "secrets/postgres-passwd.env")), "a secret file was written");
  }
});

test("files created next to an existing .env reuse its values, so the set stays consistent", async () => {
  const out = await freshFixtureOut("default");
  assert.is(secretsOnly(out).status, 0);
  const env = readFileSync(join(out, ".env"), "utf8");
  const accounts = readFileSync(join(out, "secrets/dioptra-deployment-minio-accounts.env"), "utf8");
  rmSync(join(out, "secrets"), { recursive: true });
  assert.is(secretsOnly(out).status, 0);
  assert.is(readFileSync(join(out, ".env"), "utf8"), env);
  assert.is(readFileSync(join(out, "secrets/dioptra-deployment-minio-accounts.env"), "utf8"), accounts);
});

test("a different COMPOSE_PROJECT_NAME in .env is kept, with a warning", async () => {
  const out = await freshFixtureOut("default");
  writeFileSync(join(out, ".env"), "COMPOSE_PROJECT_NAME=other\n", { mode: 0o600 });
  const r = secretsOnly(out);
  assert.is(r.status, 0, r.stderr);
  const env = readFileSync(join(out, ".env"), "utf8");
  assert.ok(env.startsWith("COMPOSE_PROJECT_NAME=other\n"), "the line changed");
  assert.is(env.split("\n").filter((l) => l.startsWith("COMPOSE_PROJECT_NAME=")).length, 1, "a second COMPOSE_PROJECT_NAME was added");
  assert.match(r.stderr, "not COMPOSE_PROJECT_NAME=dioptra-deployment: keeping it");
});

test("DEBUG=1 traces init, but no secret value reaches the trace", async () => {
  const out = await freshFixtureOut("default");
  const r = runScript(out, "init-deployment.sh", ["--secrets-only"], restrictedPath(HOST_TOOLS), { DEBUG: "1" });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, /^\+ /m, "DEBUG=1 did not turn on the trace");
  const values = [".env", ...readdirSync(join(out, "secrets")).map((f) => `secrets/${f}`)]
    .flatMap((f) => envLines(join(out, f)))
    .map((l) => l.slice(l.indexOf("=") + 1))
    .flatMap((v) => v.match(/[A-Za-z0-9+/_=-]{20,}/g) ?? []);
  assert.ok(values.length >= 9, "the secrets were not written");
  for (const v of values) assert.not.ok(`${r.stdout}${r.stderr}`.includes(v), `a secret value is in the output: ${v.slice(0, 6)}…`);
});

test("two deployments get different secrets", async () => {
  const [a, b] = await Promise.all([freshFixtureOut("default"), freshFixtureOut("default")]);
  assert.is(secretsOnly(a).status, 0);
  assert.is(secretsOnly(b).status, 0);
  assert.is.not(readFileSync(join(a, ".env"), "utf8"), readFileSync(join(b, ".env"), "utf8"));
});

test.run();
