/**
 * config/db/init-db.sh and config/minio/*.json against the template's
 * renders for every fixture: the script's text (less our marker and the
 * deviations listed below), the policies as data, the file names and modes.
 * The policies also pass a small IAM-shape check, which is itself tested on
 * broken policies.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { MINIO_POLICY_NAMES, policyFileName } from "../generators/db-minio.js";
import { MARKER } from "../generators/marker.js";
import { FIXTURES, fixtureNames, synthConfig } from "./helpers.js";

const DIRS = ["config/db", "config/minio"];

/**
 * Where our init-db.sh differs from the template's, on purpose: it refuses
 * an empty POSTGRES_USER_DIOPTRA_PASSWORD and doubles each ' in it before
 * the value goes into a SQL literal (test/postgres.test.ts shows the
 * template's script failing on such a password). Each `from` must occur
 * exactly once in the reference, so a changed template shows up here.
 */
const DEVIATIONS: readonly (readonly [from: string, to: string])[] = [
  [
    "set -e\n\n",
    [
      "set -e",
      "",
      "# The password goes into a SQL string literal: an empty one would leave a role",
      "# that cannot log in, and each ' must be doubled to stay inside the literal.",
      "dioptra_password_sql=${POSTGRES_USER_DIOPTRA_PASSWORD:?must be set to a non-empty password}",
      "dioptra_password_sql=${dioptra_password_sql//\\'/\\'\\'}",
      "",
      "",
    ].join("\n"),
  ],
  ["ENCRYPTED PASSWORD '${POSTGRES_USER_DIOPTRA_PASSWORD}'", "ENCRYPTED PASSWORD '${dioptra_password_sql}'"],
];

function withDeviations(reference: string): string {
  return DEVIATIONS.reduce((text, [from, to]) => {
    assert.is(text.split(from).length - 1, 1, `the reference init-db.sh should contain ${JSON.stringify(from)} once`);
    return text.replace(from, () => to);
  }, reference);
}

function stripMarker(text: string): string {
  const lines = text.split("\n");
  assert.is(lines[1], `# ${MARKER}`, "the marker should follow the shebang");
  return [lines[0], ...lines.slice(2)].join("\n");
}

function referenceFiles(name: string): Map<string, { text: string; mode: number }> {
  const root = join(FIXTURES, name, "reference");
  const out = new Map<string, { text: string; mode: number }>();
  for (const dir of DIRS) {
    for (const f of readdirSync(join(root, dir))) {
      const p = join(root, dir, f);
      out.set(`${dir}/${f}`, { text: readFileSync(p, "utf8"), mode: statSync(p).mode & 0o777 });
    }
  }
  return out;
}

async function ourFiles(name: string) {
  const files = await synthConfig(join(FIXTURES, name, "deployment.config.ts"));
  return new Map(files.filter((f) => DIRS.some((d) => f.path.startsWith(`${d}/`))).map((f) => [f.path, f]));
}

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

// ---------------------------------------------------------------- golden, per fixture

for (const name of fixtureNames()) {
  test(`${name}: config/db and config/minio hold the reference's file names`, async () => {
    assert.equal([...(await ourFiles(name)).keys()].sort(), [...referenceFiles(name).keys()].sort());
  });

  test(`${name}: init-db.sh is the reference's text, less our marker and the listed deviations`, async () => {
    const ours = (await ourFiles(name)).get("config/db/init-db.sh")!;
    const ref = referenceFiles(name).get("config/db/init-db.sh")!;
    assert.fixture(stripMarker(ours.content), withDeviations(ref.text));
  });

  test(`${name}: each policy equals the reference's as JSON data, and has the IAM shape`, async () => {
    const ours = await ourFiles(name);
    for (const [path, ref] of referenceFiles(name)) {
      if (!path.endsWith(".json")) continue;
      const doc: unknown = JSON.parse(ours.get(path)!.content);
      assert.equal(doc, JSON.parse(ref.text), path);
      assert.equal(iamPolicyProblems(doc), [], path);
    }
  });

  test(`${name}: modes follow the reference: init-db.sh executable (so the image executes it), policies not`, async () => {
    const refs = referenceFiles(name);
    for (const [path, f] of await ourFiles(name)) {
      const refExecutable = (refs.get(path)!.mode & 0o111) !== 0;
      assert.is(f.mode, refExecutable ? 0o755 : 0o644, path);
    }
  });
}

// ---------------------------------------------------------------- against init-minio.sh

test("init-minio.sh creates exactly our policies from our files, the accounts attach only those, and every ARN names a bucket it makes", async () => {
  const ref = join(FIXTURES, "default", "reference", "scripts");
  const initMinio = readFileSync(join(ref, "init-minio.sh"), "utf8");
  const created = [...initMinio.matchAll(/mc admin policy create \\\n\s+"\$\{MINIO_ENDPOINT_ALIAS\}" "([^"]+)" "\$\{S3_POLICY_DIR\}\/([^"]+)"/g)].map((m) => [
    m[1],
    m[2],
  ]);
  assert.equal(
    created,
    MINIO_POLICY_NAMES.map((n) => [n, policyFileName(n)]),
  );
  const attached = [...readFileSync(join(ref, "templates", "minio-accounts.env.j2"), "utf8").matchAll(/^MINIO_\w+_POLICIES=(.*)$/gm)].flatMap((m) =>
    m[1]!.split(","),
  );
  assert.ok(attached.length > 0);
  for (const p of attached) assert.ok(MINIO_POLICY_NAMES.includes(p), `${p} is attached but not generated`);

  const buckets = new Set(
    /mc mb --p \\\n((?:\s+"\$\{MINIO_ENDPOINT_ALIAS\}\/[^"]+"\s*\\?\n)+)/
      .exec(initMinio)![1]!
      .match(/\/([^"/]+)"/g)!
      .map((s) => s.slice(1, -1)),
  );
  assert.equal([...buckets].sort(), ["mlflow-tracking", "plugins", "workflow"]);
  const files = await synthConfig(join(FIXTURES, "default", "deployment.config.ts"));
  for (const f of files.filter((x) => x.path.endsWith("-policy.json"))) {
    const doc = JSON.parse(f.content) as { Statement: { Resource: string[] }[] };
    for (const arn of doc.Statement.flatMap((s) => s.Resource)) {
      const bucket = arn.replace("arn:aws:s3:::", "").split("/")[0]!;
      assert.ok(buckets.has(bucket), `${f.path}: ${arn} names a bucket init-minio.sh does not make`);
    }
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
