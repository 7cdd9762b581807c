/**
 * The images of the e2e run, built from local files only (no registry):
 *
 * 1. A Debian bookworm root filesystem made by images/make-rootfs.sh
 *    (debootstrap --variant=minbase plus images/packages.txt), kept as a
 *    tarball in the cache folder and imported with `docker import` as
 *    dioptra-deploy-e2e/base:<key>, <key> a hash of packages.txt and
 *    make-rootfs.sh.
 * 2. One small `docker build` per kind on top of it (images/<kind>/Dockerfile,
 *    context images/), tagged dioptra-deploy-e2e/<kind>:<hash> and labelled
 *    with <hash>, a hash of the base key, the kind's folder and (if it copies
 *    from there) images/common.
 * 3. Every image name the generated Compose files use maps to its kind's
 *    image (or a small per-release layer over it). The images go to the
 *    engine hosts as one cached `docker save` (saved()), where each name is
 *    tagged: the host engine never holds a name like postgres:17.
 *
 * Unchanged inputs reuse what exists: a second run builds nothing. Images and
 * tarballs of this test that no current input hashes to are removed.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync } from "node:fs";
import { join, relative } from "node:path";
import { log, must, run, sha256 } from "./util.js";

export const LABEL = "org.dioptra-deploy.e2e.hash";
/** On a layer image (release, Postgres layout): the kind image it is built on. */
const FROM_LABEL = "org.dioptra-deploy.e2e.from";
export const REPO = "dioptra-deploy-e2e";
/** Image tarballs kept in the cache folder (about 500 MB each): the full run's and two others'. */
const SAVED_KEPT = 3;

export const KINDS = ["postgres", "redis", "nginx", "minio", "mc", "pgadmin", "mlflow", "restapi", "worker"] as const;
export type Kind = (typeof KINDS)[number];

/** Every file under `dir` with its content and execute bit, for hashing. */
function folderDigest(dir: string, root: string): string[] {
  const parts: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) parts.push(...folderDigest(p, root));
    else parts.push(`${relative(root, p)}:${st.mode & 0o111 ? "x" : "-"}:${sha256(readFileSync(p))}`);
  }
  return parts;
}

/** A hash of make-rootfs.sh and a package list: the key of a rootfs tarball and its image. */
function rootfsKey(imagesDir: string, suite: string, packages: string): string {
  return sha256(suite, readFileSync(join(imagesDir, packages)), readFileSync(join(imagesDir, "make-rootfs.sh"))).slice(0, 16);
}

/** The Debian suite of the engine hosts: trixie has docker.io 26.1 and docker-compose 2.26. */
export const ENGINE_SUITE = "trixie";

/** Stand-ins that act as one Dioptra release or another (MinIO accounts, the workers' login). */
export const RELEASE_KINDS: readonly Kind[] = ["restapi", "worker"];

export interface ImageReport {
  readonly base: "cached" | "imported" | "built";
  readonly built: Kind[];
  readonly cached: Kind[];
  /** Image name of the generated files → the e2e image standing in for it. */
  readonly aliases: ReadonlyMap<string, string>;
  /** Stale images of this test removed. */
  readonly pruned: number;
}

export class Images {
  readonly baseKey: string;
  readonly baseTag: string;
  /** Debian's Docker engine, CLI and Compose v2 (ENGINE_SUITE), imported from its rootfs tarball. */
  readonly engineRootfsTag: string;
  /** The engine hosts' image: the engine rootfs with images/engine-host/start.sh as entrypoint. */
  readonly engineTag: string;
  private readonly kindTags = new Map<Kind, { tag: string; hash: string }>();
  private readonly layerTags = new Set<string>();

  constructor(
    private readonly imagesDir: string,
    private readonly cacheDir: string,
  ) {
    this.baseKey = rootfsKey(imagesDir, "bookworm", "packages.txt");
    this.baseTag = `${REPO}/base:${this.baseKey}`;
    const engineKey = rootfsKey(imagesDir, ENGINE_SUITE, "engine-packages.txt");
    this.engineRootfsTag = `${REPO}/engine-rootfs:${engineKey}`;
    this.engineTag = `${REPO}/engine:${sha256(engineKey, ...folderDigest(join(imagesDir, "engine-host"), imagesDir)).slice(0, 16)}`;
    const common = folderDigest(join(imagesDir, "common"), imagesDir);
    for (const kind of KINDS) {
      // images/common counts only for the kinds whose Dockerfile copies from it.
      const usesCommon = readFileSync(this.dockerfile(kind), "utf8").includes("common/");
      const hash = sha256(this.baseKey, ...(usesCommon ? common : []), ...folderDigest(join(imagesDir, kind), imagesDir));
      this.kindTags.set(kind, { tag: `${REPO}/${kind}:${hash.slice(0, 16)}`, hash });
    }
  }

  /**
   * `<kind>/Dockerfile`, else the shared `common/service.Dockerfile` (built
   * with `--build-arg KIND=<kind>`) for the Dioptra services whose image
   * differs only by its entrypoint.
   */
  private dockerfile(kind: Kind): string {
    const own = join(this.imagesDir, kind, "Dockerfile");
    return existsSync(own) ? own : join(this.imagesDir, "common", "service.Dockerfile");
  }

  kindTag(kind: Kind): string {
    return this.kindTags.get(kind)!.tag;
  }

  /** The label of image `ref`, "" when it has none, undefined when there is no such image. */
  private async labelOf(ref: string): Promise<string | undefined> {
    const r = await run("docker", ["image", "inspect", "--format", `{{index .Config.Labels "${LABEL}"}}`, ref]);
    if (r.status !== 0) return undefined;
    const v = r.stdout.trim();
    return v === "<no value>" ? "" : v;
  }

  /** A rootfs image: found by tag, else imported from its cached tarball, else debootstrapped first. */
  private async ensureRootfs(tag: string, suite: string, packages: string): Promise<ImageReport["base"]> {
    if ((await run("docker", ["image", "inspect", tag])).status === 0) return "cached";
    mkdirSync(this.cacheDir, { recursive: true });
    const key = tag.slice(tag.lastIndexOf(":") + 1);
    const tarball = join(this.cacheDir, `rootfs-${suite}-${key}.tar`);
    let how: ImageReport["base"] = "imported";
    if (!existsSync(tarball)) {
      log(`building the root filesystem ${tarball} (debootstrap ${suite}; a minute or two, once per machine)`);
      await must("bash", [join(this.imagesDir, "make-rootfs.sh"), tarball, suite, join(this.imagesDir, packages)], { echo: true });
      how = "built";
    }
    log(`importing ${tarball} as ${tag}`);
    await must("docker", [
      "import",
      "--change", "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "--change", "ENV LANG=C.UTF-8",
      "--change", 'CMD ["/bin/bash"]',
      "--message", `dioptra-deploy e2e ${suite} rootfs (${packages} key ${key})`,
      tarball,
      tag,
    ]);
    return how;
  }

  private ensureBase(): Promise<ImageReport["base"]> {
    return this.ensureRootfs(this.baseTag, "bookworm", "packages.txt");
  }

  /** The engine hosts' image (engine-host.ts): Debian's docker.io, docker-cli and docker-compose of ENGINE_SUITE. */
  async ensureEngine(): Promise<ImageReport["base"]> {
    const rootfs = await this.ensureRootfs(this.engineRootfsTag, ENGINE_SUITE, "engine-packages.txt");
    if ((await run("docker", ["image", "inspect", this.engineTag])).status === 0) return rootfs;
    log(`building ${this.engineTag}`);
    await must("docker", ["build", "--quiet", "--build-arg", `BASE=${this.engineRootfsTag}`, "-t", this.engineTag, "-f", join(this.imagesDir, "engine-host", "Dockerfile"), this.imagesDir], {
      env: { ...process.env, DOCKER_BUILDKIT: "0" },
    });
    return rootfs === "cached" ? "imported" : rootfs;
  }

  /**
   * A small layer over a kind's image, for images that stand in for one
   * version of a service: Dioptra restapi and worker images of a release
   * (DIOPTRA_E2E_RELEASE: the real images of two releases behave differently),
   * and postgres 18 and later, whose data folder moved (see layerFor).
   */
  private async layer(kind: Kind, variant: string, dockerfileLines: readonly string[]): Promise<{ tag: string; hash: string }> {
    const base = this.kindTags.get(kind)!;
    const hash = sha256(base.hash, ...dockerfileLines);
    const tag = `${REPO}/${kind}-${variant}:${hash.slice(0, 16)}`;
    this.layerTags.add(tag);
    if ((await this.labelOf(tag)) !== hash) {
      log(`building ${tag}`);
      await must("docker", ["build", "--quiet", "--label", `${LABEL}=${hash}`, "--label", `${FROM_LABEL}=${base.tag}`, "-t", tag, "-"], {
        input: [`FROM ${base.tag}`, ...dockerfileLines, ""].join("\n"),
        env: { ...process.env, DOCKER_BUILDKIT: "0" },
      });
    }
    return { tag, hash };
  }

  /** The layer image `ref` needs, if any. */
  private async layerFor(ref: string, kind: Kind, release: string | undefined): Promise<{ tag: string; hash: string } | undefined> {
    if (RELEASE_KINDS.includes(kind) && release !== undefined) return this.layer(kind, `dioptra-${release.replace(/\./g, "-")}`, [`ENV DIOPTRA_E2E_RELEASE=${release}`]);
    const major = kind === "postgres" ? Number(/:([0-9]+)/.exec(ref)?.[1] ?? 0) : 0;
    // The postgres 18 image: data in /var/lib/postgresql/<major>/docker, the volume at
    // /var/lib/postgresql. A deployment that does not set PGDATA loses its data with the container.
    if (major >= 18) return this.layer(kind, `pg${major}-layout`, [`ENV PGDATA=/var/lib/postgresql/${major}/docker`, "VOLUME /var/lib/postgresql"]);
    return undefined;
  }

  private async ensureKind(kind: Kind): Promise<boolean> {
    const { tag, hash } = this.kindTags.get(kind)!;
    if ((await this.labelOf(tag)) === hash) return false;
    log(`building ${tag}`);
    await must(
      "docker",
      ["build", "--quiet", "--build-arg", `BASE=${this.baseTag}`, "--build-arg", `KIND=${kind}`, "--label", `${LABEL}=${hash}`, "-t", tag, "-f", this.dockerfile(kind), this.imagesDir],
      // The legacy builder: it needs no buildx plugin and works on every engine version.
      { env: { ...process.env, DOCKER_BUILDKIT: "0" } },
    );
    return true;
  }

  /**
   * Builds what is missing, then tags each Compose image name from its
   * kind's image. `names` maps an image reference to its kind.
   */
  async prepare(names: ReadonlyMap<string, Kind>, releases: ReadonlyMap<string, string> = new Map()): Promise<ImageReport> {
    const base = await this.ensureBase();
    const wanted = KINDS.filter((k) => [...names.values()].includes(k));
    const built: Kind[] = [];
    const cached: Kind[] = [];
    // Two builds at a time: the machine has 2 cores and each build is mostly I/O.
    const queue = [...wanted];
    await Promise.all(
      [0, 1].map(async () => {
        for (let kind = queue.shift(); kind; kind = queue.shift()) ((await this.ensureKind(kind)) ? built : cached).push(kind);
      }),
    );
    const aliases = new Map<string, string>();
    for (const [ref, kind] of names) aliases.set(ref, ((await this.layerFor(ref, kind, releases.get(ref))) ?? this.kindTags.get(kind)!).tag);
    const pruned = await this.prune();
    return { base, built, cached, aliases, pruned };
  }

  /**
   * One `docker save` of `refs` (as the host engine holds them now), cached in
   * the cache folder by their image ids, for the engine hosts to `docker load`.
   * Keeps the newest few such tarballs (a break run saves a set of its own).
   */
  async saved(refs: readonly string[]): Promise<string> {
    const sorted = [...new Set(refs)].sort();
    const ids = (await must("docker", ["image", "inspect", "--format", "{{.Id}}", ...sorted])).stdout;
    const file = join(this.cacheDir, `images-${sha256(...sorted, ids).slice(0, 16)}.tar`);
    if (!existsSync(file)) {
      log(`saving ${sorted.length} images to ${file}`);
      await must("docker", ["save", "-o", `${file}.tmp`, ...sorted], { timeoutMs: 10 * 60_000 });
      renameSync(`${file}.tmp`, file);
    }
    utimesSync(file, new Date(), new Date());
    const old = readdirSync(this.cacheDir).filter((f) => /^images-[0-9a-f]+\.tar$/.test(f)).map((f) => join(this.cacheDir, f));
    old.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
    for (const f of old.slice(SAVED_KEPT)) rmSync(f, { force: true });
    return file;
  }

  /** Removes this test's images and rootfs tarballs that no current input hashes to. */
  private async prune(): Promise<number> {
    const current = new Set([this.baseTag, this.engineRootfsTag, this.engineTag, ...[...this.kindTags.values()].map((k) => k.tag), ...this.layerTags]);
    const listed = await run("docker", ["images", "--format", "{{.Repository}}:{{.Tag}}", `${REPO}/*`]);
    const candidates = listed.stdout.split("\n").filter((ref) => ref.startsWith(`${REPO}/`) && !current.has(ref));
    // A layer this run did not need (another scenario's release) stays while its kind image is current.
    const kinds = new Set([...this.kindTags.values()].map((k) => k.tag));
    const stale: string[] = [];
    for (const ref of candidates) {
      const from = (await run("docker", ["image", "inspect", "--format", `{{index .Config.Labels "${FROM_LABEL}"}}`, ref])).stdout.trim();
      if (!kinds.has(from)) stale.push(ref);
    }
    if (stale.length) await run("docker", ["rmi", ...stale]);
    const keep = new Set([this.baseTag, this.engineRootfsTag].map((t) => t.slice(t.lastIndexOf(":") + 1)));
    if (existsSync(this.cacheDir)) {
      for (const f of readdirSync(this.cacheDir)) {
        const m = /^rootfs-[a-z]+-([0-9a-f]+)\.tar$/.exec(f);
        if (m && !keep.has(m[1]!)) rmSync(join(this.cacheDir, f), { force: true });
      }
    }
    return stale.length;
  }
}

/** The kind of stand-in each image of the generated Compose files needs. */
export function imageKinds(main: ComposeFile, init: ComposeFile, slug: string): Map<string, Kind> {
  const roles: Record<string, Kind> = {
    nginx: "nginx",
    minio: "minio",
    db: "postgres",
    dbadmin: "pgadmin",
    redis: "redis",
    "mlflow-tracking": "mlflow",
    restapi: "restapi",
  };
  const kinds = new Map<string, Kind>();
  const add = (image: string, kind: Kind, where: string) => {
    const had = kinds.get(image);
    if (had && had !== kind) throw new Error(`${image} is used as ${had} and as ${kind} (${where}): one image cannot stand in for both`);
    kinds.set(image, kind);
  };
  for (const [name, svc] of Object.entries(main.services)) {
    const role = name.startsWith(`${slug}-`) ? name.slice(slug.length + 1) : name;
    add(svc.image, roles[role] ?? "worker", `docker-compose.yml service ${name}`);
  }
  const initRoles: Record<string, Kind | null> = {
    minio: "minio",
    db: "postgres",
    restapi: "restapi",
    mc: "mc",
    "named-volumes": "nginx",
    "nginx-ssl": "nginx",
    "mlflow-tracking-ssl": "mlflow",
    "restapi-ssl": "restapi",
    // Dioptra 1.1: registers the workers' account with the REST API image's curl.
    "init-dioptra-worker": "restapi",
    // Only without --offline, which the e2e run always passes.
    "frontend-build": null,
  };
  for (const [name, svc] of Object.entries(init.services)) {
    const kind = name in initRoles ? initRoles[name] : "worker"; // tfcpu-ssl, pytorchcpu-ssl
    if (kind) add(svc.image, kind, `docker-compose.init.yml service ${name}`);
  }
  return kinds;
}

export interface ComposeService {
  image: string;
  healthcheck?: { test?: string[] };
  environment?: Record<string, unknown>;
  runtime?: string;
  command?: string[];
  ports?: (string | number | Record<string, unknown>)[];
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
}
