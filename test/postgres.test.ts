/**
 * config/db/init-db.sh against a real PostgreSQL: a throw-away cluster set
 * up as the postgres image sets itself up, the script run as the image's
 * entrypoint runs it, then checked as a user would see it: the application
 * role logs in over TCP and works in both databases, and PUBLIC has lost
 * everything the script revokes. Negative cases show the checks can fail.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { APP_DATABASES, APP_ROLE, INIT_DB_PATH } from "../generators/db-minio/files.js";
import { synth, type OutFile } from "../generators/index.js";
import { loadConfig } from "../app/load-config.js";
import { countSkips, FIXTURES, noteSkip, sharedRender, tempDir } from "./helpers.js";
import { ident, literal, PgCluster, pgTools, type Result, type Superuser } from "./postgres/cluster.js";
import { createProbeRoles, publicPrivileges, revokesIn, withoutStatement, type Privilege } from "./postgres/privileges.js";

const DIOPTRA_PASSWORD = "Correct-Horse-Battery-Staple-7";
/** Everything a shell here-document or a SQL literal could trip on. */
const AWKWARD_PASSWORD = `it's "a" $HOME \`id\` \\n ;: -- '' & x`;

interface Generated {
  readonly superuser: Superuser;
  readonly initDb: OutFile;
}

async function generate(configPath: string, adminPassword: string): Promise<Generated> {
  const spec = (await loadConfig(configPath)).toSpec();
  const initDb = synth(spec).find((f) => f.path === INIT_DB_PATH);
  if (!initDb) throw new Error(`${INIT_DB_PATH} was not generated`);
  return { superuser: { user: spec.postgres.adminUser, database: spec.postgres.adminDatabase, password: adminPassword }, initDb };
}

function customAdminConfig(): { path: string; cleanup: () => void } {
  const dir = tempDir("dd-pg-config-");
  const path = join(dir, "deployment.config.ts");
  writeFileSync(
    path,
    `import { deployment } from "dioptra-deploy";\n\nexport default deployment({ postgres: { adminUser: "dbadmin", adminDatabase: "dioptra_admin" } });\n`,
  );
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Drops what init-db.sh creates, so each run starts from the image's state after docker_setup_db. */
function reset(c: PgCluster): void {
  c.admin(APP_DATABASES.map((db) => `DROP DATABASE IF EXISTS ${ident(db)} WITH (FORCE);`).join("\n") + `\nDROP ROLE IF EXISTS ${ident(APP_ROLE)};`);
}

function assertRan(r: Result): void {
  assert.is(r.status, 0, `init-db.sh failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
}

let tables = 0;

function assertDioptraWorks(c: PgCluster, password: string): void {
  for (const db of APP_DATABASES) {
    const table = `public.experiment_${++tables}`;
    const out = c.sql(
      APP_ROLE,
      db,
      `CREATE TABLE ${table} (id int); INSERT INTO ${table} VALUES (1); CREATE TEMP TABLE scratch (id int); SELECT current_user || ' ' || count(*) FROM ${table};`,
      { tcp: true, password },
    );
    assert.is(out, `${APP_ROLE} 1`, db);
  }
}

function assertLoginRefused(r: Result, message: RegExp): void {
  assert.is.not(r.status, 0, "login should have been refused");
  assert.match(r.stderr, message);
}

interface Ctx {
  readonly c: PgCluster;
  readonly g: Generated;
  /** The generated script run on fresh databases with the usual password; later calls reuse that state. */
  readonly standard: () => void;
  /** A fresh run of any script; `password: undefined` leaves POSTGRES_USER_DIOPTRA_PASSWORD unset. */
  readonly run: (script: string, options?: { password: string | undefined }) => Result;
}

type Register = (name: string, fn: (x: Ctx) => void | Promise<void>) => void;

/** Tests that hold whoever the superuser is. */
function commonTests(t: Register): void {
  t("init-db.sh runs the way the image runs it", ({ standard }) => standard());

  t("dioptra logs in over TCP with its password (stored as SCRAM) and creates tables in restapi and mlflow-tracking", ({ c, standard }) => {
    standard();
    assertDioptraWorks(c, DIOPTRA_PASSWORD);
    assert.is(c.admin(`SELECT rolpassword LIKE 'SCRAM-SHA-256$%' FROM pg_authid WHERE rolname = ${literal(APP_ROLE)}`), "t");
  });

  t("dioptra cannot log in with a wrong password, or none", ({ c, standard }) => {
    standard();
    for (const db of APP_DATABASES) {
      assertLoginRefused(
        c.psql(APP_ROLE, db, "SELECT 1", { tcp: true, password: `${DIOPTRA_PASSWORD}x` }),
        /password authentication failed for user "dioptra"/,
      );
      assertLoginRefused(c.psql(APP_ROLE, db, "SELECT 1", { tcp: true }), /no password supplied/);
    }
  });

  t("every REVOKE in init-db.sh holds: PUBLIC cannot connect, use temp tables, or use or create in schema public", async ({ c, g, standard }) => {
    const revokes = revokesIn(g.initDb.content, g.superuser.database);
    assert.is(revokes.length, 6, revokes.map((r) => r.statement).join("\n"));
    standard();
    for (const db of APP_DATABASES) assert.equal([...(await publicPrivileges(c, db))], [], db);
    // The probes can succeed: in the superuser's database PUBLIC keeps the defaults.
    const defaults: Privilege[] = ["CONNECT ON DATABASE", "TEMPORARY ON DATABASE", "USAGE ON SCHEMA public"];
    if (Number(c.admin("SHOW server_version_num")) < 150000) defaults.push("CREATE ON SCHEMA public");
    assert.equal([...(await publicPrivileges(c, g.superuser.database))].sort(), defaults.sort());
  });
}

interface ClusterCase {
  readonly title: string;
  readonly config: () => { path: string; cleanup?: () => void };
  readonly adminPassword: string;
  readonly extra?: (t: Register) => void;
}

function clusterSuite(k: ClusterCase): void {
  const s = suite(`postgres: ${k.title}`);
  countSkips(s);
  let ctx: Ctx | undefined;
  let skipped = false;

  s.after(() => ctx?.c.stop());

  s("a throw-away cluster starts with the image's superuser and database", async () => {
    const bin = pgTools();
    if (bin === undefined) {
      skipped = true;
      return;
    }
    const config = k.config();
    let g: Generated;
    try {
      g = await generate(config.path, k.adminPassword);
    } finally {
      config.cleanup?.();
    }
    const c = await PgCluster.start(bin, g.superuser);
    let standardDone = false;
    const run: Ctx["run"] = (script, options = { password: DIOPTRA_PASSWORD }) => {
      standardDone = false;
      reset(c);
      return c.runInit({ script, mode: g.initDb.mode, dioptraPassword: options.password });
    };
    const standard = () => {
      if (standardDone) return;
      assertRan(run(g.initDb.content));
      standardDone = true;
    };
    ctx = { c, g, run, standard };
    createProbeRoles(c);
    const { user, database } = g.superuser;
    assert.is(
      c.admin("SELECT current_user || ' ' || current_database() || ' ' || rolsuper FROM pg_roles WHERE rolname = current_user"),
      `${user} ${database} true`,
    );
  });

  const t: Register = (name, fn) =>
    s(name, async () => {
      if (skipped) return noteSkip();
      if (!ctx) throw new Error("the cluster did not start: see the first test");
      await fn(ctx);
    });

  commonTests(t);
  k.extra?.(t);
  s.run();
}

/**
 * A script that runs the 1.0 template's SQL the way its init-db.sh does:
 * each `\connect DB` block of the render's config/db/init-db.sql as one
 * psql here-document, the password pasted in by the shell as it is. Built
 * from the render's SQL (../shared), or undefined (skipped) without it.
 */
function templateStyleInitDb(): string | undefined {
  const render = sharedRender("dioptra-1.0", "default");
  if (render === undefined) return undefined;
  const sql = readFileSync(join(render, "config", "db", "init-db.sql"), "utf8");
  const blocks = sql.split(/^\\connect (.+)\n/m).slice(1);
  const out = ["#!/usr/bin/env bash", "set -e"];
  for (let i = 0; i < blocks.length; i += 2) {
    const statements = blocks[i + 1]!.split("\n").filter((l) => l.trim() !== "");
    out.push(`psql -v ON_ERROR_STOP=1 --username "\${POSTGRES_USER}" --dbname "${blocks[i]!}" <<-EOSQL`, ...statements.map((l) => `\t${l}`), "EOSQL");
  }
  assert.ok(blocks.length >= 2 && out.some((l) => l.includes("'${POSTGRES_USER_DIOPTRA_PASSWORD}'")), "the render's SQL no longer pastes the password in");
  return `${out.join("\n")}\n`;
}

clusterSuite({
  title: "default fixture (superuser postgres)",
  config: () => ({ path: join(FIXTURES, "default", "deployment.config.ts") }),
  // What the template's POSTGRES_PASSWORD_FILE really holds: the whole env file.
  adminPassword: "POSTGRES_PASSWORD=Admin-Horse-Battery-3\nPOSTGRES_USER=postgres\nPOSTGRES_DB=postgres",
  extra: (t) => {
    t("a password with ' \" $ ` \\ ; : -- works unchanged", ({ c, g, run }) => {
      assertRan(run(g.initDb.content, { password: AWKWARD_PASSWORD }));
      assertDioptraWorks(c, AWKWARD_PASSWORD);
    });

    t("the template's way (its SQL, the password pasted in) breaks on such a password (why ours doubles the ')", ({ c, run }) => {
      const script = templateStyleInitDb();
      if (script === undefined) return;
      // It works with a plain password, so what breaks below is the password alone.
      assertRan(run(script));
      assertDioptraWorks(c, DIOPTRA_PASSWORD);
      const r = run(script, { password: AWKWARD_PASSWORD });
      assert.is.not(r.status, 0);
      assert.match(r.stderr, /syntax error|unterminated quoted string|invalid command/);
      assertLoginRefused(c.psql(APP_ROLE, "restapi", "SELECT 1", { tcp: true, password: AWKWARD_PASSWORD }), /password authentication failed/);
    });

    t("an unset or empty POSTGRES_USER_DIOPTRA_PASSWORD stops the init before anything is created", ({ c, g, run }) => {
      for (const password of [undefined, ""]) {
        const r = run(g.initDb.content, { password });
        assert.is.not(r.status, 0, `password ${JSON.stringify(password)}`);
        assert.match(r.stderr, /POSTGRES_USER_DIOPTRA_PASSWORD: must be set/);
        assert.is(c.admin(`SELECT count(*) FROM pg_roles WHERE rolname = ${literal(APP_ROLE)}`), "0");
      }
    });

    t("a broken copy fails the init run: a GRANT to a missing role stops psql at that statement (ON_ERROR_STOP)", ({ c, g, run }) => {
      const line = `GRANT ALL PRIVILEGES ON DATABASE "restapi" TO "dioptra";`;
      assert.ok(g.initDb.content.includes(line));
      const r = run(g.initDb.content.replace(line, `GRANT ALL PRIVILEGES ON DATABASE "restapi" TO "no_such_role";`));
      assert.is.not(r.status, 0);
      assert.match(r.stderr, /role "no_such_role" does not exist/);
      // The password is set by a later statement of the same psql, which never ran.
      assertLoginRefused(c.psql(APP_ROLE, "restapi", "SELECT 1", { tcp: true, password: DIOPTRA_PASSWORD }), /password authentication failed/);
    });

    t("a broken copy fails the init run: a SQL syntax error stops the script (set -e), later psql blocks never run", async ({ c, g, run }) => {
      const line = `GRANT USAGE ON SCHEMA "public" TO "dioptra";`;
      assert.ok(g.initDb.content.includes(line));
      const r = run(g.initDb.content.replace(line, `GRANT USAGE ON SCHEM "public" TO "dioptra";`));
      assert.is.not(r.status, 0);
      assert.match(r.stderr, /syntax error at or near/);
      // mlflow-tracking's block comes after the broken one.
      assert.ok((await publicPrivileges(c, "mlflow-tracking", ["USAGE ON SCHEMA public"])).has("USAGE ON SCHEMA public"));
    });

    t(
      "with Postgres 14's defaults (PUBLIC may CREATE in schema public) the REVOKEs hold too, and without any one of them the check sees the privilege",
      async ({ c, g, run }) => {
        // Older image tags give PUBLIC CREATE on schema public; new databases copy template1.
        c.admin("GRANT CREATE ON SCHEMA public TO PUBLIC;", "template1");
        try {
          assertRan(run(g.initDb.content));
          for (const db of APP_DATABASES) assert.equal([...(await publicPrivileges(c, db))], [], db);

          for (const revoke of revokesIn(g.initDb.content, g.superuser.database)) {
            assertRan(run(withoutStatement(g.initDb.content, g.superuser.database, revoke.block, revoke.statement)));
            const present = await publicPrivileges(c, revoke.on, revoke.privileges);
            const caught = revoke.privileges.filter((p: Privilege) => present.has(p));
            assert.ok(
              caught.length > 0,
              `without ${revoke.statement} (psql block ${revoke.block}), PUBLIC should keep one of ${revoke.privileges.join(", ")} on ${revoke.on}`,
            );
          }
        } finally {
          c.admin("REVOKE CREATE ON SCHEMA public FROM PUBLIC;", "template1");
        }
      },
    );
  },
});

clusterSuite({
  title: "another superuser and database (dbadmin, dioptra_admin)",
  config: customAdminConfig,
  adminPassword: "Other-Admin-Password-5",
  extra: (t) => {
    t("there is no postgres role, so nothing relies on one; the superuser owns the new databases", ({ c, standard }) => {
      standard();
      assert.is(c.admin("SELECT count(*) FROM pg_roles WHERE rolname = 'postgres'"), "0");
      for (const db of APP_DATABASES) assert.is(c.admin(`SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = ${literal(db)}`), "dbadmin", db);
    });
  },
});
