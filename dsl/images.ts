/**
 * The image slots of a deployment, which `images: { … }` can override. Their
 * defaults depend on the Dioptra release: see profiles/.
 */
export const IMAGE_SLOTS = [
  "nginx",
  "mlflowTracking",
  "restapi",
  "tensorflowCpu",
  "tensorflowGpu",
  "pytorchCpu",
  "pytorchGpu",
  "db",
  "dbadmin",
  "mc",
  "minio",
  "nodejs",
  "redis",
] as const;

/** Name of an image slot that `images: { … }` can override. */
export type ImageName = (typeof IMAGE_SLOTS)[number];

/** The parts of an image reference: `[registry/][namespace/]image:tag`. */
export interface ImageRef {
  /** Registry host, e.g. `"registry.example.org:5000"`; empty for Docker Hub. */
  readonly registry: string;
  /** Namespace (organisation) inside the registry; empty for none. */
  readonly namespace: string;
  /** Repository name, e.g. `"restapi"`. */
  readonly image: string;
  /** Tag, e.g. `"1.0.1"`. */
  readonly tag: string;
}

/** Joins image parts the way the template's `container_image` macro does. */
export function formatImage(ref: ImageRef): string {
  return [ref.registry, ref.namespace, `${ref.image}:${ref.tag}`].filter((p) => p !== "").join("/");
}
