/**
 * .gitignore, the ssl/ READMEs, the override template, the real overlay
 * files (overrides, environments) and the deployment README. The
 * explanatory files are checked against what the generated scripts and
 * confs really do, and .gitignore against a real git.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "yaml";
import { deployment } from "../dsl/deployment.js";
import { ConfigError } from "../dsl/errors.js";
import { workerContainer } from "../dsl/container.js";
import { bindMount, volumeMount } from "../dsl/mount.js";
import type { DeploymentProps } from "../dsl/props.js";
import { nfsVolume } from "../dsl/volume.js";
import type { ComposeFile } from "../targets/compose/types.js";
import { synth } from "../generators/index.js";
import { MANIFEST, writeOut } from "../writer/index.js";
import { haveTool, tempDir, withoutMarker } from "./helpers.js";

const file = (files: { path: string; content: string }[], path: string) => {
  const f = files.find((x) => x.path === path);
  assert.ok(f, `${path} is generated`);
  return f!.content;
};

const plain = deployment({});
const withTls = deployment({ nginx: { tls: true, certificate: "provided", serverName: "dioptra.lab.example" }, postgres: { tls: true } });

// ---------------------------------------------------------------------------
// .gitignore, against a real git
// ---------------------------------------------------------------------------

/** What an operator and init add next to the generated files, none of which may be committed. */
const HOST_FILES = [
  ".env",
  "secrets/postgres-passwd.env",
  "secrets/dioptra-deployment-minio-accounts.env",
  "ssl/nginx/server.crt",
  "ssl/nginx/server.key",
  "ssl/nginx/old/server.crt",
  "ssl/db/server.crt",
  "ssl/db/server.key",
  "ssl/ca-certificates/company-root.crt",
  "ssl/ca-certificates/company-root.pem",
  "ssl/notes.txt",
  "backup/tls.key",
  ".dioptra-journal.json",
  ".dioptra-stage-a1b2c3/.backup/docker-compose.yml",
  "docker-compose.yml~",
  ".docker-compose.yml.swp",
  ".DS_Store",
];

/**
 * Writes the generated files and HOST_FILES into a fresh git repository whose
 * .gitignore is `gitignore`, runs `git add -A`, and returns what git tracks.
 */
function trackedWith(files: ReturnType<typeof synth>, gitignore?: string): string[] {
  const dir = tempDir();
  writeOut(files, dir);
  if (gitignore !== undefined) writeFileSync(join(dir, ".gitignore"), gitignore);
  for (const f of HOST_FILES) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    writeFileSync(join(dir, f), "x\n");
  }
  const git = (...a: string[]) => {
    const r = spawnSync("git", ["-c", "core.excludesFile=/dev/null", ...a], { cwd: dir, encoding: "utf8" });
    assert.is(r.status, 0, r.stderr);
    return r.stdout;
  };
  git("init", "-q");
  git("add", "-A");
  return git("ls-files").trim().split("\n").sort();
}

for (const [label, d] of [["HTTPS and Postgres TLS off", plain], ["HTTPS and Postgres TLS on", withTls]] as const) {
  test(`.gitignore (${label}): git tracks exactly the generated files and the manifest, none of the host's secrets, certificates, keys or leftovers`, () => {
    if (!haveTool("git")) return;
    const files = synth(d.toSpec());
    const expected = [...files.map((f) => f.path), MANIFEST].sort();
    assert.equal(trackedWith(files), expected);
    assert.ok(expected.includes("ssl/nginx/README.md") && expected.includes("ssl/db/README.md") && expected.includes("ssl/ca-certificates/README.md"));
  });
}

test(".gitignore: the git check above catches a list that lets a certificate or a secret through", () => {
  if (!haveTool("git")) return;
  const files = synth(plain.toSpec());
  const ours = withoutMarker(file(files, ".gitignore"));
  const withoutSsl = ours.replace("/ssl/**\n", "");
  assert.is.not(withoutSsl, ours);
  assert.ok(trackedWith(files, withoutSsl).includes("ssl/ca-certificates/company-root.crt"));
  assert.ok(trackedWith(files, ours.replace("/.env\n", "")).includes(".env"));
  // A list that hides too much: the READMEs in ssl/ and the manifest must stay tracked.
  const tracked = trackedWith(files, `${ours}\n/ssl/*/README.md\n.dioptra-*\n`);
  assert.not.ok(tracked.includes("ssl/db/README.md"));
  assert.not.ok(tracked.includes(MANIFEST));
});

test("ssl/nginx/README.md says which certificate source the config chose: self-signed made by init, or provided", () => {
  const nginxReadme = (certificate: "provided" | "self-signed") => file(synth(deployment({ nginx: { tls: true, certificate } }).toSpec()), "ssl/nginx/README.md");
  assert.match(nginxReadme("self-signed"), "`./init-deployment.sh` creates a self-signed pair with the host's `openssl`");
  assert.not.match(nginxReadme("provided"), "self-signed pair");
  assert.match(nginxReadme("provided"), "needs the two files below");
});

test(".gitignore: every pattern group says why", () => {
  const lines = withoutMarker(file(synth(plain.toSpec()), ".gitignore")).split("\n");
  lines.forEach((l, i) => {
    if (l !== "" && !l.startsWith("#")) assert.ok(lines.slice(0, i).some((p) => p.startsWith("# ")), `${l} has a comment above it`);
  });
  for (const group of withoutMarker(file(synth(plain.toSpec()), ".gitignore")).split("\n\n")) assert.match(group.trim(), /^# \S/, group);
});

// ---------------------------------------------------------------------------
// ssl/ READMEs: they name what the generated init and nginx confs really use
// ---------------------------------------------------------------------------

for (const [label, d] of [["off", plain], ["on", withTls]] as const) {
  const spec = d.toSpec();
  const files = synth(spec);
  const readme = (folder: string) => file(files, `ssl/${folder}/README.md`);

  test(`ssl/nginx/README.md (HTTPS ${label}) names the files the nginx confs read and the glob init checks`, () => {
    const confs = files.filter((f) => /^config\/nginx\/https_.*\.conf$/.test(f.path)).map((f) => f.content);
    const read = new Set(confs.flatMap((c) => [...c.matchAll(/ssl_certificate(?:_key)?\s+\/etc\/ssl\/(\S+);/g)].map((m) => m[1]!)));
    assert.equal([...read].sort(), ["server.crt", "server.key"]);
    for (const name of read) assert.match(readme("nginx"), `\`${name}\``);
    assert.match(file(files, "init-deployment.sh"), "ssl/nginx/*.crt");
    assert.match(readme("nginx"), /no `\.crt` file/);
    assert.match(readme("nginx"), label === "on" ? /HTTPS is \*\*on\*\*/ : /HTTPS is \*\*off\*\*.*`nginx: \{ tls: true, certificate: "provided" \}`/);
    assert.match(readme("nginx"), `\`${spec.nginx.serverName}\``);
  });

  test(`ssl/nginx/README.md (HTTPS ${label}) lists the ports docker-compose.yml publishes with HTTPS on`, () => {
    const block = readme("nginx").match(/```yaml\n([\s\S]*?)```/);
    assert.ok(block, "a ports block");
    const listed = parse(block![1]!).ports as string[];
    const compose = parse(file(synth(deployment({ ...d.props, nginx: { ...d.props.nginx, tls: true, certificate: "provided" } }).toSpec()), "docker-compose.yml"));
    const nginx = Object.entries(compose.services).find(([n]) => n.endsWith("-nginx"))![1] as { ports: string[] };
    assert.equal(listed, nginx.ports);
  });

  test(`ssl/db/README.md (Postgres TLS ${label}) names the files init copies`, () => {
    const init = file(files, "init-deployment.sh");
    const names = [...new Set([...init.matchAll(/ssl\/db\/(server\.\w+)/g)].map((m) => m[1]!))].sort();
    assert.equal(names, ["server.crt", "server.key"]);
    for (const name of names) assert.match(readme("db"), `| \`${name}\` |`);
    assert.match(readme("db"), label === "on" ? /TLS for Postgres is \*\*on\*\*/ : /TLS for Postgres is \*\*off\*\*.*`postgres: \{ tls: true \}`/);
  });

  test(`ssl/ca-certificates/README.md (${label}) names the extension the CA script picks up`, () => {
    const script = file(files, "scripts/copy-extra-ca-certificates.sh");
    const ext = script.match(/-name '\*\.(\w+)'/)![1]!;
    assert.is(ext, "crt");
    assert.match(readme("ca-certificates"), `ending in \`.${ext}\``);
    assert.match(file(files, "init-deployment.sh"), "--ca-directory /ssl/ca-certificates");
  });
}

// ---------------------------------------------------------------------------
// docker-compose.override.yml.template
// ---------------------------------------------------------------------------

/** The indented `workers: …` style snippets of the template, one props object per block of lines. */
function settingSnippets(template: string): string[] {
  const blocks: string[][] = [];
  let current: string[] | undefined;
  const intro = template.slice(0, template.indexOf("# For comparison"));
  for (const line of intro.split("\n")) {
    const m = line.match(/^# {5}(\S.*)$/);
    if (m) (current ??= (blocks.push([]), blocks.at(-1)!)).push(m[1]!);
    else current = undefined;
  }
  return blocks.map((b) => b.join(" "));
}

/** A snippet evaluated with the DSL helpers it may call, as deployment.config.ts would. */
const settingsOf = (snippet: string) =>
  new Function("bindMount", "volumeMount", "nfsVolume", "workerContainer", `return { ${snippet} };`)(bindMount, volumeMount, nfsVolume, workerContainer) as DeploymentProps;

/** The commented YAML at the end of the template. */
function exampleYaml(template: string): unknown {
  const lines = template.split("\n");
  const start = lines.findIndex((l) => l === "# services:");
  assert.ok(start > 0, "an example overlay");
  return parse(lines.slice(start).map((l) => l.replace(/^# ?/, "")).join("\n"));
}

for (const [label, d] of [["default", plain], ["no workers", deployment({ workers: { tensorflowCpu: 0, pytorchCpu: 0 } })]] as const) {
  const template = file(synth(d.toSpec()), "docker-compose.override.yml.template");

  test(`override template (${label}): every line is a comment, so it never changes a deployment`, () => {
    for (const l of template.trimEnd().split("\n")) assert.match(l, /^#( |$)/, l);
  });

  test(`override template (${label}): each setting it shows is a valid config`, () => {
    const snippets = settingSnippets(template);
    assert.is(snippets.length, 5, snippets.join("\n"));
    for (const s of snippets) {
      const { issues } = deployment({ ...d.props, ...settingsOf(s) }).resolve();
      assert.equal(issues, [], s);
    }
  });
}

test("override template: the hand-written overlay it shows is what the bind-mount and NFS settings generate", () => {
  const template = file(synth(plain.toSpec()), "docker-compose.override.yml.template");
  const example = exampleYaml(template) as ComposeFile;
  const [bind, nfs] = settingSnippets(template).slice(0, 2).map(settingsOf);
  const composeOf = (props: DeploymentProps) => parse(file(synth(deployment(props).toSpec()), "docker-compose.yml")) as ComposeFile;
  const [worker, handWritten] = Object.entries(example.services!)[0]!;
  assert.ok((composeOf(bind!).services![worker]!.volumes as string[]).includes((handWritten.volumes as string[])[0]!), "the bind mount");
  const [volume, definition] = Object.entries(example.volumes!)[0]!;
  const generated = composeOf(nfs!).volumes![volume]!;
  assert.equal({ driver: generated.driver, driver_opts: generated.driver_opts }, definition);
  assert.ok((composeOf(nfs!).services![worker]!.volumes as string[]).some((v) => v.startsWith(`${volume}:`)), "the NFS volume mounted");
});

test("override template: uncommented, its example is an overlay docker-compose accepts", () => {
  if (!haveTool("docker-compose")) return;
  const files = synth(plain.toSpec());
  const dir = tempDir();
  writeOut(files, dir);
  writeFileSync(join(dir, "docker-compose.override.yml"), JSON.stringify(exampleYaml(file(files, "docker-compose.override.yml.template"))));
  const r = spawnSync("docker-compose", ["config", "-q"], { cwd: dir, encoding: "utf8" });
  assert.is(r.status, 0, r.stderr);
  writeFileSync(join(dir, "docker-compose.override.yml"), JSON.stringify({ services: { "no-such-worker": { volumes: 3 } } }));
  assert.is.not(spawnSync("docker-compose", ["config", "-q"], { cwd: dir, encoding: "utf8" }).status, 0, "a broken overlay is rejected");
});

const withOverlays: DeploymentProps = {
  overrides: { services: { "dioptra-deployment-restapi": { cpus: "2.0", environment: { LOG_LEVEL: "debug" } } } },
  environments: {
    staging: { services: { "dioptra-deployment-tfcpu-01": { mem_limit: "4g" } }, volumes: { scratch: { driver: "local" } } },
  },
};

test("overrides and environments become overlay files Compose accepts", () => {
  const files = synth(deployment(withOverlays).toSpec());
  const override = parse(file(files, "docker-compose.override.yml"));
  assert.equal(override.services["dioptra-deployment-restapi"].cpus, "2.0");
  assert.ok(files.some((f) => f.path === "docker-compose.staging.yml"));
  if (!haveTool("docker-compose")) return;
  const dir = tempDir();
  writeOut(files, dir);
  for (const overlay of ["docker-compose.override.yml", "docker-compose.staging.yml"]) {
    const r = spawnSync("docker-compose", ["-f", "docker-compose.yml", "-f", overlay, "config"], { cwd: dir, encoding: "utf8" });
    assert.is(r.status, 0, r.stderr);
  }
  const merged = spawnSync("docker-compose", ["config"], { cwd: dir, encoding: "utf8", env: { ...process.env, RESTAPI_AWS_ACCESS_KEY_ID: "k" } });
  const restapi = parse(merged.stdout).services["dioptra-deployment-restapi"];
  assert.is(restapi.cpus, 2);
  assert.is(restapi.environment.LOG_LEVEL, "debug");
  assert.is(restapi.environment.AWS_ACCESS_KEY_ID, "k", "the base file's environment survives the merge");
});

test("no overlays, no overlay files", () => {
  const files = synth(deployment({}).toSpec());
  assert.not.ok(files.some((f) => f.path === "docker-compose.override.yml"));
});

test("an overlay with an invalid Compose key is a config error at its setting", () => {
  const d = deployment({ overrides: { services: { "dioptra-deployment-redis": { cpuz: 2 } as never } } });
  try {
    synth(d.toSpec());
    assert.unreachable("should throw");
  } catch (e) {
    assert.instance(e, ConfigError);
    const issues = (e as ConfigError).issues;
    assert.ok(issues.some((i) => i.path === "overrides.services.dioptra-deployment-redis" && i.message.includes("cpuz")), JSON.stringify(issues));
  }
});

test("an overlay naming an unknown service, or a bad environment name, is rejected", () => {
  const { issues } = deployment({ overrides: { services: { redis: { cpus: "1" } } }, environments: { "Prod!": {} } }).resolve();
  assert.ok(issues.some((i) => i.path === "overrides.services.redis" && i.message.includes("customContainers")));
  assert.ok(issues.some((i) => i.path === "environments.Prod!"));
});

test("the deployment README reflects the config: workers, GPUs, URLs, compose command, systemd", () => {
  const spec = deployment({
    dioptra: "1.0",
    name: "Lab A",
    composeCommand: "docker-compose",
    nginx: { exposePortsOnLocalhostOnly: false, serverName: "dioptra.lab.org", httpPort: 8080 },
    workers: { tensorflowCpu: 0, pytorchCpu: 0, pytorchGpu: { count: 2, workers: { 2: { gpus: [3, 4] } } } },
    systemd: { requiredMounts: ["mnt-data.mount"], deploymentPath: "/srv/dioptra" },
    environments: { staging: {} },
  }).toSpec();
  const readme = file(synth(spec), "README.md");
  assert.match(readme, /^# Lab A$/m);
  assert.match(readme, /\| `lab-a-pytorchgpu-01` \| `dioptra\/pytorch-gpu:dev` \| `pytorch_gpu` \| 0 \|/);
  assert.match(readme, /\| `lab-a-pytorchgpu-02` \| .* \| 3, 4 \|/);
  assert.not.match(readme, /lab-a-tfcpu/);
  assert.match(readme, /`http:\/\/dioptra\.lab\.org:8080\/`/);
  assert.match(readme, /^docker-compose up -d$/m);
  assert.match(readme, /docker-compose -f docker-compose\.yml -f docker-compose\.staging\.yml up -d/);
  assert.match(readme, /`mnt-data\.mount` is mounted/);
  assert.match(readme, /generated for `\/srv\/dioptra`/);
});

test("the README lists like workers as one row: a pool of 250 is one line; a worker with its own mounts or GPUs has its own", () => {
  const big = file(synth(deployment({ workers: { tensorflowCpu: 250, tensorflowGpu: 250, pytorchCpu: 0, pytorchGpu: 0 } }).toSpec()), "README.md");
  const rows = big.split("\n").filter((l) => l.startsWith("| `dioptra-deployment-"));
  assert.equal(rows.length, 2);
  assert.match(rows[0]!, /^\| `dioptra-deployment-tfcpu-01` to `dioptra-deployment-tfcpu-250` \(250\) \| .* \| — \| — \|$/);
  assert.match(rows[1]!, /^\| `dioptra-deployment-tfgpu-01` to `dioptra-deployment-tfgpu-250` \(250\) \| .* \| 0 to 249, one each \| — \|$/);
  const mixed = file(
    synth(
      deployment({
        workers: { tensorflowCpu: { count: 5, workers: { 3: { mounts: [bindMount("/srv/x", "/x")] } } }, pytorchCpu: 0, pytorchGpu: { count: 4, workers: { 2: { gpus: [7] } } } },
      }).toSpec(),
    ),
    "README.md",
  );
  const names = mixed.split("\n").filter((l) => l.startsWith("| `dioptra-deployment-")).map((l) => l.split(" | ")[0]);
  assert.equal(names, [
    "| `dioptra-deployment-tfcpu-01` to `dioptra-deployment-tfcpu-02` (2)",
    "| `dioptra-deployment-tfcpu-03`",
    "| `dioptra-deployment-tfcpu-04` to `dioptra-deployment-tfcpu-05` (2)",
    "| `dioptra-deployment-pytorchgpu-01`",
    "| `dioptra-deployment-pytorchgpu-02`",
    "| `dioptra-deployment-pytorchgpu-03` to `dioptra-deployment-pytorchgpu-04` (2)",
  ]);
});

test.run();
