/**
 * The deployment-wide settings and the defaults every release shares.
 */
import { APP_DATABASES, APP_ROLE } from "../profiles/databases.js";
import { Checker } from "./checker.js";
import { RE, isCount, show } from "./checks.js";
import { PROFILES, DEFAULT_RELEASE, RELEASES, type DioptraRelease } from "../profiles/index.js";
import type { DeploymentProps } from "../dsl/props.js";
import { slugify } from "../model/services.js";
import type { DeploymentSpec } from "./spec.js";
import { SETTINGS } from "./settings.js";
import { resolveImages, postgresMajor } from "./images.js";


/**
 * Defaults of the template's cookiecutter.json that every release shares;
 * the image coordinates and the Postgres tag come from the release profile.
 */
export const DEFAULTS = {
  name: "Dioptra deployment",
  composeCommand: "docker compose",
  nginx: { serverName: "dioptra.example.org", exposePortsOnLocalhostOnly: true, httpPort: 80, httpsPort: 443, tls: false },
  postgres: { adminUser: "postgres", adminDatabase: "postgres", tls: false },
  pgadmin: { defaultEmail: "dioptra@example.com" },
  security: { legacyTls: false, hstsMaxAge: 63072000 },
  workers: { tensorflowCpu: 1, tensorflowGpu: 0, pytorchCpu: 1, pytorchGpu: 0 },
} as const;

/** The deployment-wide settings: release, name, images, nginx, Postgres, pgAdmin, security, datasets, systemd. */
export function resolveCore(c: Checker, p: DeploymentProps) {
  const release = c.string("dioptra", p.dioptra, DEFAULT_RELEASE, {
    re: new RegExp(`^(?:${RELEASES.map((r) => r.replace(".", "\\.")).join("|")})$`),
    what: `a Dioptra release this tool deploys (${RELEASES.map((r) => JSON.stringify(r)).join(" or ")})`,
  }) as DioptraRelease;
  const profile = PROFILES[release] ?? PROFILES[DEFAULT_RELEASE];
  const name = c.string("name", p.name, DEFAULTS.name);
  const slug = slugify(name);
  if (slug === "") c.fail("name", "must not be empty: it names every service, host and volume");
  else if (!RE.slug.test(slug))
    c.fail("name", `${show(name)} gives the slug ${show(slug)}, which is not a valid host-name prefix: use letters, digits, spaces, "-" and "_", starting with a letter or digit`);
  else if (slug.length > 48) c.fail("name", `gives the slug ${show(slug)} of ${slug.length} characters; at most 48 keep every host name within 63`);

  const images = resolveImages(c, p, profile);
  const composeCommand = c.string("composeCommand", p.composeCommand, DEFAULTS.composeCommand, {
    re: RE.command,
    what: "a command line of plain words (letters, digits and _ . / : = @ + -), e.g. \"docker compose\" or \"docker-compose\"",
  });

  const np = c.object<NonNullable<DeploymentProps["nginx"]>>("nginx", p.nginx, SETTINGS.nginx) ?? {};
  const nginx = {
    serverName: c.string("nginx.serverName", np.serverName, DEFAULTS.nginx.serverName, {
      re: RE.serverName,
      what: "a single host name for nginx's server_name (letters, digits, dots and dashes; a leading \"*.\" or trailing \".*\" is allowed; no spaces or \";\")",
    }),
    exposePortsOnLocalhostOnly: c.boolean("nginx.exposePortsOnLocalhostOnly", np.exposePortsOnLocalhostOnly, DEFAULTS.nginx.exposePortsOnLocalhostOnly),
    httpPort: c.port("nginx.httpPort", np.httpPort, DEFAULTS.nginx.httpPort),
    httpsPort: c.port("nginx.httpsPort", np.httpsPort, DEFAULTS.nginx.httpsPort),
    tls: c.boolean("nginx.tls", np.tls, DEFAULTS.nginx.tls),
    certificate: c.string("nginx.certificate", np.certificate, "", { re: /^(?:provided|self-signed)$/, what: 'where the certificate comes from: "provided" or "self-signed"' }) || undefined,
  } as DeploymentSpec["nginx"];
  if (nginx.tls && np.certificate === undefined)
    c.fail("nginx.certificate", 'is required with nginx.tls: true: say where the certificate comes from, "provided" (you put server.crt and server.key in ssl/nginx/) or "self-signed" (init creates one for a lab)');

  const pp = c.object<NonNullable<DeploymentProps["postgres"]>>("postgres", p.postgres, SETTINGS.postgres) ?? {};
  const pgId = { re: RE.pgIdentifier, what: "a plain Postgres name (lower-case letters, digits and _, not starting with a digit, at most 63)" };
  const postgres = {
    tag: c.string("postgres.tag", pp.tag, profile.defaults.postgresTag, { re: RE.tag, what: "a valid image tag (letters, digits, _ . -, at most 128, not starting with . or -)" }),
    adminUser: c.string("postgres.adminUser", pp.adminUser, DEFAULTS.postgres.adminUser, pgId),
    adminDatabase: c.string("postgres.adminDatabase", pp.adminDatabase, DEFAULTS.postgres.adminDatabase, pgId),
    tls: c.boolean("postgres.tls", pp.tls, DEFAULTS.postgres.tls),
    major: postgresMajor(c, p, images.db),
  };
  if (postgres.adminUser === APP_ROLE) c.fail("postgres.adminUser", `must not be "dioptra": init-db.sh creates that role for the applications`);
  if ((Object.values(APP_DATABASES) as string[]).includes(postgres.adminDatabase))
    c.fail("postgres.adminDatabase", `must not be ${show(postgres.adminDatabase)}: init-db.sh creates that database for the applications`);

  const gp = c.object<NonNullable<DeploymentProps["pgadmin"]>>("pgadmin", p.pgadmin, SETTINGS.pgadmin) ?? {};
  const pgadmin = { defaultEmail: c.string("pgadmin.defaultEmail", gp.defaultEmail, DEFAULTS.pgadmin.defaultEmail, { re: RE.email, what: "an e-mail address" }) };

  const sec = c.object<NonNullable<DeploymentProps["security"]>>("security", p.security, SETTINGS.security) ?? {};
  const security = {
    legacyTls: c.boolean("security.legacyTls", sec.legacyTls, DEFAULTS.security.legacyTls),
    // A browser remembers HSTS per host name, all ports: on localhost it would outlive this deployment.
    hsts: c.boolean("security.hsts", sec.hsts, !nginx.exposePortsOnLocalhostOnly),
    hstsMaxAge: DEFAULTS.security.hstsMaxAge as number,
  };
  if (sec.hstsMaxAge !== undefined) {
    if (isCount(sec.hstsMaxAge) && sec.hstsMaxAge > 0 && sec.hstsMaxAge <= 2 ** 31 - 1) security.hstsMaxAge = sec.hstsMaxAge;
    else c.fail("security.hstsMaxAge", `must be a whole number of seconds from 1 to 2147483647, got ${show(sec.hstsMaxAge)}`);
  }

  let datasetsDirectory: string | undefined;
  if (p.datasetsDirectory !== undefined && p.datasetsDirectory !== "") {
    datasetsDirectory = c.absolutePath("datasetsDirectory", p.datasetsDirectory, "a usable datasets directory");
  }

  const sp = c.object<NonNullable<DeploymentProps["systemd"]>>("systemd", p.systemd, SETTINGS.systemd) ?? {};
  const requiredMounts = c.array<string>("systemd.requiredMounts", sp.requiredMounts).filter((m, i) => {
    const ok = typeof m === "string" && RE.unitName.test(m);
    if (!ok) c.fail(`systemd.requiredMounts.${i}`, `${show(m)} is not a systemd unit name such as "mnt-data.mount" (see systemd-escape --path --suffix=mount)`);
    return ok;
  });
  const deploymentPath = sp.deploymentPath === undefined ? undefined : c.absolutePath("systemd.deploymentPath", sp.deploymentPath, "a usable deployment folder");

  return { profile, name, slug, composeCommand, images, nginx, postgres, pgadmin, security, datasetsDirectory, systemd: { requiredMounts, deploymentPath } };
}
