/**
 * config/db/init-db.sh: the postgres image runs it once, on the first start
 * of an empty data volume, as its superuser. It creates the role the
 * applications log in as and their databases, and shuts everyone else out.
 *
 * The superuser and its database come from the image's own POSTGRES_USER and
 * POSTGRES_DB at run time rather than from the spec, so the script always
 * names the account that really ran initdb.
 */

import { APP_DATABASES as DATABASES, APP_ROLE } from "../../profiles/databases.js";

export { APP_ROLE };

/** One database per application. */
export const APP_DATABASES: readonly string[] = Object.values(DATABASES);

/**
 * Taken from PUBLIC and given to the application role, in every application
 * database. Postgres 15 no longer gives PUBLIC CREATE on schema public, but
 * older image tags do, so it is revoked explicitly.
 */
const SCHEMA_PRIVILEGES: readonly string[] = ["USAGE", "CREATE"];

/** Set by the db service's `environment`, from .env. */
const PASSWORD_ENV = "POSTGRES_USER_DIOPTRA_PASSWORD";

/**
 * The template pastes the password into the SQL as is: an empty one leaves,
 * silently, a role that cannot log in, and a ' ends the literal early. The
 * here-document does not expand the value again, so $ and ` in it are
 * harmless, and standard_conforming_strings makes \ plain.
 */
const PASSWORD_PREAMBLE = [
  "# The password goes into a SQL string literal: an empty one would leave a role",
  "# that cannot log in, and each ' must be doubled to stay inside the literal.",
  `dioptra_password_sql=\${${PASSWORD_ENV}:?must be set to a non-empty password}`,
  "dioptra_password_sql=${dioptra_password_sql//\\'/\\'\\'}",
];

/**
 * Names go into SQL double quotes, shell double quotes and an unquoted
 * here-document; characters special in none of those need no escaping.
 */
function quoted(name: string): string {
  if (!/^[a-z0-9_-]+$/.test(name)) throw new Error(`internal error: ${JSON.stringify(name)} needs escaping in init-db.sh`);
  return `"${name}"`;
}

/**
 * `"public"` is PUBLIC, not a role named public: Postgres treats the name
 * specially in GRANT and REVOKE, quoted or not.
 */
const PUBLIC = quoted("public");
const ROLE = quoted(APP_ROLE);

/** psql as the image's superuser, stopping at the first error so `set -e` sees it. */
function psql(database: string, statements: readonly string[]): string {
  return [`psql -v ON_ERROR_STOP=1 --username "\${POSTGRES_USER}" --dbname ${database} <<-EOSQL`, ...statements.map((s) => `\t${s};`), "EOSQL", ""].join("\n");
}

function setupStatements(): string[] {
  const dbs = APP_DATABASES.map(quoted);
  return [
    `CREATE USER ${ROLE}`,
    ...dbs.map((db) => `CREATE DATABASE ${db}`),
    ...dbs.map((db) => `REVOKE ALL ON DATABASE ${db} FROM ${PUBLIC}`),
    ...dbs.map((db) => `GRANT ALL PRIVILEGES ON DATABASE ${db} TO ${ROLE}`),
    `ALTER ROLE ${ROLE} ENCRYPTED PASSWORD '\${dioptra_password_sql}'`,
  ];
}

/** Schema privileges live inside each database, so psql connects to each in turn. */
function schemaStatements(): string[] {
  const schema = quoted("public");
  return [
    ...SCHEMA_PRIVILEGES.map((p) => `REVOKE ${p} ON SCHEMA ${schema} FROM ${PUBLIC}`),
    ...SCHEMA_PRIVILEGES.map((p) => `GRANT ${p} ON SCHEMA ${schema} TO ${ROLE}`),
  ];
}

/** The script's text, without the generated-file marker. */
export function initDbScript(): string {
  const blocks = [
    ["#!/usr/bin/env bash", "set -e", ""].join("\n"),
    [...PASSWORD_PREAMBLE, ""].join("\n"),
    // The superuser's own database: the only one known to exist yet.
    psql('"${POSTGRES_DB}"', setupStatements()),
    ...APP_DATABASES.map((db) => psql(quoted(db), schemaStatements())),
  ];
  return blocks.join("\n");
}
