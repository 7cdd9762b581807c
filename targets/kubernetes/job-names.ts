/**
 * The one-shot init steps the Kubernetes base runs as Jobs, in the order
 * they complete: the database's role and schemas, MinIO's accounts and
 * buckets, then (Dioptra 1.1) the workers' account once the REST API answers.
 */
export const JOB_STEPS = ["database", "minio", "worker-account"] as const;
export type JobStep = (typeof JOB_STEPS)[number];

/** A Job's name; it becomes the `job-name` label of its pods, so at most 63 characters. */
export const jobName = (slug: string, step: JobStep): string => `${slug}-init-${step}`;

/** The steps of a release: the workers' account only where workers log in (1.1). */
export const stepsOf = (workerAccount: boolean): JobStep[] => JOB_STEPS.filter((j) => workerAccount || j !== "worker-account");

export const jobNames = (slug: string, workerAccount: boolean): string[] => stepsOf(workerAccount).map((j) => jobName(slug, j));
