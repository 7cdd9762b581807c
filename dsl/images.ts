/**
 * The container images of a deployment, with the template's defaults
 * (cookiecutter.json `__containers`). `dioptra: true` marks the images that
 * follow the deployment-wide registry, namespace and tag.
 */
export const IMAGES = {
  nginx: { image: "nginx", dioptra: true },
  mlflowTracking: { image: "mlflow-tracking", dioptra: true },
  restapi: { image: "restapi", dioptra: true },
  tensorflowCpu: { image: "tensorflow2-cpu", dioptra: true },
  tensorflowGpu: { image: "tensorflow2-gpu", dioptra: true },
  pytorchCpu: { image: "pytorch-cpu", dioptra: true },
  pytorchGpu: { image: "pytorch-gpu", dioptra: true },
  db: { image: "postgres", dioptra: false, registry: "", namespace: "", tag: "15" },
  dbadmin: { image: "pgadmin4", dioptra: false, registry: "", namespace: "dpage", tag: "latest" },
  mc: { image: "mc", dioptra: false, registry: "", namespace: "minio", tag: "RELEASE.2023-10-14T01-57-03Z" },
  minio: { image: "minio", dioptra: false, registry: "", namespace: "minio", tag: "latest" },
  nodejs: { image: "node", dioptra: false, registry: "", namespace: "", tag: "18" },
  redis: { image: "redis", dioptra: false, registry: "", namespace: "", tag: "latest" },
} as const satisfies Record<string, { image: string; dioptra: boolean; registry?: string; namespace?: string; tag?: string }>;

/** Name of an image slot that `images: { … }` can override. */
export type ImageName = keyof typeof IMAGES;

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
