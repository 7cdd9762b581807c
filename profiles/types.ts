/**
 * What a Dioptra release fixes about its deployment: default image
 * coordinates, queue names, env-file entries, the MinIO layout, and the
 * init steps it needs. One data module per release (dioptra-1.0.ts,
 * dioptra-1.1.ts) fills this in; generators read these facts from the
 * resolved deployment's profile and never test a release number.
 */
import type { ImageName } from "../dsl/images.js";
import type { HealthcheckProps } from "../dsl/props.js";
import type { WorkerKind } from "../dsl/worker-kinds.js";

/** A release that `dioptra: "…"` can name. */
export type DioptraRelease = "1.0" | "1.1";

/** Where an image comes from by default. */
export interface ImageDefault {
  /** Follows the deployment-wide `registry`, `namespace` and `tag` (the Dioptra images). */
  readonly dioptra: boolean;
  readonly image: string;
  readonly registry?: string;
  readonly namespace?: string;
  /** Default tag; the db image's comes from `postgres.tag`. */
  readonly tag?: string;
}

/** A MinIO account that init creates, with the policies attached to it. */
export interface MinioAccount {
  /** Prefix of its variables in the MinIO accounts file, e.g. `MINIO_RESTAPI`. */
  readonly variable: string;
  readonly policies: readonly string[];
}

export interface DioptraProfile {
  readonly release: DioptraRelease;
  /** The upstream template revision this profile is at parity with. */
  readonly template: { readonly commit: string; readonly date: string };
  /** Defaults of the deployment-wide image coordinates and of Postgres. */
  readonly defaults: { readonly registry: string; readonly namespace: string; readonly tag: string; readonly postgresTag: string };
  readonly images: Readonly<Record<ImageName, ImageDefault>>;
  /** The RQ queue each worker kind listens on. */
  readonly queues: Readonly<Record<WorkerKind, string>>;
  /** Lines added to the generated env files, by file stem. */
  readonly envExtras: Readonly<Partial<Record<"worker" | "restapi" | "mlflow-tracking", readonly string[]>>>;
  /** The worker image's own health check, as the worker services run it. */
  readonly workerHealthcheck: HealthcheckProps;
  /** nginx serves the web app with a single-page-app fallback (`try_files … /index.html`) on plain HTTP. */
  readonly frontendFallback: boolean;
  readonly minio: {
    readonly buckets: readonly string[];
    /** Policy names to write under config/minio/; their statements live in the policy table. */
    readonly policies: readonly string[];
    readonly accounts: readonly MinioAccount[];
  };
  /**
   * The third-party images the upstream template hard-codes, as it writes
   * them. The importer reads these as "the template's default", which this
   * profile replaces with its pinned {@link images}.
   */
  readonly templateImages: Readonly<Partial<Record<ImageName, string>>>;
  /** Workers log in to the REST API with an account that init registers. */
  readonly workerAccount: boolean;
}
