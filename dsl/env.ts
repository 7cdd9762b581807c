import { envRef, envSecret } from "../model/env-value.js";
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
  return envRef(name, options.default);
}

/**
 * A secret of your own, as an environment value: init draws a random value
 * (32 characters of [A-Za-z0-9_-], from the kernel's CSPRNG) into `.env` as
 * `NAME=…` once, never prints it and never rewrites it; Compose interpolates
 * `${NAME}`. Use a name that init does not already write.
 *
 * @example
 * customContainers: {
 *   jupyter: { image: "quay.io/jupyter/base-notebook:2025-01-06", environment: { JUPYTER_TOKEN: secret("JUPYTER_TOKEN") } },
 * }
 */
export function secret(name: string): Interpolated {
  return envSecret(name);
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
