import type { EnvFileRef, GeneratedEnvFile, Interpolated } from "./props.js";

/**
 * A value Compose takes from the host environment or `.env` at start time,
 * written `${NAME}` (or `${NAME:-default}`). Plain strings are literal: a `$`
 * in them is escaped for Compose.
 *
 * @example
 * environment: { AWS_ACCESS_KEY_ID: fromEnv("WORKER_AWS_ACCESS_KEY_ID"), GREETING: "costs $5" }
 */
export function fromEnv(name: string, options: { readonly default?: string } = {}): Interpolated {
  return { interpolate: options.default === undefined ? `\${${name}}` : `\${${name}:-${options.default}}` };
}

/**
 * One of the env files the deployment generates under `envs/`, for a custom
 * container; the file name follows the deployment's slug.
 *
 * @example
 * envFiles: [envFile("ca-certificates"), envFile("worker")]
 */
export function envFile(name: GeneratedEnvFile): EnvFileRef {
  return { generated: name };
}
