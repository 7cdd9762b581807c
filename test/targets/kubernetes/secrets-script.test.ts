/**
 * kubernetes/create-secrets.sh passes shellcheck and, against a stub
 * kubectl that records what it is given, creates the three Secrets with
 * values drawn once and shared where the deployment shares them, prints
 * none of them, leaves no file behind, keeps a complete set and refuses a
 * partial one.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { haveTool, tempDir } from "../../helpers.js";
import { propsOut } from "../../init/support.js";

const out = propsOut({ kubernetes: { namespace: "lab" }, customContainers: { side: { image: "s:1", environment: { TOKEN: { interpolate: "${SIDE_TOKEN}", secret: true } } } } });
const SCRIPT = join(out, "kubernetes", "create-secrets.sh");

test("create-secrets.sh passes shellcheck", () => {
  if (!haveTool("shellcheck")) return;
  const r = spawnSync("shellcheck", ["-x", SCRIPT], { encoding: "utf8" });
  assert.is(r.status, 0, r.stdout);
});

/** A kubectl that answers `get secret` with `present` and copies each created Secret's files into `record`. */
function stub(present: readonly string[]): { bin: string; record: string; tmp: string } {
  const bin = tempDir("dd-kubectl-stub-");
  const record = tempDir("dd-kubectl-record-");
  const tmp = tempDir("dd-kubectl-tmp-");
  writeFileSync(
    join(bin, "kubectl"),
    `#!/usr/bin/env bash
set -euo pipefail
echo "$*" >>${record}/calls
case "$1 $2" in
  "apply -f") exit 0 ;;
  "get secret") name="\${!#}"; for p in ${present.join(" ")}; do [[ "$p" == "$name" ]] && exit 0; done; exit 1 ;;
  "label secret") exit 0 ;;
  "create secret")
    name="$6"; mkdir -p "${record}/\${name}"
    for a in "$@"; do
      case "$a" in
        --from-env-file=*) cp "\${a#*=}" "${record}/\${name}/env" ;;
        --from-file=*) kv="\${a#--from-file=}"; cp "\${kv#*=}" "${record}/\${name}/\${kv%%=*}" ;;
      esac
    done ;;
  *) echo "unexpected: $*" >&2; exit 3 ;;
esac
`,
  );
  chmodSync(join(bin, "kubectl"), 0o755);
  return { bin, record, tmp };
}

const run = (s: ReturnType<typeof stub>) => spawnSync("bash", [SCRIPT], { encoding: "utf8", env: { ...process.env, PATH: `${s.bin}:${process.env.PATH}`, TMPDIR: s.tmp } });
const envOf = (text: string) => Object.fromEntries(text.trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));

test("creates the three Secrets, values shared where the deployment shares them, none printed or left behind", () => {
  const s = stub([]);
  const r = run(s);
  assert.is(r.status, 0, r.stderr);
  const env = envOf(readFileSync(join(s.record, "dioptra-deployment-env", "env"), "utf8"));
  const minio = envOf(readFileSync(join(s.record, "dioptra-deployment-minio-accounts", "minio-accounts.env"), "utf8"));
  const admin = readFileSync(join(s.record, "dioptra-deployment-postgres", "postgres-passwd"), "utf8");
  assert.match(admin, /^[A-Za-z0-9_-]{32}$/, "the admin password alone, no newline");
  assert.match(env.REDIS_PASSWORD!, /^[A-Za-z0-9_-]{32}$/);
  assert.is(env.RQ_REDIS_URI, `redis://:${env.REDIS_PASSWORD}@dioptra-deployment-redis:6379/0`);
  assert.is(env.DIOPTRA_RESTAPI_DATABASE_URI, `postgresql://dioptra:${env.POSTGRES_USER_DIOPTRA_PASSWORD}@dioptra-deployment-db/restapi`);
  assert.is(minio.MINIO_ROOT_PASSWORD, env.MINIO_ROOT_PASSWORD);
  assert.is(minio.MINIO_WORKER_PASSWORD, env.WORKER_AWS_SECRET_ACCESS_KEY);
  assert.match(env.SIDE_TOKEN!, /^[A-Za-z0-9_-]{32}$/, "the config's own secret");
  assert.ok(!("COMPOSE_PROJECT_NAME" in env));
  assert.is(new Set([env.REDIS_PASSWORD, env.MINIO_ROOT_PASSWORD, admin, env.DIOPTRA_WORKER_PASSWORD]).size, 4, "each drawn on its own");
  for (const v of [admin, env.REDIS_PASSWORD!, env.MINIO_ROOT_PASSWORD!]) assert.not.ok(`${r.stdout}${r.stderr}`.includes(v), "a value was printed");
  assert.equal(readdirSync(s.tmp), [], "the temporary folder is removed");
  assert.match(readFileSync(join(s.record, "calls"), "utf8"), /create secret generic --namespace lab dioptra-deployment-env/);
  const again = stub([]);
  run(again);
  assert.is.not(envOf(readFileSync(join(again.record, "dioptra-deployment-env", "env"), "utf8")).REDIS_PASSWORD, env.REDIS_PASSWORD, "a second cluster gets its own");
});

test("keeps a complete set and refuses a partial one", () => {
  const all = stub(["dioptra-deployment-env", "dioptra-deployment-postgres", "dioptra-deployment-minio-accounts"]);
  const kept = run(all);
  assert.is(kept.status, 0, kept.stderr);
  assert.match(kept.stdout, /kept as they are/);
  assert.not.ok(existsSync(join(all.record, "dioptra-deployment-env")));
  const some = stub(["dioptra-deployment-env"]);
  const refused = run(some);
  assert.is(refused.status, 1);
  assert.match(refused.stderr, /only some of .* exist in lab; their values are shared/);
  mkdirSync(join(some.record, "x"), { recursive: true });
  assert.equal(readdirSync(some.record).sort(), ["calls", "x"], "nothing created");
});

test.run();
