/**
 * scripts/git-clone.sh against a real git server on loopback (git
 * http-backend behind a small HTTP server that wants the token): the clone
 * works with GIT_ACCESS_TOKEN, and the token is nowhere afterwards: not in any
 * file of the clone (.git/config, the remote URL), not in a credential store
 * the host configured, not in git's command line.
 */
import { spawn, spawnSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { IN_CI, tempDir as newTempDir } from "../../helpers.js";
import { fixtureOut, stubPath, which } from "../../init/support.js";

const made: string[] = [];
const tempDir = (prefix: string) => {
  const dir = newTempDir(prefix);
  made.push(dir);
  return dir;
};
test.after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

const TOKEN = "tok-7f3a9c1e55d2b0a4e8c6";
const USER = "lab-user";

const gitBackend = (() => {
  const r = spawnSync("git", ["--exec-path"], { encoding: "utf8" });
  const path = r.status === 0 ? join(r.stdout.trim(), "git-http-backend") : "";
  return existsSync(path) ? path : undefined;
})();

/** A bare repository with one commit, served under /lab/repo.git. */
function bareRepository(): string {
  const root = tempDir("dd-git-srv-");
  const work = join(root, "work");
  mkdirSync(work);
  const git = (cwd: string, ...args: string[]) => {
    const r = spawnSync("git", args, { cwd, encoding: "utf8", env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" } });
    assert.is(r.status, 0, r.stderr);
  };
  git(work, "init", "-q", "-b", "main");
  writeFileSync(join(work, "README"), "plugins\n");
  git(work, "add", "README");
  git(work, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "first");
  mkdirSync(join(root, "lab"));
  git(root, "clone", "-q", "--bare", work, join(root, "lab", "repo.git"));
  return root;
}

/** git http-backend (CGI) on 127.0.0.1, answering 401 unless Basic credentials carry TOKEN. */
function serve(projectRoot: string): Promise<Server> {
  const server = createServer((req, res) => {
    const auth = req.headers.authorization ?? "";
    const [user, token] = Buffer.from(auth.replace(/^Basic /, ""), "base64").toString().split(":");
    if (!auth.startsWith("Basic ") || token !== TOKEN) {
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="lab"' }).end();
      return;
    }
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const cgi = spawn(gitBackend!, [], {
      env: {
        GIT_PROJECT_ROOT: projectRoot,
        GIT_HTTP_EXPORT_ALL: "1",
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method ?? "GET",
        CONTENT_TYPE: req.headers["content-type"] ?? "",
        REMOTE_USER: user ?? "",
        PATH: process.env.PATH ?? "",
      },
    });
    req.pipe(cgi.stdin);
    const chunks: Buffer[] = [];
    cgi.stdout.on("data", (c: Buffer) => chunks.push(c));
    cgi.on("close", () => {
      const out = Buffer.concat(chunks);
      const end = out.indexOf("\r\n\r\n");
      const head = out.subarray(0, end).toString().split("\r\n");
      const headers: Record<string, string> = {};
      let status = 200;
      for (const line of head) {
        const [k, ...v] = line.split(":");
        if (k!.toLowerCase() === "status") status = Number.parseInt(v.join(":").trim(), 10);
        else headers[k!] = v.join(":").trim();
      }
      res.writeHead(status, headers).end(out.subarray(end + 4));
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

interface Run {
  status: number | null;
  output: string;
}

/** Runs bash with args in cwd, asynchronously (the server answers from this process). */
function run(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(which("bash"), args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    p.stdout.on("data", (c) => (output += c));
    p.stderr.on("data", (c) => (output += c));
    p.on("close", (status) => resolve({ status, output }));
  });
}

/** Every file under dir (the clone with its .git, a home folder) that holds `needle`. */
function filesHolding(dir: string, needle: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => {
    const p = join(dir, f);
    return statSync(p).isFile() && readFileSync(p).includes(needle);
  });
}

/**
 * A host as init's volumes job sees it: a home folder whose git
 * configuration stores credentials, and a `git` that logs its arguments.
 */
function host(): { home: string; argv: string; env: NodeJS.ProcessEnv } {
  const home = tempDir("dd-git-home-");
  writeFileSync(join(home, ".gitconfig"), "[credential]\n\thelper = store\n");
  const argv = join(home, "git-argv.log");
  const stub = stubPath({ git: `printf '%s\\n' "$@" >>${JSON.stringify(argv)}\nexec ${JSON.stringify(which("git"))} "$@"` });
  return { home, argv, env: { PATH: `${stub}:${process.env.PATH ?? ""}`, HOME: home, LC_ALL: "C" } };
}

/** Where the token leaked: files under the clone or the home folder, git's arguments. */
function leaks(dest: string, h: ReturnType<typeof host>): string[] {
  return [...filesHolding(dest, TOKEN).map((f) => `clone: ${f}`), ...filesHolding(h.home, TOKEN).map((f) => `home: ${f}`)];
}

const available = () => {
  if (gitBackend) return true;
  if (IN_CI) throw new Error("git http-backend is required under CI");
  console.log("  (skipping the git-clone.sh tests: git http-backend is not installed)");
  return false;
};

test("git-clone.sh clones a private repository over HTTP with GIT_ACCESS_TOKEN and stores the token nowhere", async () => {
  if (!available()) return;
  const server = await serve(bareRepository());
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/lab/repo.git`;
    const out = await fixtureOut("default");
    const id = `${process.getuid!()}:${process.getgid!()}`;
    const h = host();
    const dest = tempDir("dd-git-dest-");
    const args = [join(out, "scripts", "git-clone.sh"), "--chown", id, url, dest];

    // Without the token the server refuses, and the script says why it might have failed.
    const refused = await run(args, { ...h.env, GIT_ACCESS_USER: USER }, dest);
    assert.is.not(refused.status, 0, refused.output);
    assert.match(refused.output, "GIT_ACCESS_TOKEN is not set");

    const r = await run(args, { ...h.env, GIT_ACCESS_USER: USER, GIT_ACCESS_TOKEN: TOKEN }, dest);
    assert.is(r.status, 0, r.output);
    assert.is(readFileSync(join(dest, "repo", "README"), "utf8"), "plugins\n");
    assert.equal(leaks(dest, h), [], "the token was stored");
    assert.not.match(readFileSync(h.argv, "utf8"), TOKEN, "the token was in git's arguments");
    assert.not.match(r.output, TOKEN, "the token was printed");
    const remote = spawnSync("git", ["-C", join(dest, "repo"), "remote", "get-url", "origin"], { encoding: "utf8" });
    assert.is(remote.stdout.trim(), url, "the remote URL carries credentials");
  } finally {
    server.close();
  }
});

test("the leak check can fail: a clone with the token in its URL, as the script did before, is caught", async () => {
  if (!available()) return;
  const server = await serve(bareRepository());
  try {
    const port = (server.address() as AddressInfo).port;
    const h = host();
    const dest = tempDir("dd-git-dest-");
    const r = await run(["-c", `git clone -q http://${USER}:${TOKEN}@127.0.0.1:${port}/lab/repo.git`], h.env, dest);
    assert.is(r.status, 0, r.output);
    assert.ok(leaks(dest, h).length > 0, "a token in .git/config went unnoticed");
    assert.match(readFileSync(h.argv, "utf8"), TOKEN);
  } finally {
    server.close();
  }
});

test.run();
