/**
 * The tool attacked as a hostile colleague or a poisoned download would:
 * every value from a file the user did not write is data, never code; every
 * name keeps to the limits of the program that reads it; every bad value is
 * refused with a located message, or written inertly. CLI cases run the
 * built bin.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import * as fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { SourceFile } from "ts-morph";
import { run as runSet } from "../cli/commands/set.js";
import { parseConfig, tsMorph } from "../config-edit/config-ast.js";
import { renderConfig } from "../config-edit/config-writer.js";
import { fromTsCommentText, tsCommentText, tsPropertyKey, tsStringLiteral } from "../config-edit/ts-text.js";
import { addressesOverlap, ipFamily } from "../validation/checks.js";
import { deployment } from "../dsl/deployment.js";
import { formatIssue, type Issue } from "../dsl/errors.js";
import type { DeploymentProps } from "../dsl/props.js";
import { synth } from "../generators/index.js";
import { NGINX_CONF_DIR } from "../generators/nginx/confs.js";
import { FIXTURES, runCli, tempDir } from "./helpers.js";
import { freshFixtureOut, restrictedPath, runScript } from "./init/support.js";
import { canRunNginx, nginxCheck } from "./nginx/harness.js";

const SEED = Number(process.env.SEED ?? 11);
const RUNS = Number(process.env.RUNS ?? 300);

/** Pieces that end or escape a TypeScript token, mixed with any UTF-16 text (lone surrogates included). */
const HOSTILE = fc.constantFrom("*/", "/*", "*", "/", "\\", "\\u", '"', "'", "`", "${", "\n", "\r", "\u2028", "\u2029", "\0", "\u0085", "\t", "\ud800", "\udfff", "</script>", "//");
const hostile = fc.array(fc.oneof(HOSTILE, fc.string({ unit: "binary", maxLength: 6 })), { maxLength: 14 }).map((p) => p.join(""));

/** TypeScript's parse errors for a file (syntax only). */
const parseErrors = (sf: SourceFile) => (sf.compilerNode as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics.length;

test("tsStringLiteral: any string, in either quote, parses back as exactly that string and nothing else", () => {
  const { Node } = tsMorph();
  fc.assert(
    fc.property(hostile, fc.constantFrom('"' as const, "'" as const), (s, q) => {
      const sf = parseConfig(`const x = ${tsStringLiteral(s, q)};\n`);
      const init = sf.getVariableDeclarationOrThrow("x").getInitializerOrThrow();
      return parseErrors(sf) === 0 && sf.getStatements().length === 1 && Node.isStringLiteral(init) && init.getLiteralValue() === s && !init.getText().includes("\n");
    }),
    { seed: SEED, numRuns: RUNS },
  );
});

test("tsPropertyKey: any key names exactly one own property (never the prototype)", () => {
  const { Node } = tsMorph();
  fc.assert(
    fc.property(fc.oneof(hostile, fc.constantFrom("__proto__", "constructor", "prototype", "0", "01", "a b")), (k) => {
      const sf = parseConfig(`const x = { ${tsPropertyKey(k)}: 1 };\n`);
      const obj = sf.getVariableDeclarationOrThrow("x").getInitializerOrThrow();
      if (parseErrors(sf) !== 0 || !Node.isObjectLiteralExpression(obj) || obj.getProperties().length !== 1) return false;
      const p = obj.getProperties()[0]!;
      if (!Node.isPropertyAssignment(p)) return false;
      const name = p.getNameNode();
      if (k === "__proto__") {
        const e = Node.isComputedPropertyName(name) ? name.getExpression() : undefined;
        return e !== undefined && Node.isStringLiteral(e) && e.getLiteralValue() === k;
      }
      return (Node.isStringLiteral(name) ? name.getLiteralValue() : name.getText()) === k;
    }),
    { seed: SEED, numRuns: RUNS },
  );
});

test("tsCommentText: any string stays inside one block comment, on one line, and reads back", () => {
  fc.assert(
    fc.property(hostile, (s) => {
      const text = tsCommentText(s);
      const sf = parseConfig(`/** ${text} */\nexport const x = 1;\n`);
      const ranges = sf.getStatements()[0]?.getLeadingCommentRanges() ?? [];
      return (
        parseErrors(sf) === 0 &&
        sf.getStatements().length === 1 &&
        ranges.length === 1 &&
        ranges[0]!.getText() === `/** ${text} */` &&
        !/[\n\r\u2028\u2029]/.test(text) &&
        fromTsCommentText(text) === s
      );
    }),
    { seed: SEED, numRuns: RUNS },
  );
});

test("renderConfig: hostile header sources and values give a config of one import and one export, whatever they hold", async () => {
  const { Node } = tsMorph();
  await fc.assert(
    fc.asyncProperty(hostile, hostile, hostile, async (a, b, c) => {
      const text = await renderConfig(
        { name: a, nginx: { serverName: b }, customContainers: { [c || "x"]: { image: a, command: [b, c], environment: { [b || "K"]: c } } } } as DeploymentProps,
        { file: `/x/${a.replaceAll("/", "")}.json`, template: a, directory: b, commit: c, checkout: a, compose: b.replaceAll("/", "") },
        join(tempDir(), "deployment.config.ts"),
      );
      const sf = parseConfig(text);
      const [imp, exp, ...rest] = sf.getStatements();
      return parseErrors(sf) === 0 && rest.length === 0 && Node.isImportDeclaration(imp) && imp.getModuleSpecifierValue() === "dioptra-deploy" && Node.isExportAssignment(exp);
    }),
    { seed: SEED, numRuns: 40 },
  );
});

/** A .cruft.json of the default fixture with one field replaced. */
function cruftWith(dir: string, edit: (d: Record<string, unknown> & { context: { cookiecutter: Record<string, unknown> } }) => void): string {
  const d = JSON.parse(readFileSync(join(FIXTURES, "default", "cruft.json"), "utf8"));
  edit(d);
  const file = join(dir, ".cruft.json");
  writeFileSync(file, JSON.stringify(d, null, 2));
  return file;
}

for (const field of ["template", "commit", "directory", "checkout", "_template", "_checkout"]) {
  test(`import --cruft: a "*/" payload in ${field} writes nothing and runs nothing`, () => {
    const dir = tempDir("dd-hostile-");
    const marker = join(dir, "PWNED");
    // A module shipped with the poisoned download (typed, so the import's type check passes), imported by a
    // payload without spaces, which the header's line wrapping keeps whole: before the fix it ran during import.
    writeFileSync(join(dir, "payload.js"), `import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(marker)}, "1");\n`);
    writeFileSync(join(dir, "payload.d.ts"), "export {};\n");
    const payload = `abc*/import"${dir}/payload.js";/*`;
    const file = cruftWith(dir, (d) => {
      if (field.startsWith("_")) d.context.cookiecutter[field] = payload;
      else d[field] = payload;
    });
    const out = join(dir, "deployment.config.ts");
    const r = runCli(["import", "--cruft", file, "--out", out], { cwd: dir });
    assert.not.ok(existsSync(marker), "the payload ran");
    assert.is(r.status, 1, r.stderr);
    assert.match(r.stderr, `.cruft.json: ${field.startsWith("_") ? "variable " : ""}${field}: `);
    assert.match(r.stderr, "nothing written");
    assert.not.match(r.stderr, /\n\s+at /, "a stack trace");
    assert.not.ok(existsSync(out), "a config was written");
    // And generate/set never see it: there is no config to load.
    assert.not.ok(existsSync(join(dir, ".deployment.config.staged.ts")));
  });
}

test("the header's escaping alone keeps a payload inert: generate loads the config and nothing runs", async () => {
  const dir = tempDir("dd-hostile-");
  const marker = join(dir, "PWNED");
  writeFileSync(join(dir, "payload.js"), `import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(marker)}, "1");\n`);
  writeFileSync(join(dir, "payload.d.ts"), "export {};\n");
  const payload = `abc*/import"${dir}/payload.js";/*`;
  const config = join(dir, "deployment.config.ts");
  // What import would write if its metadata check let the values through.
  writeFileSync(config, await renderConfig({}, { file: ".cruft.json", template: payload, directory: payload, commit: payload }, config));
  const r = runCli(["generate", "--config", config, "--out", join(dir, "out")], { cwd: dir });
  assert.is(r.status, 0, r.stderr);
  assert.not.ok(existsSync(marker), "the payload ran");
  assert.match(readFileSync(config, "utf8"), "abc*\\/import");
});

test("import --cruft: odd but printable metadata is written verbatim-escaped, and the config loads", () => {
  const dir = tempDir("dd-hostile-");
  const file = cruftWith(dir, (d) => {
    d.template = String.raw`C:\templates\dioptra /* not a comment`;
    d.directory = "dir with `backticks` and ${braces}";
  });
  const out = join(dir, "deployment.config.ts");
  const r = runCli(["import", "--cruft", file, "--out", out], { cwd: dir });
  assert.is(r.status, 0, r.stderr);
  const text = readFileSync(out, "utf8");
  assert.match(text.replace(/\n \* /g, " "), String.raw`C:\\templates\\dioptra /* not a comment`);
  const g = runCli(["generate", "--config", out, "--out", join(dir, "out")], { cwd: dir });
  assert.is(g.status, 0, g.stderr);
});

/** Issues of some props, as the CLI prints them. */
const issuesOf = (props: DeploymentProps): Issue[] => [...deployment(props).resolve().issues];
const printed = (props: DeploymentProps) => issuesOf(props).map(formatIssue).join("\n");

/** Asserts `props` is refused at `path`, located (at this file, where deployment() was called). */
function refused(props: DeploymentProps, path: string, message?: string | RegExp): void {
  const issues = issuesOf(props);
  const hit = issues.find((i) => i.path === path);
  assert.ok(hit, `not refused at ${path}: ${issues.map(formatIssue).join("; ") || "accepted"}`);
  assert.ok(hit!.location?.includes("hostile.test"), `not located: ${formatIssue(hit!)}`);
  if (message) assert.match(hit!.message, message);
}
const accepted = (props: DeploymentProps) => assert.equal(issuesOf(props).map(formatIssue), []);

const label = (n: number, c = "a") => c.repeat(n);
const host = (labels: number[]) => labels.map((n) => label(n)).join(".");

test("names: DNS, Docker and kernel limits on every name", () => {
  refused({ nginx: { serverName: label(100_000) } }, "nginx.serverName");
  refused({ nginx: { serverName: host([64, 3]) } }, "nginx.serverName");
  refused({ nginx: { serverName: host([63, 63, 63, 63]) } }, "nginx.serverName"); // 255 characters
  accepted({ nginx: { serverName: host([63, 63, 63, 61]) } }); // 253
  refused({ registry: `${label(64)}.example.org` }, "registry");
  refused({ registry: `registry.example.org/${label(300)}` }, "registry");
  refused({ namespace: `${label(200)}/${label(100)}` }, "namespace");
  refused({ tag: label(129) }, "tag");
  accepted({ tag: label(128) });
  refused({ images: { restapi: `${label(256)}:1` } }, "images.restapi");
  refused({ images: { restapi: { image: label(256) } } }, "images.restapi");
  refused({ customContainers: { [label(64)]: { image: "x:1" } } }, `customContainers.${label(64)}`);
  refused({ customContainers: { k: { image: "x:1", hostname: label(64) } } }, "customContainers.k.hostname");
  refused({ customContainers: { k: { image: `x:${label(129)}` } } }, "customContainers.k.image");
  refused({ customContainers: { k: { image: "x:1", waitFor: [`${label(64)}:80`] } } }, "customContainers.k.waitFor.0");
  refused({ volumes: { [label(191)]: { type: "driver" } } }, `volumes.${label(191)}`);
  refused({ volumes: { n: { type: "nfs", server: host([64]), export: "/x" } } }, "volumes.n.server");
  refused({ pgadmin: { defaultEmail: `${label(65)}@example.org` } }, "pgadmin.defaultEmail");
  refused({ systemd: { requiredMounts: [`${label(260)}.mount`] } }, "systemd.requiredMounts.0");
  refused({ datasetsDirectory: `/${label(256)}` }, "datasetsDirectory");
  refused({ environments: { [label(201)]: {} } }, `environments.${label(201)}`);
});

test("names: the longest host name accepted passes nginx -t", () => {
  if (!canRunNginx()) return;
  const spec = deployment({ nginx: { serverName: host([63, 63, 63, 61]) } }).toSpec();
  const confs = new Map(synth(spec).filter((f) => f.path.startsWith(`${NGINX_CONF_DIR}/`)).map((f) => [basename(f.path), f.content]));
  const r = nginxCheck(confs, "http");
  assert.is(r.status, 0, r.output);
});

test("hostIp is an IPv4 or IPv6 address", () => {
  const port = (hostIp: string): DeploymentProps => ({ customContainers: { k: { image: "x:1", ports: [{ host: 8080, container: 80, hostIp }] } } });
  for (const bad of ["abc", "256.1.1.1", "1.2.3", "1::2::3", "::g", "[::1", "1.2.3.4.5", "12345::", "", "localhost"]) refused(port(bad), "customContainers.k.ports.0.hostIp");
  for (const good of ["127.0.0.1", "0.0.0.0", "::", "::1", "[::1]", "fe80::1:2", "::ffff:10.0.0.1", "2001:db8:0:0:0:0:0:1"]) accepted(port(good));
  assert.equal([ipFamily("10.0.0.1"), ipFamily("::1"), ipFamily("[::]"), ipFamily("abc")], [4, 6, 6, 0]);
});

test("port clash check: 0.0.0.0 and :: take every address of their family", () => {
  const on = (hostIp: string, host = 80): DeploymentProps => ({ customContainers: { k: { image: "x:1", ports: [{ host, container: 80, hostIp }] } } });
  // nginx publishes 80 on 127.0.0.1 by default.
  refused(on("0.0.0.0"), "customContainers.k.ports.0.host", /already published by nginx.httpPort/);
  refused(on("127.0.0.1"), "customContainers.k.ports.0.host");
  accepted(on("127.0.0.2"));
  accepted(on("::"));
  refused({ customContainers: { a: { image: "x:1", ports: [{ host: 9000, container: 1, hostIp: "::" }] }, b: { image: "x:1", ports: [{ host: 9000, container: 1, hostIp: "0:0::1" }] } } }, "customContainers.b.ports.0.host");
  assert.ok(addressesOverlap("", "::1"));
  assert.ok(addressesOverlap("[::]", "::1"));
  assert.ok(addressesOverlap("::1", "0:0:0:0:0:0:0:1"));
  assert.not.ok(addressesOverlap("0.0.0.0", "::1"));
  assert.not.ok(addressesOverlap("10.0.0.1", "10.0.0.2"));
});

test("overlays: Compose's interpolation rules, at the value's setting", () => {
  const svc = "dioptra-deployment-restapi";
  const overlay = (v: string): DeploymentProps => ({ overrides: { services: { [svc]: { labels: { x: v } } } } });
  for (const bad of ["$(id)", "a $ b", "${", "${A", "$1", "${A B}", "$$$("]) refused(overlay(bad), `overrides.services.${svc}.labels.x`, /write "\$\$"/);
  for (const good of ["$$(id)", "${A}", "${A:-x y}", "${A?err}", "$A", "cost: $$5", "${A:+set}"]) accepted(overlay(good));
  refused({ environments: { dev: { services: { [svc]: { command: ["sh", "-c", "echo $(id)"] } } } } }, `environments.dev.services.${svc}.command.2`);
});

test("NUL is refused in every string, at its setting", () => {
  const nul = "a\0b";
  const props: DeploymentProps = {
    name: nul,
    customContainers: { k: { image: "x:1", command: [nul], entrypoint: [nul], healthcheck: { test: [nul] }, environment: { E: nul } } },
    volumes: { v: { type: "driver", driverOpts: { o: nul } } },
    overrides: { services: { "dioptra-deployment-restapi": { labels: { l: nul } } } },
  };
  for (const path of [
    "name",
    "customContainers.k.command.0",
    "customContainers.k.entrypoint.0",
    "customContainers.k.healthcheck.test.0",
    "customContainers.k.environment.E",
    "volumes.v.driverOpts.o",
    "overrides.services.dioptra-deployment-restapi.labels.l",
  ])
    refused(props, path, /NUL/);
});

test("prototype keys are refused in the DSL, and never reach Object.prototype", () => {
  const props = JSON.parse('{"volumes": {"__proto__": {"type": "driver"}}, "customContainers": {"constructor": {"image": "x:1"}}}') as DeploymentProps;
  refused(props, "volumes.__proto__", /prototype/);
  refused(props, "customContainers.constructor", /prototype/);
  assert.is(({} as Record<string, unknown>).type, undefined);
});

/** A config file in a fresh folder, for the CLI. */
function configFile(body: string): { dir: string; file: string } {
  const dir = tempDir("dd-hostile-");
  const file = join(dir, "deployment.config.ts");
  writeFileSync(file, `import { deployment } from "dioptra-deploy";\n\nexport default deployment(${body});\n`);
  return { dir, file };
}

test("set: paths through __proto__, constructor or prototype are refused, located, exit 1, nothing polluted", async () => {
  const { dir, file } = configFile(`{\n  nginx: { serverName: "a.example.org" },\n}`);
  const before = readFileSync(file, "utf8");
  for (const arg of ["__proto__.x=1", "nginx.__proto__.polluted=1", "nginx.constructor.prototype.x=1"]) {
    const r = runCli(["set", arg, "--config", file], { cwd: dir });
    assert.is(r.status, 1, `${arg}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`deployment\\.config\\.ts:\\d+:\\d+  ${arg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: ".*" cannot be a setting name`));
    assert.not.match(r.stderr, /\n\s+at /, "a stack trace");
  }
  const r = runCli(["set", "--unset", "prototype", "--config", file], { cwd: dir });
  assert.is(r.status, 1, r.stderr);
  assert.is(readFileSync(file, "utf8"), before);
  // In-process too: the prototype stays clean.
  const err: string[] = [];
  assert.is(await runSet(["__proto__.polluted=1", "--config", file], { out: () => {}, err: (s) => err.push(s) }), 1);
  assert.is(({} as Record<string, unknown>).polluted, undefined);
  assert.is(readFileSync(file, "utf8"), before);
});

test("keys holding a line break are reported on one line, at the config's line", () => {
  const { dir, file } = configFile(`{\n  customContainers: {\n    ok: { image: "x:1", environment: { "A\\nB": "1" } },\n  },\n}`);
  const r = runCli(["generate", "--config", file, "--out", join(dir, "out")], { cwd: dir });
  assert.is(r.status, 1, r.stderr);
  const line = r.stderr.split("\n").find((l) => l.includes("customContainers.ok.environment"));
  assert.ok(line, r.stderr);
  assert.match(line!, /^deployment\.config\.ts:5:\d+  customContainers\.ok\.environment\.A\\nB: /);
  assert.not.match(r.stderr, /dsl\//);
  assert.not.ok(existsSync(join(dir, "out")), "out/ was written");
  assert.is(printed({ volumes: { "a\u2028b": { type: "driver" } } }).split("\n").length, 1);
});

test("import --compose warns on docker.sock mounts, host-root binds, privileged, cap_add, host network and PID", () => {
  const dir = tempDir("dd-hostile-");
  const override = join(dir, "docker-compose.override.yml");
  writeFileSync(
    override,
    [
      "services:",
      "  tool:",
      "    image: tool:1",
      "    privileged: true",
      "    cap_add: [SYS_ADMIN]",
      "    network_mode: host",
      "    pid: host",
      "    volumes:",
      "      - /var/run/docker.sock:/var/run/docker.sock",
      "      - /:/host",
      "      - type: bind",
      "        source: /run/docker.sock",
      "        target: /docker.sock",
      "        read_only: true",
      "",
    ].join("\n"),
  );
  const out = join(dir, "deployment.config.ts");
  const r = runCli(["import", "--cruft", join(FIXTURES, "default", "cruft.json"), "--compose", "docker-compose.override.yml", "--out", out], { cwd: dir });
  assert.is(r.status, 0, r.stderr);
  for (const w of [
    "services.tool.privileged: privileged: true",
    "services.tool.cap_add: cap_add",
    "services.tool.network_mode: network_mode: host",
    "services.tool.pid: pid: host",
    'socket "/var/run/docker.sock" (read-write)',
    'socket "/run/docker.sock" (read-only)',
    'root folder "/" read-write',
  ])
    assert.match(r.stderr, `warning: docker-compose.override.yml: ${w}`.replace("docker-compose.override.yml: socket", "docker-compose.override.yml: services.tool.volumes: mounts the container engine's socket").replace("docker-compose.override.yml: root", "docker-compose.override.yml: services.tool.volumes: mounts the host's root"));
});

test("init: a .env without the secrets is completed, never left with blank passwords", async () => {
  const out = await freshFixtureOut("default");
  writeFileSync(join(out, ".env"), "COMPOSE_PROJECT_NAME=dioptra-deployment\n", { mode: 0o600 });
  const r = runScript(out, "init-deployment.sh", ["--secrets-only"], restrictedPath(["base64", "dirname", "head", "mkdir", "tail", "tr"]));
  assert.is(r.status, 0, r.stderr);
  const env = readFileSync(join(out, ".env"), "utf8");
  for (const key of ["MINIO_ROOT_PASSWORD", "POSTGRES_USER_DIOPTRA_PASSWORD", "PGADMIN_DEFAULT_PASSWORD"]) assert.match(env, new RegExp(`^${key}=[A-Za-z0-9_-]{32}$`, "m"));
  // Compose reads the same values.
  const ws = readFileSync(join(out, "secrets/dioptra-deployment-minio-accounts.env"), "utf8");
  assert.is(/^MINIO_ROOT_PASSWORD=(.*)$/m.exec(ws)![1], /^MINIO_ROOT_PASSWORD=(.*)$/m.exec(env)![1]);
});

test.run();
