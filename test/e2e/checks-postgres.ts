/** The Postgres 18 data layout check of the e2e run (the tls scenario runs postgres.tag "18"). */
import type { CheckContext, Checker } from "./checks.js";

function expect(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(msg);
}

/**
 * From the postgres 18 image on, the server keeps its data outside a volume
 * mounted at /var/lib/postgresql/data; the generated PGDATA puts it back. The
 * e2e db stand-in reproduces the 18 image's layout for tags ≥ 18, so without
 * PGDATA its data folder would be /var/lib/postgresql/18/docker, in an
 * anonymous volume that a recreated container does not get back.
 */
export async function checkPostgresLayout(ctx: CheckContext, c: Checker): Promise<void> {
  const d = ctx.deployment;
  const service = `${d.slug}-db`;
  const sql = async (query: string) => {
    const r = await d.docker(["exec", "-u", "postgres", await d.container(service), "psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", "restapi", "-c", query]);
    expect(r.status === 0, `psql in ${service} failed: ${r.stderr.trim()}`);
    return r.stdout.trim();
  };
  await c.check("Postgres ≥ 18: the server's data folder is the named volume's", async () => {
    const dir = await sql("SHOW data_directory");
    expect(dir === "/var/lib/postgresql/data", `data_directory is ${dir}: outside the postgres-data volume`);
  });
  await c.check("Postgres ≥ 18: a row written before recreating the db container is there after", async () => {
    const token = `row-${Date.now()}`;
    await sql(`CREATE TABLE IF NOT EXISTS e2e_layout (v text); INSERT INTO e2e_layout VALUES ('${token}')`);
    await d.recreate(service);
    let seen = "";
    for (let i = 0; i < 60 && seen === ""; i++) {
      const r = await d.docker(["exec", "-u", "postgres", await d.container(service), "psql", "-X", "-At", "-d", "restapi", "-c", "SELECT string_agg(v, ',') FROM e2e_layout"]);
      if (r.status === 0) seen = r.stdout.trim() || "(empty)";
      else await new Promise((res) => setTimeout(res, 1000));
    }
    expect(seen.split(",").includes(token), `after recreating ${service}: ${seen || "the database never answered"}`);
  });
}

