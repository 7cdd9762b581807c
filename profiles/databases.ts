/**
 * The applications' databases and the role they log in as: the same in
 * every release. init-db.sh creates them, the `.env` URIs name them, and the
 * validator keeps `postgres.adminDatabase` off them.
 */

/** The role the REST API and MLflow Tracking log in as (DIOPTRA_*_DATABASE_URI in .env). */
export const APP_ROLE = "dioptra";

/** One database per application. */
export const APP_DATABASES = { restapi: "restapi", mlflowTracking: "mlflow-tracking" } as const;
