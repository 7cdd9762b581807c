/**
 * Env sets: the non-secret environment files the deployment generates, by
 * name. Where a set's file lives is each target's business (Compose reads
 * `./envs/<name>.env`, the Swarm stack `../envs/<name>.env`); the file's name
 * in the output folder is {@link envSetFile}.
 */

/** A generated set by name, or a file of the user's, relative to the deployment folder. */
export type EnvSetRef = { readonly set: string } | { readonly file: string };

/** The set shared by every service that trusts the deployment's CA certificates. */
export const CA_SET = "ca-certificates";

/** The name of a service's set: `<slug>-<stem>`, but one CA set for the whole deployment. */
export const envSetName = (slug: string, stem: string): string => (stem === CA_SET ? CA_SET : `${slug}-${stem}`);

/** A service's set, by its stem (`db`, `worker`, …). */
export const envSet = (slug: string, stem: string): EnvSetRef => ({ set: envSetName(slug, stem) });

/** The file of a set in the output folder. */
export const envSetFile = (name: string): string => `envs/${name}.env`;

/** An env set's file relative to the deployment folder (its own for a user's file). */
export const envSetPath = (r: EnvSetRef): string => ("set" in r ? envSetFile(r.set) : r.file);
