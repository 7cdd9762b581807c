/**
 * The settings that keep a deployment's data through its life: `slug` (its
 * identity, which a rename keeps) and `upgrade` (the migrations a config
 * declares, so generate accepts a change that moves data).
 */
import { RELEASES } from "../profiles/index.js";
import { RE, show } from "./checks.js";
import type { DeploymentProps, UpgradeProps } from "./props.js";
import type { Checker } from "./resolve.js";
import { slugify } from "./services.js";
import { SETTINGS } from "./settings.js";
import type { UpgradeSpec } from "./spec.js";

/** At most 48 characters keep every host name within 63. */
const SLUG_MAX = 48;

/**
 * The slug: `slug` when set, else derived from `name`. Problems are reported
 * on the setting that produced the slug.
 */
export function resolveSlug(c: Checker, p: DeploymentProps, name: string): string {
  const explicit = p.slug !== undefined;
  const slug = explicit ? c.string("slug", p.slug, "") : slugify(name);
  const where = explicit ? "slug" : "name";
  const from = explicit ? "" : `${show(name)} gives the slug ${show(slug)}, which `;
  if (slug === "") c.fail(where, "must not be empty: it names every service, host and volume");
  else if (!RE.slug.test(slug))
    c.fail(where, `${from || `${show(slug)} `}is not a valid host-name prefix: use lower-case letters, digits and "-", starting with a letter or digit${explicit ? "" : ' (in name: spaces and "_" become "-")'}`);
  else if (slug.length > SLUG_MAX) c.fail(where, `gives the slug ${show(slug)} of ${slug.length} characters; at most ${SLUG_MAX} keep every host name within 63`);
  return slug;
}

/** The declared migrations; each must name a source that differs from the config's target. */
export function resolveUpgrade(c: Checker, p: DeploymentProps, release: string, postgresMajor: number): UpgradeSpec {
  const up = c.object<UpgradeProps>("upgrade", p.upgrade, SETTINGS.upgrade) ?? {};
  let postgresFrom: number | undefined;
  const pg = c.object<NonNullable<UpgradeProps["postgres"]>>("upgrade.postgres", up.postgres, SETTINGS["upgrade.postgres"]);
  if (pg) {
    const from: unknown = pg.from;
    if (typeof from !== "number" || !Number.isInteger(from) || from < 9 || from > 99)
      c.fail("upgrade.postgres.from", `must be the PostgreSQL major version the data folder holds now, a whole number such as 15, got ${show(from)}`);
    else if (from === postgresMajor)
      c.fail("upgrade.postgres.from", `is ${from}, the major postgres.tag already gives: nothing to upgrade; remove upgrade.postgres once pg-upgrade.sh has run`);
    else postgresFrom = from;
  }
  let dioptraFrom: string | undefined;
  const dp = c.object<NonNullable<UpgradeProps["dioptra"]>>("upgrade.dioptra", up.dioptra, SETTINGS["upgrade.dioptra"]);
  if (dp) {
    const from: unknown = dp.from;
    if (typeof from !== "string" || !(RELEASES as readonly string[]).includes(from))
      c.fail("upgrade.dioptra.from", `must be the Dioptra release the deployment runs now (${RELEASES.map((r) => JSON.stringify(r)).join(" or ")}), got ${show(from)}`);
    else if (from === release) c.fail("upgrade.dioptra.from", `is ${show(from)}, the release the config already deploys: nothing to switch; remove upgrade.dioptra`);
    else if (from > release)
      c.fail("upgrade.dioptra.from", `${show(from)} → ${show(release)} goes back a release: the schemas were migrated in place at start, so only restoring a backup made under ${show(release)} (./restore.sh) goes back`);
    else dioptraFrom = from;
  }
  return { postgresFrom, dioptraFrom };
}
