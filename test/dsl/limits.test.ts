/**
 * The limits of dsl/limits.ts, through the shipped CLI: each absurd input is
 * one located error, exit 1, nothing written, found before the work that
 * would grow with it (times and memory are measured by hand, see README:
 * the tests only prove the refusal).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { LIMITS, limitProblems, sizeProblems } from "../../dsl/limits.js";
import { FIXTURES, runCli, tempDir } from "../helpers.js";

const CRUFT = join(FIXTURES, "default", "cruft.json");

function configIn(body: string): { dir: string; config: string } {
  const dir = tempDir("dd-limits-");
  const config = join(dir, "deployment.config.ts");
  writeFileSync(config, `import { deployment } from "dioptra-deploy";\nexport default deployment({\n${body}\n});\n`);
  return { dir, config };
}

test("generate: a million workers, too many in all, an overlong string: located errors, nothing written", () => {
  const { dir, config } = configIn(
    [
      "  workers: { tensorflowCpu: 1000000, pytorchCpu: { count: 1001 } },",
      `  customContainers: { big: { image: "x:1", environment: { A: "${"y".repeat(LIMITS.stringLength + 1)}" } } },`,
    ].join("\n"),
  );
  const out = join(dir, "out");
  const r = runCli(["generate", "--config", config, "--out", out]);
  assert.is(r.status, 1, r.stderr);
  assert.match(r.stderr, /deployment\.config\.ts:3:\d+ {2}workers\.tensorflowCpu: 1000000 workers in one pool; at most 1000/);
  assert.match(r.stderr, /deployment\.config\.ts:3:\d+ {2}workers\.pytorchCpu\.count: 1001 workers in one pool; at most 1000/);
  assert.match(r.stderr, /deployment\.config\.ts:4:\d+ {2}customContainers\.big\.environment\.A: is 65537 characters long; at most 65536/);
  assert.ok(r.stderr.length < 2000, "an error line quotes a huge value whole");
  assert.not.ok(existsSync(out));
  assert.not.match(r.stderr, /\n\s+at |Invalid string length/);
});

test("the limits are the table's: per pool, in all (custom containers count), nesting, values", () => {
  assert.equal(limitProblems({ workers: { tensorflowCpu: 1000, pytorchCpu: 1000 } }), []);
  assert.equal(limitProblems({ workers: { tensorflowCpu: 1000, pytorchCpu: 1000 }, customContainers: { a: {} } }).map(([p]) => p), ["workers"]);
  let deep: unknown = "x";
  for (let i = 0; i < LIMITS.depth + 1; i++) deep = { a: deep };
  assert.match(sizeProblems(deep)[0]![1], "nests deeper than 32");
  assert.match(sizeProblems(Array.from({ length: LIMITS.values + 1 }, () => 1))[0]![1], "entries");
});

test("set: workers.tensorflowCpu=1e8 and an overlong value are refused at the setting, the file unchanged", () => {
  const { config } = configIn("  workers: { tensorflowCpu: 2 },");
  const before = readFileSync(config, "utf8");
  const r = runCli(["set", "workers.tensorflowCpu=1e8", "--config", config]);
  assert.is(r.status, 1, r.stderr);
  assert.match(r.stderr, /deployment\.config\.ts:3:\d+ {2}workers\.tensorflowCpu=1e8: 100000000 workers in one pool; at most 1000/);
  const long = runCli(["set", `nginx.serverName=${"a".repeat(LIMITS.stringLength + 10)}`, "--config", config]);
  assert.is(long.status, 1, long.stderr);
  assert.match(long.stderr, /^error: nginx\.serverName=a{83}… \(65563 characters\): 65563 characters; a value has at most 65536; nothing changed$/m);
  assert.is(readFileSync(config, "utf8"), before);
});

test("import: a huge worker count, an oversized or non-regular or non-UTF-8 file, a deeply nested override: one line each, nothing written", () => {
  const dir = tempDir("dd-limits-import-");
  const out = join(dir, "config", "deployment.config.ts");
  const cruft = JSON.parse(readFileSync(CRUFT, "utf8")) as { context: { cookiecutter: Record<string, string> } };
  const file = (name: string, content: string | Buffer) => {
    writeFileSync(join(dir, name), content);
    return join(dir, name);
  };
  cruft.context.cookiecutter.num_tensorflow_cpu_workers = "1000000";
  const cases: [args: string[], message: RegExp][] = [
    [["--cruft", file("workers.json", JSON.stringify(cruft))], /workers\.json: num_tensorflow_cpu_workers: "1000000": 1000000 workers in one pool; at most 1000/],
    [["--cruft", file("big.json", `{"a": "${"x".repeat(LIMITS.inputBytes)}"}`)], /big\.json is 1024 KiB; at most 1024 KiB is read/],
    [["--cruft", file("latin1.json", Buffer.from('{"deployment_name": "caf\xe9"}', "latin1"))], /latin1\.json is not UTF-8 text \(byte 25\)/],
    [["--cruft", CRUFT, "--compose", file("latin1.yml", Buffer.from("services:\n  caf\xe9: {}\n", "latin1"))], /latin1\.yml is not UTF-8 text/],
    [["--cruft", CRUFT, "--compose", file("flow.yml", `${"[".repeat(200000)}${"]".repeat(200000)}`)], /flow\.yml:1: nests deeper than 32 levels/],
    [["--cruft", CRUFT, "--compose", file("block.yml", `services:\n  x:\n    labels:\n      ${"a: {".repeat(40)}${"}".repeat(40)}\n`)], /block\.yml: services\.x\.labels(\.a)+: nests deeper than 32 levels/],
    [["--cruft", CRUFT, "--compose", file("huge.yml", `services:\n${"  # padding\n".repeat(200000)}`)], /huge\.yml is 2344 KiB; at most 1024 KiB is read/],
  ];
  for (const [args, message] of cases) {
    const r = runCli(["import", ...args, "--out", out, "--dioptra", "1.0"]);
    assert.is(r.status, 1, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.not.match(r.stderr, /\n\s+at |Maximum call stack|run with --debug/);
    assert.not.ok(existsSync(out), "nothing written");
  }
});

test("import: /dev/zero or a folder as input is a usage error, read not at all", () => {
  const r = runCli(["import", "--cruft", "/dev/zero", "--out", join(tempDir("dd-limits-"), "c.config.ts"), "--dioptra", "1.0"]);
  assert.is(r.status, 2, r.stderr);
  assert.match(r.stderr, "cannot read /dev/zero: not a regular file");
});

test("generate: a config that is not UTF-8 is refused, not read as U+FFFD", () => {
  const dir = tempDir("dd-limits-");
  const config = join(dir, "deployment.config.ts");
  writeFileSync(config, Buffer.from('import { deployment } from "dioptra-deploy";\nexport default deployment({ name: "caf\xe9" });\n', "latin1"));
  const r = runCli(["generate", "--config", config, "--out", join(dir, "out")]);
  assert.is(r.status, 1, r.stderr);
  assert.match(r.stderr, "deployment.config.ts: not UTF-8 text; save the config as UTF-8");
});

test.run();
