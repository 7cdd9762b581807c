/**
 * What PUBLIC may do in a database, observed as a user would: two probe
 * roles try each thing over TCP, and the catalog's has_*_privilege('public',
 * …) must agree. Also reads the REVOKEs out of init-db.sh so every one of
 * them is tied to a privilege the tests observe.
 */
import { ident, literal, type PgCluster } from "./cluster.js";

/** Can log in, has no grant of its own: whatever it can do, PUBLIC can. */
export const OUTSIDER = "dd_outsider";
/** Has CONNECT on the database and nothing else, to reach inside it. */
export const MEMBER = "dd_member";
export const PROBE_PASSWORD = "probe-Password-1";

export const PRIVILEGES = ["CONNECT ON DATABASE", "TEMPORARY ON DATABASE", "CREATE ON DATABASE", "USAGE ON SCHEMA public", "CREATE ON SCHEMA public"] as const;
export type Privilege = (typeof PRIVILEGES)[number];

interface Probe {
  readonly role: typeof OUTSIDER | typeof MEMBER;
  readonly sql: string;
  /** The error a denial gives; any other failure is a broken probe, not a denial. */
  readonly denied: RegExp;
  readonly catalog: (db: string) => string;
}

const PROBES: Readonly<Record<Privilege, Probe>> = {
  "CONNECT ON DATABASE": {
    role: OUTSIDER,
    sql: "SELECT 1;",
    denied: /permission denied for database/,
    catalog: (db) => `has_database_privilege('public', ${literal(db)}, 'CONNECT')`,
  },
  "TEMPORARY ON DATABASE": {
    role: MEMBER,
    sql: "CREATE TEMP TABLE dd_scratch (id int);",
    denied: /permission denied to create temporary tables/,
    catalog: (db) => `has_database_privilege('public', ${literal(db)}, 'TEMPORARY')`,
  },
  "CREATE ON DATABASE": {
    role: MEMBER,
    sql: "BEGIN; CREATE SCHEMA dd_member_schema; ROLLBACK;",
    denied: /permission denied for database/,
    catalog: (db) => `has_database_privilege('public', ${literal(db)}, 'CREATE')`,
  },
  "USAGE ON SCHEMA public": {
    role: MEMBER,
    sql: "SELECT count(*) FROM public.dd_probe;",
    denied: /permission denied for schema public/,
    catalog: () => "has_schema_privilege('public', 'public', 'USAGE')",
  },
  "CREATE ON SCHEMA public": {
    role: MEMBER,
    // Rolled back rather than dropped: dropping needs USAGE too, which CREATE alone does not give.
    sql: "BEGIN; CREATE TABLE public.dd_member_table (id int); ROLLBACK;",
    denied: /permission denied for schema public/,
    catalog: () => "has_schema_privilege('public', 'public', 'CREATE')",
  },
};

/** The probe roles, once per cluster: their grants go with the app databases each reset drops. */
export function createProbeRoles(c: PgCluster): void {
  c.admin([OUTSIDER, MEMBER].map((r) => `CREATE ROLE ${ident(r)} LOGIN PASSWORD ${literal(PROBE_PASSWORD)};`).join("\n"));
}

/** Which of `which` PUBLIC has on `db` (and its schema public). */
export async function publicPrivileges(c: PgCluster, db: string, which: readonly Privilege[] = PRIVILEGES): Promise<Set<Privilege>> {
  const catalog = c
    .admin(
      `GRANT CONNECT ON DATABASE ${ident(db)} TO ${ident(MEMBER)};\n` +
        // A table anyone may read, so only the schema's USAGE can stop the member.
        "CREATE TABLE IF NOT EXISTS public.dd_probe (id int); GRANT SELECT ON public.dd_probe TO PUBLIC;\n" +
        `SELECT ${which.map((p) => PROBES[p].catalog(db)).join(", ")};`,
      db,
    )
    .split("|");
  const results = await Promise.all(which.map((p) => c.psqlAsync(PROBES[p].role, db, PROBES[p].sql, { tcp: true, password: PROBE_PASSWORD })));
  const present = new Set<Privilege>();
  which.forEach((p, i) => {
    const probe = PROBES[p];
    const r = results[i]!;
    if (r.status !== 0 && !probe.denied.test(r.stderr)) throw new Error(`probe for ${p} on ${db} failed for another reason:\n${r.stderr}`);
    const observed = r.status === 0;
    if (observed !== (catalog[i] === "t"))
      throw new Error(`${p} on ${db}: ${probe.role} ${observed ? "could" : "could not"} use it, but the catalog says ${catalog[i]}`);
    if (observed) present.add(p);
  });
  return present;
}

export interface Revoke {
  /** Which psql block of the script (0-based), and the database it connects to. */
  readonly block: number;
  readonly database: string;
  readonly statement: string;
  /** The privileges this REVOKE takes from PUBLIC, in database `on`. */
  readonly privileges: readonly Privilege[];
  /** The database those privileges are about, not always the one psql connects to. */
  readonly on: string;
}

/** The psql here-document blocks of init-db.sh: the database each connects to, and its statements. */
export function psqlBlocks(script: string, superuserDb: string): { database: string; statements: string[]; start: number; end: number }[] {
  return [...script.matchAll(/--dbname "([^"]+)" <<-EOSQL\n([\s\S]*?)\nEOSQL\n/g)].map((m) => ({
    database: m[1] === "${POSTGRES_DB}" ? superuserDb : m[1]!,
    statements: m[2]!.split("\n").map((l) => l.trim().replace(/;$/, "")),
    start: m.index,
    end: m.index + m[0].length,
  }));
}

/** Every REVOKE in the script with what it revokes; throws on one these tests cannot observe. */
export function revokesIn(script: string, superuserDb: string): Revoke[] {
  return psqlBlocks(script, superuserDb).flatMap(({ database, statements }, block) =>
    statements
      .filter((s) => /^REVOKE\b/i.test(s))
      .map((statement) => {
        const onDb = /^REVOKE ALL ON DATABASE "([^"]+)" FROM "public"$/.exec(statement);
        if (onDb)
          return { block, database, statement, on: onDb[1]!, privileges: ["CONNECT ON DATABASE", "TEMPORARY ON DATABASE", "CREATE ON DATABASE"] as const };
        const onSchema = /^REVOKE (USAGE|CREATE) ON SCHEMA "public" FROM "public"$/.exec(statement);
        if (onSchema) return { block, database, statement, on: database, privileges: [`${onSchema[1] as "USAGE" | "CREATE"} ON SCHEMA public`] as const };
        throw new Error(`no check for ${JSON.stringify(statement)} in test/postgres/privileges.ts: add one`);
      }),
  );
}

/** The script without one statement of one block. */
export function withoutStatement(script: string, superuserDb: string, block: number, statement: string): string {
  const b = psqlBlocks(script, superuserDb)[block];
  if (!b) throw new Error(`no psql block ${block}`);
  const text = script.slice(b.start, b.end);
  const line = `\t${statement};\n`;
  if (!text.includes(line)) throw new Error(`block ${block} has no line ${JSON.stringify(line)}`);
  return script.slice(0, b.start) + text.replace(line, "") + script.slice(b.end);
}
