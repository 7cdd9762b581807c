/**
 * config/db/init-db.sh and config/minio/*.json against the 1.0 template's
 * renders (../shared/reference/renders/dioptra-1.0) for every fixture: the
 * SQL the script runs (less the listed deviation), the policies as data,
 * the file names. Our script's own text is pinned by test/golden/init-db.sh
 * and its modes by why they matter. The policies also pass a small
 * IAM-shape check, which is itself tested on broken policies; init-minio.sh
 * makes every bucket they name, for each release.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { INIT_DB_PATH, MINIO_POLICY_DIR, MINIO_POLICY_NAMES, policyFileName } from "../generators/db-minio/files.js";
import type { OutFile } from "../files/out-file.js";
import { MARKER } from "../files/marker.js";
import { PROFILES, RELEASES, type DioptraRelease } from "../profiles/index.js";
import { FIXTURES, ROOT, fixtureNames, sharedRender, synthConfig } from "./helpers.js";
import { propsOut, runScript } from "./init/support.js";

const DIRS = ["config/db", "config/minio"];

/**
 * Where the SQL of our init-db.sh differs from the template's, on purpose:
 * the password goes in with each ' doubled (test/postgres.test.ts shows
 * why), through a shell variable the script sets from
 * POSTGRES_USER_DIOPTRA_PASSWORD. Each `from` must occur exactly once in the
 * render's init-db.sql, so a changed template shows up here.
 */
const SQL_DEVIATIONS: readonly (readonly [from: string, to: string])[] = [
  ["ENCRYPTED PASSWORD '${POSTGRES_USER_DIOPTRA_PASSWORD}'", "ENCRYPTED PASSWORD '${dioptra_password_sql}'"],
];

function withDeviations(referenceSql: string): string {
  return SQL_DEVIATIONS.reduce((text, [from, to]) => {
    assert.is(text.split(from).length - 1, 1, `the render's init-db.sql should contain ${JSON.stringify(from)} once`);
    return text.replace(from, () => to);
  }, referenceSql);
}

/**
 * The SQL our init-db.sh runs, in the render's init-db.sql layout: each
 * psql here-document as `\connect DB` (as the script names it, unquoted)
 * followed by its statements.
 */
function sqlOf(script: string): string {
  const blocks = [...script.matchAll(/^psql .*--dbname (\S+) <<-EOSQL\n((?:\t.*\n)*)EOSQL$/gm)];
  assert.ok(blocks.length > 0, "no psql here-document in init-db.sh");
  return blocks.map((m) => [`\\connect ${m[1]!.replace(/^"(.*)"$/, "$1")}`, ...m[2]!.split("\n").filter((l) => l !== "").map((l) => l.slice(1))].join("\n")).join("\n");
}

function stripMarker(text: string): string {
  const lines = text.split("\n");
  assert.is(lines[1], `# ${MARKER}`, "the marker should follow the shebang");
  return [lines[0], ...lines.slice(2)].join("\n");
}

/** The render's config/db and config/minio files by path, or undefined (skipped) without ../shared. */
function referenceFiles(name: string): Map<string, string> | undefined {
  const root = sharedRender("dioptra-1.0", name);
  if (root === undefined) return undefined;
  const out = new Map<string, string>();
  for (const dir of DIRS) {
    for (const f of readdirSync(join(root, dir))) out.set(`${dir}/${f}`, readFileSync(join(root, dir, f), "utf8"));
  }
  return out;
}

/** The render keeps the SQL of the template's init-db.sh as config/db/init-db.sql; ours is the script. */
const REFERENCE_SQL = "config/db/init-db.sql";

async function ourFiles(name: string): Promise<Map<string, OutFile>> {
  const files = await synthConfig(join(FIXTURES, name, "deployment.config.ts"));
  return new Map(files.filter((f) => DIRS.some((d) => f.path.startsWith(`${d}/`))).map((f) => [f.path, f]));
}

const GOLDEN_INIT_DB = join(ROOT, "test", "golden", "init-db.sh");

// ---------------------------------------------------------------- IAM shape

const ACTION = /^(s3|admin):[A-Za-z*]+$/;
/** arn:aws:s3:::bucket or arn:aws:s3:::bucket/key-pattern, with S3's bucket-name rules. */
const S3_ARN = /^arn:aws:s3:::(\*|[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/\S*)?)$/;
const STATEMENT_KEYS = new Set(["Sid", "Effect", "Action", "Resource", "Condition"]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Problems with a parsed policy document, as `path: problem` strings; empty when it has the IAM shape MinIO expects. */
function iamPolicyProblems(doc: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(doc)) return ["policy: not an object"];
  if (doc.Version !== "2012-10-17") problems.push(`Version: ${JSON.stringify(doc.Version)} is not "2012-10-17"`);
  for (const k of Object.keys(doc)) if (k !== "Version" && k !== "Statement" && k !== "Id") problems.push(`${k}: unknown key`);
  if (!Array.isArray(doc.Statement) || doc.Statement.length === 0) return [...problems, "Statement: not a non-empty list"];
  doc.Statement.forEach((st: unknown, i: number) => {
    const at = `Statement[${i}]`;
    if (!isObject(st)) return void problems.push(`${at}: not an object`);
    for (const k of Object.keys(st)) if (!STATEMENT_KEYS.has(k)) problems.push(`${at}.${k}: unknown key`);
    if (st.Effect !== "Allow" && st.Effect !== "Deny") problems.push(`${at}.Effect: ${JSON.stringify(st.Effect)} is not Allow or Deny`);
    const actions = typeof st.Action === "string" ? [st.Action] : st.Action;
    if (!Array.isArray(actions) || actions.length === 0) {
      problems.push(`${at}.Action: not an action or a non-empty list of them`);
    } else {
      for (const a of actions) {
        if (typeof a !== "string" || !ACTION.test(a)) problems.push(`${at}.Action: ${JSON.stringify(a)} is not an s3: or admin: action`);
      }
    }
    if (!Array.isArray(st.Resource) || st.Resource.length === 0) {
      problems.push(`${at}.Resource: not a non-empty list`);
    } else {
      for (const r of st.Resource) {
        if (typeof r !== "string" || !S3_ARN.test(r)) problems.push(`${at}.Resource: ${JSON.stringify(r)} is not an arn:aws:s3::: ARN`);
      }
    }
    if ("Sid" in st && (typeof st.Sid !== "string" || !/^[A-Za-z0-9]*$/.test(st.Sid))) problems.push(`${at}.Sid: not alphanumeric`);
    if ("Condition" in st && !isObject(st.Condition)) problems.push(`${at}.Condition: not an object`);
  });
  return problems;
}

// ---------------------------------------------------------------- against the renders, per fixture

for (const name of fixtureNames()) {
  test(`${name}: config/minio holds the render's policy files, and config/db our script for the render's SQL`, async () => {
    const refs = referenceFiles(name);
    if (refs === undefined) return;
    const expected = [...refs.keys()].map((p) => (p === REFERENCE_SQL ? INIT_DB_PATH : p)).sort();
    assert.ok(refs.has(REFERENCE_SQL), "the render has no init-db.sql");
    assert.equal([...(await ourFiles(name)).keys()].sort(), expected);
  });

  test(`${name}: init-db.sh runs the render's SQL, less the listed deviation`, async () => {
    const refs = referenceFiles(name);
    if (refs === undefined) return;
    const ours = (await ourFiles(name)).get(INIT_DB_PATH)!;
    assert.fixture(sqlOf(ours.content), withDeviations(refs.get(REFERENCE_SQL)!).trimEnd());
  });

  test(`${name}: each policy equals the render's as JSON data, and has the IAM shape`, async () => {
    const refs = referenceFiles(name);
    if (refs === undefined) return;
    const ours = await ourFiles(name);
    for (const [path, ref] of refs) {
      if (!path.endsWith(".json")) continue;
      const doc: unknown = JSON.parse(ours.get(path)!.content);
      assert.equal(doc, JSON.parse(ref), path);
      assert.equal(iamPolicyProblems(doc), [], path);
    }
  });

  test(`${name}: init-db.sh is our golden text (less the marker); modes: init-db.sh executable (so the image executes it rather than sourcing it), policies not`, async () => {
    const files = await ourFiles(name);
    assert.fixture(stripMarker(files.get(INIT_DB_PATH)!.content), readFileSync(GOLDEN_INIT_DB, "utf8"));
    for (const [path, f] of files) assert.is(f.mode, path === INIT_DB_PATH ? 0o755 : 0o644, path);
  });
}

test("the SQL comparison can fail: a changed statement or a missing deviation is caught", async () => {
  const ours = (await ourFiles("default")).get(INIT_DB_PATH)!.content;
  const refs = referenceFiles("default");
  if (refs === undefined) return;
  const reference = withDeviations(refs.get(REFERENCE_SQL)!).trimEnd();
  assert.not.equal(sqlOf(ours.replace('GRANT CREATE ON SCHEMA "public" TO "dioptra";', 'GRANT ALL ON SCHEMA "public" TO "dioptra";')), reference);
  assert.not.equal(sqlOf(ours.replace("${dioptra_password_sql}", "${POSTGRES_USER_DIOPTRA_PASSWORD}")), reference);
  // A render without the text a deviation edits fails the comparison (uvu's throws() rethrows assertion errors).
  let stale: unknown;
  try {
    withDeviations("ALTER ROLE x;");
  } catch (e) {
    stale = e;
  }
  assert.match(String(stale), /should contain/);
});

// ---------------------------------------------------------------- init-minio.sh, per release

/** A generated deployment of `release` with its secrets created (init-deployment.sh --secrets-only). */
function releaseOut(release: DioptraRelease): string {
  const out = propsOut({ dioptra: release });
  const r = runScript(out, "init-deployment.sh", ["--secrets-only"], process.env.PATH ?? "");
  assert.is(r.status, 0, r.stderr);
  return out;
}

for (const release of RELEASES) {
  test(`Dioptra ${release}: init-minio.sh makes the release's buckets and creates a policy per generated file; the accounts attach only generated policies; every ARN names a bucket it makes`, () => {
    const out = releaseOut(release);
    const initMinio = readFileSync(join(out, "scripts", "init-minio.sh"), "utf8");
    const buckets = /^readonly BUCKETS=\(([^)]*)\)$/m.exec(initMinio)?.[1]?.split(" ").filter((b) => b !== "");
    assert.ok(buckets, "init-minio.sh has no BUCKETS list");
    assert.equal(buckets, [...PROFILES[release].minio.buckets]);
    // Policies come from the files, so a generated file is a created policy.
    assert.match(initMinio, /for file in "\$\{policy_dir\}"\/\*-policy\.json; do/);
    assert.match(initMinio, /mc admin policy create "\$\{MINIO_ENDPOINT_ALIAS\}" "\$\{name\}" "\$\{file\}"/);

    const policyFiles = readdirSync(join(out, MINIO_POLICY_DIR)).sort();
    assert.equal(policyFiles, PROFILES[release].minio.policies.map(policyFileName).sort());
    const generated = new Set(policyFiles.map((f) => f.replace(/-policy\.json$/, "")));
    for (const n of generated) assert.ok(MINIO_POLICY_NAMES.includes(n), `${n} is not in the policy table`);

    const accounts = readFileSync(join(out, "secrets", "dioptra-deployment-minio-accounts.env"), "utf8");
    const attached = [...accounts.matchAll(/^MINIO_\w+_POLICIES=(.*)$/gm)].flatMap((m) => m[1]!.split(","));
    assert.is([...accounts.matchAll(/^MINIO_\w+_POLICIES=/gm)].length, PROFILES[release].minio.accounts.length);
    assert.ok(attached.length > 0);
    for (const p of attached) assert.ok(generated.has(p), `${p} is attached but not generated`);

    for (const f of policyFiles) {
      const doc = JSON.parse(readFileSync(join(out, MINIO_POLICY_DIR, f), "utf8")) as { Statement: { Resource: string[] }[] };
      assert.equal(iamPolicyProblems(doc), [], f);
      for (const arn of doc.Statement.flatMap((st) => st.Resource)) {
        const bucket = arn.replace("arn:aws:s3:::", "").split("/")[0]!;
        assert.ok(buckets.includes(bucket), `${f}: ${arn} names a bucket init-minio.sh does not make`);
      }
    }
  });
}

test("Dioptra 1.1: config/minio holds the 1.1 render's policy, equal as data", () => {
  const ref = sharedRender("dioptra-1.1", "default");
  if (ref === undefined) return;
  const out = propsOut({ dioptra: "1.1" });
  const theirs = readdirSync(join(ref, MINIO_POLICY_DIR)).sort();
  assert.equal(readdirSync(join(out, MINIO_POLICY_DIR)).sort(), theirs);
  for (const f of theirs) {
    assert.equal(JSON.parse(readFileSync(join(out, MINIO_POLICY_DIR, f), "utf8")), JSON.parse(readFileSync(join(ref, MINIO_POLICY_DIR, f), "utf8")), f);
  }
});

// ---------------------------------------------------------------- the shape check can fail

const GOOD = {
  Version: "2012-10-17",
  Statement: [{ Sid: "Ok", Action: ["s3:GetObject"], Effect: "Allow", Resource: ["arn:aws:s3:::plugins/dioptra_custom/*"] }],
};

test("the IAM shape check accepts a good policy and a single-string Action", () => {
  assert.equal(iamPolicyProblems(GOOD), []);
  assert.equal(iamPolicyProblems({ ...GOOD, Statement: [{ ...GOOD.Statement[0], Action: "s3:*" }] }), []);
});

test("the IAM shape check rejects broken policies", () => {
  const st = GOOD.Statement[0]!;
  const cases: [string, unknown, RegExp][] = [
    ["missing Effect", { ...GOOD, Statement: [{ Sid: st.Sid, Action: st.Action, Resource: st.Resource }] }, /Statement\[0\]\.Effect/],
    ["Effect not Allow/Deny", { ...GOOD, Statement: [{ ...st, Effect: "allow" }] }, /Effect: "allow"/],
    ["bad ARN", { ...GOOD, Statement: [{ ...st, Resource: ["arn:aws:s3:plugins/*"] }] }, /is not an arn:aws:s3::: ARN/],
    ["s3:// URL as resource", { ...GOOD, Statement: [{ ...st, Resource: ["s3://plugins"] }] }, /is not an arn:aws:s3::: ARN/],
    ["Resource a string", { ...GOOD, Statement: [{ ...st, Resource: "arn:aws:s3:::plugins" }] }, /Resource: not a non-empty list/],
    ["non-S3 action", { ...GOOD, Statement: [{ ...st, Action: ["ec2:StartInstances"] }] }, /not an s3: or admin: action/],
    ["empty Action", { ...GOOD, Statement: [{ ...st, Action: [] }] }, /Action: not an action/],
    ["wrong Version", { ...GOOD, Version: "2012-10-18" }, /Version/],
    ["no Statement", { Version: "2012-10-17" }, /Statement: not a non-empty list/],
    ["misspelled key", { ...GOOD, Statement: [{ ...st, Resources: st.Resource }] }, /Resources: unknown key/],
  ];
  for (const [what, doc, problem] of cases) {
    const problems = iamPolicyProblems(doc);
    assert.ok(
      problems.some((p) => problem.test(p)),
      `${what}: expected a problem matching ${problem}, got ${JSON.stringify(problems)}`,
    );
  }
});

test.run();
