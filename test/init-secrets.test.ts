/**
 * The secrets step (`init-deployment.sh --secrets-only`), run on the host
 * with a PATH of only bash and a few coreutils: the reference templates'
 * variables, CSPRNG values of at least 128 bits, mode 0600, nothing
 * rewritten on a second run, and COMPOSE_PROJECT_NAME added to an old .env.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { FIXTURES, fixtureNames } from "./helpers.js";
import { freshFixtureOut, restrictedPath, runScript } from "./init/support.js";

/** Everything the secrets step runs besides bash builtins. */
const HOST_TOOLS = ["base64", "dirname", "head", "mkdir", "tail", "tr"];

/** The reference's template → output file mapping (generate_password_templates.py), read from the fixture's render. */
function templateFiles(fixture: string): [template: string, output: string][] {
  const py = readFileSync(join(FIXTURES, fixture, "reference", "scripts", "generate_password_templates.py"), "utf8");
  const pairs = [...py.matchAll(/\(\s*Path\("scripts", "templates", "([^"]+)"\),\s*Path\(([^)]*)\),?\s*\)/g)].map(
    (m): [string, string] => [m[1]!, m[2]!.split(",").map((p) => JSON.parse(p.trim()) as string).join("/")],
  );
  return pairs.filter(([t]) => t !== "dioptra.service.j2");
}

interface TemplateLine {
  readonly key: string;
  readonly pattern: RegExp;
  /** Template variables, in the order of the pattern's groups. */
  readonly vars: readonly string[];
}

/** Each `KEY=…` line of a reference template as a pattern whose groups capture its `{{ variable }}`s. */
function templateLines(fixture: string, template: string): TemplateLine[] {
  const text = readFileSync(join(FIXTURES, fixture, "reference", "scripts", "templates", template), "utf8");
  return text
    .split("\n")
    .filter((l) => /^[A-Z_]+=/.test(l))
    .map((line) => {
      const vars: string[] = [];
      const source = line
        .split(/(\{\{\s*\w+\s*\}\})/)
        .map((part) => {
          const v = /^\{\{\s*(\w+)\s*\}\}$/.exec(part);
          if (!v) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
          vars.push(v[1]!);
          return "(.+?)";
        })
        .join("");
      return { key: line.slice(0, line.indexOf("=")), pattern: new RegExp(`^${source}$`), vars };
    });
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

for (const fixture of fixtureNames()) {
  test(`${fixture}: --secrets-only writes the reference's variables with random values, mode 0600, and a second run changes nothing`, async () => {
    const out = await freshFixtureOut(fixture);
    const first = secretsOnly(out);
    assert.is(first.status, 0, first.stderr);

    const values = new Map<string, string>();
    for (const [template, output] of templateFiles(fixture)) {
      const path = join(out, output);
      assert.is(statSync(path).mode & 0o777, 0o600, `${output} mode`);
      const lines = envLines(path);
      const expected = templateLines(fixture, template);
      const extra = output === ".env" ? ["COMPOSE_PROJECT_NAME"] : [];
      assert.equal(lines.map((l) => l.slice(0, l.indexOf("="))), [...expected.map((e) => e.key), ...extra], `${output} variables`);
      for (const e of expected) {
        const line = lines.find((l) => l.startsWith(`${e.key}=`))!;
        const m = e.pattern.exec(line);
        assert.ok(m, `${output}: ${line} does not match the template's ${e.pattern}`);
        e.vars.forEach((v, i) => {
          const value = m![i + 1]!;
          assert.ok(value.length > 0, `${v} is empty`);
          assert.ok(bitsOf(v, value) >= 128, `${v} has fewer than 128 bits`);
          // The same template variable has the same value in every file.
          if (values.has(v)) assert.is(value, values.get(v), `${v} differs between files`);
          values.set(v, value);
        });
      }
    }
    assert.is(values.size, 9, "the reference's nine random values");
    assert.is(new Set(values.values()).size, values.size, "two secrets have the same value");
    assert.is(statSync(join(out, "secrets")).mode & 0o777, 0o700);

    const before = snapshot(out);
    const second = secretsOnly(out);
    assert.is(second.status, 0, second.stderr);
    assert.equal(snapshot(out), before);
    assert.match(second.stdout, ".env exists: keeping it");
  });
}

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
    assert.ok(lines.includes("COMPOSE_PROJECT_NAME=my-lab-dioptra-test"));
    // The value kept in .env is the one the other files get.
    assert.match(readFileSync(join(out, "secrets/my-lab-dioptra-test-minio-accounts.env"), "utf8"), /^MINIO_ROOT_PASSWORD=kept-as-it-was$/m);
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
