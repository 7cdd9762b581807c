/**
 * Names and paths from someone else, through the shipped CLI: `--out` never
 * the home folder or a system folder; server names that are DNS host names
 * only; control characters escaped in everything printed; variables named
 * like Object's own properties still unknown; a folder the user cannot
 * write is one located line, not a stack.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { escapeControls } from "../../cli/io.js";
import { CLI, FIXTURES, runCli, tempDir } from "../helpers.js";

function configIn(body: string): { dir: string; config: string } {
  const dir = tempDir("dd-names-");
  const config = join(dir, "deployment.config.ts");
  writeFileSync(config, `import { deployment } from "dioptra-deploy";\nexport default deployment({${body}});\n`);
  return { dir, config };
}

test("--out refuses the home folder and system folders, before writing anything", () => {
  const { dir, config } = configIn("");
  const home = join(dir, "home");
  mkdirSync(home);
  for (const [out, what] of [[home, "your home folder"], ["/etc", "a system folder"], ["/usr", "a system folder"], ["/var/lib", "a system folder"], ["/", "the file system's root"]]) {
    const r = runCli(["generate", "--config", config, "--out", out!], { env: { HOME: home } });
    assert.is(r.status, 1, `${out}: ${r.stderr}`);
    assert.match(r.stderr, what!, out);
    assert.not.ok(existsSync(join(out!, ".dioptra-manifest.json")), `${out} was written`);
  }
  // A folder of its own inside them is fine.
  mkdirSync(join(home, "lab"));
  const r = runCli(["generate", "--config", config, "--out", join(home, "lab", "out")], { env: { HOME: home } });
  assert.is(r.status, 0, r.stderr);
});

test("nginx.serverName must be a DNS host name: no wildcard, no _", () => {
  const { dir, config } = configIn('\n  nginx: { serverName: "*.example.org" },\n');
  const r = runCli(["generate", "--config", config, "--out", join(dir, "out")]);
  assert.is(r.status, 1);
  assert.match(r.stderr, /deployment\.config\.ts:3:\d+ {2}nginx\.serverName: "\*\.example\.org" is not a single host name/);
  for (const name of ["_", "lab_1.example.org", "example.*", "-lab.example.org"]) {
    const s = runCli(["set", `nginx.serverName=${name}`, "--config", config]);
    assert.is(s.status, 1, name);
    assert.match(s.stderr, "is not a single host name", name);
  }
  assert.is(runCli(["set", "nginx.serverName=lab-1.example.org", "--config", config]).status, 0);
});

test("control characters in names reach the terminal escaped: override services, set arguments, unknown variables", () => {
  const dir = tempDir("dd-names-");
  const override = join(dir, "override.yml");
  writeFileSync(override, 'services:\n  "evil\\e]0;owned\\a\\u009b2J":\n    image: busybox\n');
  const vars = join(dir, "vars.json");
  writeFileSync(vars, JSON.stringify({ "x\u001b[2Jy": "1", "z\u2028": "2" }));
  const runs = [
    runCli(["import", "--cruft", join(FIXTURES, "default", "cruft.json"), "--compose", override, "--out", join(dir, "a.config.ts")]),
    runCli(["import", "--cruft", vars, "--out", join(dir, "b.config.ts"), "--dioptra", "1.0"]),
    runCli(["set", "nginx.serverName=a\u001b[31mb", "--config", configIn("").config]),
  ];
  const said = runs.map((r) => `${r.stdout}${r.stderr}`).join("");
  assert.match(said, "evil\\x1b]0;owned\\x07\\x9b2J");
  assert.match(said, "unknown template variable x\\x1b[2Jy");
  assert.match(said, "z\\u2028");
  // eslint-disable-next-line no-control-regex
  assert.not.match(said, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/, "a raw control character was printed");
});

test("the escaping keeps line breaks, tabs and, only when asked, colour sequences", () => {
  assert.is(escapeControls("a\n\tb\r\u0000\u007f\u0085\u2029"), "a\n\tb\\x0d\\x00\\x7f\\x85\\u2029");
  assert.is(escapeControls("\u001b[31mred\u001b[0m", true), "\u001b[31mred\u001b[0m");
  assert.is(escapeControls("\u001b[31mred\u001b]0;t\u0007", true), "\u001b[31mred\\x1b]0;t\\x07");
  assert.is(escapeControls("\u001b[2J"), "\\x1b[2J");
});

test("template variables named like Object's own properties are unknown, with a warning each", () => {
  const dir = tempDir("dd-names-");
  const vars = join(dir, "vars.json");
  writeFileSync(vars, '{"constructor": "1", "toString": "x", "hasOwnProperty": "2", "__proto__": {"deployment_name": "p"}}');
  const r = runCli(["import", "--cruft", vars, "--out", join(dir, "c.config.ts"), "--dioptra", "1.0"]);
  assert.is(r.status, 0, r.stderr);
  for (const name of ["constructor", "toString", "hasOwnProperty", "__proto__"]) assert.match(r.stderr, `warning: unknown template variable ${name} (ignored)`);
  assert.not.match(readFileSync(join(dir, "c.config.ts"), "utf8"), /name:/);
});

test("a user who cannot write the output folder (or the shared cache) gets one located line, no stack", () => {
  if (process.getuid?.() !== 0) {
    console.log("  (skipping: dropping to another user needs root)");
    return;
  }
  const dir = tempDir("dd-names-");
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, "deployment.config.ts"), 'import { deployment } from "dioptra-deploy";\nexport default deployment({});\n');
  mkdirSync(join(dir, "out"), { mode: 0o555 });
  chmodSync(join(dir, "out"), 0o555);
  // nobody: the package's cache (root's) and the output folder are not theirs to write.
  const r = spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, CLI, "generate", "--out", "out"], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: dir },
    encoding: "utf8",
  });
  assert.is(r.status, 1, r.stderr);
  assert.match(r.stderr, /^error: \/\S+\/out\/\.dioptra-lock\S*: permission denied \(open\)$/m);
  assert.is(r.stderr.trim().split("\n").length, 1, r.stderr);
});

test.run();
