/**
 * The generated shell: every *.sh of the whole output passes shellcheck with
 * no findings and `bash -n`; init-deployment.sh's options behave as
 * documented, --help needs only bash and coreutils, and its steps run in the
 * template's order with the template's commands (Docker stubbed).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "yaml";
import type { DeploymentProps } from "../dsl/props.js";
import type { OutFile } from "../files/out-file.js";
import { fixtureNames, haveTool, tempDir } from "./helpers.js";
import { filesOf, fixtureOut, freshFixtureOut, propsFiles, propsOut, restrictedPath, runScript, stubPath } from "./init/support.js";

/** Specs beyond the fixtures whose scripts differ: TLS defaults on, a configured unit, another compose command. */
const EXTRA_SPECS: Record<string, DeploymentProps> = {
  "tls-and-unit": {
    name: "tls_lab",
    composeCommand: "/usr/bin/docker-compose",
    nginx: { tls: true, certificate: "provided" },
    postgres: { tls: true, adminUser: "pgadmin_root", adminDatabase: "admin_db" },
    systemd: { requiredMounts: ["mnt-data.mount"], deploymentPath: "/srv/dioptra" },
  },
};

const shellFiles = (files: readonly OutFile[]) => files.filter((f) => f.path.endsWith(".sh"));

/** shellcheck's findings (gcc format, every severity) for files in `dir`. */
function shellcheck(dir: string, paths: readonly string[]): { status: number | null; findings: string } {
  const r = spawnSync("shellcheck", ["--severity=style", "--format=gcc", ...paths], { cwd: dir, encoding: "utf8" });
  return { status: r.status, findings: `${r.stdout}${r.stderr}` };
}

async function allSpecs(): Promise<[string, OutFile[]][]> {
  const fixtures = await Promise.all(fixtureNames().map(async (n): Promise<[string, OutFile[]]> => [n, await filesOf(n)]));
  return [...fixtures, ...Object.entries(EXTRA_SPECS).map(([n, p]): [string, OutFile[]] => [n, propsFiles(p)])];
}

test("every generated *.sh is executable and starts with a bash shebang", async () => {
  for (const [name, files] of await allSpecs()) {
    const scripts = shellFiles(files);
    assert.ok(scripts.some((f) => f.path === "init-deployment.sh"), `${name}: no init-deployment.sh`);
    for (const f of scripts) {
      assert.is(f.mode, 0o755, `${name}: ${f.path} mode`);
      assert.ok(/^#!\/(usr\/bin\/env bash|bin\/bash)\n/.test(f.content), `${name}: ${f.path} shebang`);
    }
  }
});

test("shellcheck finds nothing and bash -n parses every generated *.sh", async () => {
  if (!haveTool("shellcheck")) return;
  // Most scripts are the same for every spec: each distinct text is checked once, under a folder naming its first spec.
  const distinct = new Map<string, string>();
  for (const [name, files] of await allSpecs()) {
    for (const f of shellFiles(files)) if (!distinct.has(f.content)) distinct.set(f.content, join(name, f.path));
  }
  const dir = tempDir("dd-sh-");
  for (const [content, path] of distinct) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), content);
    const n = spawnSync("bash", ["-n", path], { cwd: dir, encoding: "utf8" });
    assert.is(n.status, 0, `bash -n ${path}: ${n.stderr}`);
  }
  const sc = shellcheck(dir, [...distinct.values()]);
  assert.is(sc.findings, "", "shellcheck findings");
  assert.is(sc.status, 0);
  assert.ok(distinct.size >= 10, `only ${distinct.size} scripts checked`);
});

test("negative: shellcheck rejects a copy with an unquoted variable", async () => {
  if (!haveTool("shellcheck")) return;
  const f = (await filesOf("default")).find((x) => x.path === "scripts/file-copy.sh")!;
  const broken = f.content.replace('cp "${cp_opts[@]}" "${src}" "${dest}"', 'cp "${cp_opts[@]}" ${src} "${dest}"');
  assert.is.not(broken, f.content, "the edit did not apply");
  const dir = tempDir("dd-sh-");
  writeFileSync(join(dir, "file-copy.sh"), broken);
  const sc = shellcheck(dir, ["file-copy.sh"]);
  assert.is.not(sc.status, 0);
  assert.match(sc.findings, "SC2086");
});

test("generation is deterministic: the same spec gives the same scripts", async () => {
  const a = propsFiles(EXTRA_SPECS["tls-and-unit"]!);
  const b = propsFiles(EXTRA_SPECS["tls-and-unit"]!);
  assert.equal(a, b);
});

test("nothing secret is generated: no .env, nothing under secrets/", async () => {
  for (const [name, files] of await allSpecs()) {
    for (const f of files) assert.ok(f.path !== ".env" && !f.path.startsWith("secrets/"), `${name} generates ${f.path}`);
  }
});

// --- options ---------------------------------------------------------------------------

const HELP_OPTIONS = [
  "--enable-nginx-ssl",
  "--no-enable-nginx-ssl",
  "--enable-postgres-ssl",
  "--no-enable-postgres-ssl",
  "--branch",
  "--python",
  "--worker-ssl-service",
  "tfcpu",
  "pytorchcpu",
  "--offline",
  "--secrets-only",
  "-h, --help",
];

test("init-deployment.sh --help exits 0 with a PATH of only bash and cat, and names every option", async () => {
  const out = await fixtureOut("default");
  const path = restrictedPath(["cat"]);
  for (const flag of ["--help", "-h"]) {
    const r = runScript(out, "init-deployment.sh", [flag], path);
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stderr, "");
    for (const o of HELP_OPTIONS) assert.ok(r.stdout.includes(o), `--help does not mention ${o}`);
    assert.match(r.stdout, "(default: 'off', from nginx.tls in deployment.config.ts)");
    assert.match(r.stdout, "(default: 'main')");
    assert.match(r.stdout, "(default: 'tfcpu')");
  }
});

test("--help shows the SSL defaults of a deployment with TLS on", () => {
  const out = propsOut(EXTRA_SPECS["tls-and-unit"]!);
  const r = runScript(out, "init-deployment.sh", ["--help"], restrictedPath(["cat"]));
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, "(default: 'on', from nginx.tls in deployment.config.ts)");
  assert.match(r.stdout, "(default: 'on', from postgres.tls in deployment.config.ts)");
});

const BAD_ARGS: [args: string[], message: string][] = [
  [["--bogus"], "unknown option --bogus"],
  [["--worker-ssl-service", "tfgpu"], "--worker-ssl-service tfgpu: choose 'tfcpu' or 'pytorchcpu'"],
  [["--worker-ssl-service"], "--worker-ssl-service needs a value"],
  [["--branch"], "--branch needs a value"],
  [["--branch", "--upload-pack=x"], "not a plain git branch name"],
  [["--python"], "--python needs a value"],
];

for (const [args, message] of BAD_ARGS) {
  test(`init-deployment.sh ${args.join(" ")} exits non-zero: ${message}`, async () => {
    const out = await fixtureOut("default");
    const r = runScript(out, "init-deployment.sh", args, restrictedPath(["cat"]));
    assert.is.not(r.status, 0);
    assert.match(r.stderr, message);
    assert.not.ok(existsSync(join(out, ".env")), "a rejected command line must not create secrets");
  });
}

test("--python is accepted and ignored with a notice", async () => {
  const out = await fixtureOut("default");
  const r = runScript(out, "init-deployment.sh", ["--python", "python3.11", "--help"], restrictedPath(["cat"]));
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, "Ignoring --python python3.11");
});

// --- steps, with a recording Compose ---------------------------------------------------

/** A stand-in for docker that logs each call (one line, arguments joined by |) and fails when `failOn` matches. */
function recordingDocker(log: string, name = "docker", failOn?: string): string {
  const fail = failOn ? `[[ "$*" == ${failOn} ]] && exit 3\n` : "";
  return stubPath({ [name]: `printf '%s\\n' "$(IFS='|'; echo "$*")" >>${JSON.stringify(log)}\n${fail}exit 0` });
}

function calls(log: string, dir: string): string[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, "utf8")
    .trimEnd()
    .split("\n")
    .map((l) => l.replaceAll(`${dir}/`, ""));
}

const C = "compose|-f|docker-compose.init.yml";
const SSL = (svc: string) => `${C}|run|--rm|-T|${svc}|/scripts/copy-extra-ca-certificates.sh|--ca-directory|/ssl/ca-certificates|--update`;
/** `workerAccount`: Dioptra 1.1 registers the workers' REST API account, with the REST API up. */
const REFERENCE_ORDER = (o: { worker: string; namedVolumes: string; frontend: boolean; postgres: string; workerAccount?: boolean }) => [
  SSL("nginx-ssl"),
  SSL("mlflow-tracking-ssl"),
  SSL("restapi-ssl"),
  SSL(`${o.worker}-ssl`),
  `${C}|run|--rm|-T|named-volumes|/scripts/init-named-volumes.sh|${o.namedVolumes}`,
  `${C}|up|-d|minio`,
  `${C}|run|--rm|-T|mc|/scripts/init-minio.sh`,
  `${C}|down`,
  ...(o.frontend ? [`${C}|run|--rm|-T|frontend-build|/scripts/init-frontend.sh|--output|/frontend`] : []),
  `${C}|up|-d|db`,
  `${C}|run|--rm|-T|--entrypoint|/usr/local/bin/wait-for-it.sh|restapi|db:5432|-t|0`,
  `${C}|exec|-T|--user|postgres|db|/bin/bash|/scripts/manage-postgres-ssl.sh|${o.postgres}`,
  ...(o.workerAccount === true ? [`${C}|up|-d|restapi`, `${C}|run|--rm|-T|init-dioptra-worker|/scripts/register-worker.sh`] : []),
  `${C}|down`,
];

test("init runs the template's steps in order (online, Dioptra 1.0)", async () => {
  const out = await freshFixtureOut("default");
  const log = join(tempDir(), "calls");
  const r = runScript(out, "init-deployment.sh", [], `${recordingDocker(log)}:${process.env.PATH}`);
  assert.is(r.status, 0, r.stderr);
  assert.equal(
    calls(log, out),
    REFERENCE_ORDER({
      worker: "tfcpu",
      namedVolumes: "--scripts-dir|/scripts|--clone-branch|main",
      frontend: true,
      postgres: "--username|postgres|--dbname|postgres|--no-ssl",
    }),
  );
  for (const step of ["secrets", "systemd unit", "extra CA certificates", "named volumes", "MinIO accounts and policies", "frontend", "Postgres SSL", "stop"]) {
    assert.match(r.stdout, `: ${step}\n`, `step ${step} is not logged`);
  }
});

test("--offline skips the clone and the frontend; the options reach the scripts", async () => {
  const out = await freshFixtureOut("default");
  const log = join(tempDir(), "calls");
  const r = runScript(out, "init-deployment.sh", ["--offline", "--branch", "dev", "--worker-ssl-service", "pytorchcpu"], `${recordingDocker(log)}:${process.env.PATH}`);
  assert.is(r.status, 0, r.stderr);
  assert.equal(
    calls(log, out),
    REFERENCE_ORDER({
      worker: "pytorchcpu",
      namedVolumes: "--scripts-dir|/scripts|--clone-branch|dev|--skip-clone",
      frontend: false,
      postgres: "--username|postgres|--dbname|postgres|--no-ssl",
    }),
  );
  assert.match(r.stdout, "Skipped (--offline)");
});

test("the configured compose command runs every Compose call", async () => {
  const out = await freshFixtureOut("name-and-systemd");
  const log = join(tempDir(), "calls");
  const r = runScript(out, "init-deployment.sh", ["--offline"], `${recordingDocker(log, "docker-compose")}:${process.env.PATH}`);
  assert.is(r.status, 0, r.stderr);
  const made = calls(log, out);
  assert.is(made.length, 12);
  for (const c of made) assert.ok(c.startsWith("-f|docker-compose.init.yml|"), c);
});

test("TLS on by default: named volumes and Postgres get the SSL options (Dioptra 1.1, so the worker account is registered last)", () => {
  const props: DeploymentProps = { ...EXTRA_SPECS["tls-and-unit"]!, composeCommand: "docker compose" };
  const out = propsOut(props);
  for (const f of ["ssl/nginx/server.crt", "ssl/nginx/server.key", "ssl/db/server.crt", "ssl/db/server.key"]) {
    mkdirSync(join(out, f, ".."), { recursive: true });
    writeFileSync(join(out, f), "test\n");
  }
  const log = join(tempDir(), "calls");
  const r = runScript(out, "init-deployment.sh", ["--offline"], `${recordingDocker(log)}:${process.env.PATH}`);
  assert.is(r.status, 0, r.stderr);
  assert.equal(
    calls(log, out),
    REFERENCE_ORDER({
      worker: "tfcpu",
      namedVolumes: "--scripts-dir|/scripts|--clone-branch|main|--enable-nginx-ssl|--enable-postgres-ssl|--skip-clone",
      frontend: false,
      postgres: "--username|pgadmin_root|--dbname|admin_db|--set-ssl-filepaths|--ssl",
      workerAccount: true,
    }),
  );
});

test("TLS on without certificates: preflight fails before anything is written or run", () => {
  const out = propsOut({ ...EXTRA_SPECS["tls-and-unit"]!, composeCommand: "docker compose" });
  const log = join(tempDir(), "calls");
  const r = runScript(out, "init-deployment.sh", [], `${recordingDocker(log)}:${process.env.PATH}`);
  assert.is.not(r.status, 0);
  assert.match(r.stderr, "ssl/nginx/ has no certificate");
  assert.match(r.stderr, "Step 'preflight' failed");
  assert.equal(calls(log, out), []);
  assert.not.ok(existsSync(join(out, ".env")));
  // --no-enable-* overrides the config's default.
  const r2 = runScript(out, "init-deployment.sh", ["--no-enable-nginx-ssl", "--no-enable-postgres-ssl", "--offline"], `${recordingDocker(log)}:${process.env.PATH}`);
  assert.is(r2.status, 0, r2.stderr);
});

test("nginx.certificate \"self-signed\": preflight makes a certificate for the server name with the host's openssl, warns, and keeps it on re-runs", () => {
  if (!haveTool("openssl", ["version"])) return;
  const out = propsOut({ nginx: { tls: true, certificate: "self-signed", serverName: "lab.example.org" } });
  const log = join(tempDir(), "calls");
  const r = runScript(out, "init-deployment.sh", ["--offline"], `${recordingDocker(log)}:${process.env.PATH}`);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, /WARNING - Creating a self-signed certificate for lab\.example\.org.*will not trust it/s);
  const text = spawnSync("openssl", ["x509", "-in", join(out, "ssl/nginx/server.crt"), "-noout", "-subject", "-ext", "subjectAltName"], { encoding: "utf8" });
  assert.is(text.status, 0, text.stderr);
  assert.match(text.stdout, /CN ?= ?lab\.example\.org/);
  assert.match(text.stdout, "DNS:lab.example.org");
  assert.is(statSync(join(out, "ssl/nginx/server.key")).mode & 0o777, 0o600);
  assert.is(readFileSync(join(out, "ssl/ca-certificates/nginx-self-signed.crt"), "utf8"), readFileSync(join(out, "ssl/nginx/server.crt"), "utf8"));
  const before = readFileSync(join(out, "ssl/nginx/server.key"), "utf8");
  const again = runScript(out, "init-deployment.sh", ["--offline"], `${recordingDocker(log)}:${process.env.PATH}`);
  assert.is(again.status, 0, again.stderr);
  assert.not.match(again.stderr, "self-signed");
  assert.is(readFileSync(join(out, "ssl/nginx/server.key"), "utf8"), before);
});

test("negative: nginx.certificate \"provided\" never makes one, and \"self-signed\" without openssl stops in preflight", () => {
  const provided = propsOut({ nginx: { tls: true, certificate: "provided" } });
  const r = runScript(provided, "init-deployment.sh", ["--offline"], `${recordingDocker(join(tempDir(), "calls"))}:${process.env.PATH}`);
  assert.is.not(r.status, 0);
  assert.match(r.stderr, "ssl/nginx/ has no certificate");
  assert.not.ok(existsSync(join(provided, "ssl/nginx/server.crt")));
  const lab = propsOut({ nginx: { tls: true, certificate: "self-signed" } });
  const log = join(tempDir(), "calls");
  const r2 = runScript(lab, "init-deployment.sh", ["--offline"], `${recordingDocker(log)}:${restrictedPath(["cat", "dirname", "mkdir"])}`);
  assert.is.not(r2.status, 0);
  assert.match(r2.stderr, "openssl is not installed on this host");
  assert.equal(calls(log, lab), []);
});

test("a failing docker makes init exit non-zero naming the step", async () => {
  const out = await freshFixtureOut("default");
  const r = runScript(out, "init-deployment.sh", [], `${stubPath({ docker: "exit 1" })}:${process.env.PATH}`);
  assert.is.not(r.status, 0);
  assert.match(r.stderr, "Step 'extra CA certificates' failed (exit status 1)");
});

test("a failure after services started names the step and stops them", async () => {
  const out = await freshFixtureOut("default");
  const log = join(tempDir(), "calls");
  const r = runScript(out, "init-deployment.sh", ["--offline"], `${recordingDocker(log, "docker", "*init-minio.sh*")}:${process.env.PATH}`);
  assert.is(r.status, 3);
  assert.match(r.stderr, "Step 'MinIO accounts and policies' failed (exit status 3)");
  assert.equal(calls(log, out).slice(-3), [`${C}|up|-d|minio`, `${C}|run|--rm|-T|mc|/scripts/init-minio.sh`, `${C}|down`]);
});

test("a missing compose command is reported by preflight", async () => {
  const out = await fixtureOut("default");
  const r = runScript(out, "init-deployment.sh", [], restrictedPath(["cat", "dirname", "mkdir"]));
  assert.is.not(r.status, 0);
  assert.match(r.stderr, "docker not found");
  assert.match(r.stderr, "Step 'preflight' failed");
});

test("every service and script init-deployment.sh uses exists", async () => {
  const files = await filesOf("default");
  const init = files.find((f) => f.path === "docker-compose.init.yml")!;
  const services = new Set(Object.keys((parse(init.content) as { services: object }).services));
  const script = files.find((f) => f.path === "init-deployment.sh")!.content;
  const named = [...script.matchAll(/^readonly INIT_\w+_SERVICE=(\S+)$/gm)].map((m) => m[1]!);
  const ssl = script.match(/^readonly SSL_SERVICES=\((.*)\)$/m)![1]!.split(" ");
  for (const s of [...named, ...ssl, "tfcpu-ssl", "pytorchcpu-ssl"]) assert.ok(services.has(s), `no service ${s} in docker-compose.init.yml`);
  const paths = new Set(files.map((f) => f.path));
  for (const m of [...files.map((f) => f.content).join("\n").matchAll(/(?:\/scripts\/|helper )([a-z-]+\.sh)/g)]) {
    assert.ok(paths.has(`scripts/${m[1]}`), `scripts/${m[1]} is used but not generated`);
  }
});

test.run();
