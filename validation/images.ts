/**
 * The image references: release defaults, `registry`/`namespace`/`tag`, and each slot of `images`.
 */
import { Checker } from "./checker.js";
import { IMAGE_NAME_MAX, RE, imageName, show } from "./checks.js";
import type { DioptraProfile } from "../profiles/index.js";
import { IMAGE_SLOTS, formatImage, type ImageName, type ImageRef } from "../dsl/images.js";
import type { DeploymentProps } from "../dsl/props.js";
import { SETTINGS } from "./settings.js";

/**
 * The Postgres major version of the db image: from 18 on the image keeps its
 * data elsewhere, so the generated layout depends on it.
 */
export function postgresMajor(c: Checker, p: DeploymentProps, image: string): number {
  const tag = image.slice(image.lastIndexOf("/") + 1).split(":")[1] ?? "";
  const m = /^([0-9]{1,3})(?:[._-]|$)/.exec(tag);
  if (m) return Number(m[1]);
  const where = typeof p.images?.db === "string" ? "images.db" : typeof p.images?.db === "object" && p.images.db.tag !== undefined ? "images.db.tag" : "postgres.tag";
  c.fail(where, `cannot tell the Postgres major version from the tag ${show(tag)}: use a tag that starts with it, such as "17" or "17.6-bookworm" (the data layout differs from 18 on)`);
  return 0;
}

export function resolveImages(c: Checker, p: DeploymentProps, profile: DioptraProfile): Record<ImageName, string> {
  const registry = c.string("registry", p.registry, profile.defaults.registry);
  if (registry !== "" && !RE.registry.test(registry))
    c.fail("registry", `${show(registry)} is not a registry host such as "registry.example.org:5000" (optionally followed by /path)`);
  const namespace = c.string("namespace", p.namespace, profile.defaults.namespace, {
    re: RE.namespace,
    what: "an image namespace (lower-case letters, digits and separators . _ -, parts joined by /)",
  });
  const tag = c.string("tag", p.tag, profile.defaults.tag, { re: RE.tag, what: "a valid image tag (letters, digits, _ . -, at most 128, not starting with . or -)" });
  const overrides = c.object<Record<string, unknown>>("images", p.images, IMAGE_SLOTS) ?? {};
  const out = {} as Record<ImageName, string>;
  for (const key of IMAGE_SLOTS) {
    const row = profile.images[key];
    const base: ImageRef = row.dioptra
      ? { registry, namespace, image: row.image, tag }
      : {
          registry: row.registry ?? "",
          namespace: row.namespace ?? "",
          image: row.image,
          tag: key === "db" ? (typeof p.postgres?.tag === "string" ? p.postgres.tag : profile.defaults.postgresTag) : (row.tag ?? ""),
        };
    const o = overrides[key];
    const path = `images.${key}`;
    if (o === undefined) out[key] = formatImage(base);
    else if (typeof o === "string") {
      if (!RE.image.test(o)) c.fail(path, `${show(o)} is not a valid image reference such as "registry.example.org/team/restapi:1.0" (name at most ${IMAGE_NAME_MAX} characters, tag at most 128)`);
      out[key] = o;
    } else {
      const part = c.object<Partial<ImageRef>>(path, o, SETTINGS["images.*"]) ?? {};
      const ref: ImageRef = {
        registry: c.string(`${path}.registry`, part.registry, base.registry),
        namespace: c.string(`${path}.namespace`, part.namespace, base.namespace, { re: RE.namespace, what: "an image namespace" }),
        image: c.string(`${path}.image`, part.image, base.image, { re: RE.repository, what: "an image repository name" }),
        tag: c.string(`${path}.tag`, part.tag, base.tag, { re: RE.tag, what: "a valid image tag" }),
      };
      if (ref.registry !== "" && !RE.registry.test(ref.registry)) c.fail(`${path}.registry`, `${show(ref.registry)} is not a registry host`);
      out[key] = formatImage(ref);
    }
    const name = imageName(out[key]);
    if (typeof o !== "string" && name.length > IMAGE_NAME_MAX)
      c.fail(o === undefined ? (registry.length > namespace.length ? "registry" : "namespace") : path, `gives the image name ${show(name.slice(0, 40))}… of ${name.length} characters; Docker allows at most ${IMAGE_NAME_MAX} (registry, namespace and image together)`);
  }
  return out;
}
