/**
 * Dioptra's own settings that a config must not weaken: the variables that
 * turn its authentication off, and the secrets that belong to one service
 * only (facts: ../shared/notes/dioptra-app-settings.md).
 */
import { show } from "./checks.js";

/** Variables no service may be given: any value at all has the effect named. */
export const FORBIDDEN_APP_VARIABLES: Readonly<Record<string, string>> = {
  DIOPTRA_LOGIN_DISABLED: "any value turns the REST API's authentication off, for every user",
};

/** `.env` variables that only the named service of the deployment reads. */
export const SERVICE_ONLY_VARIABLES: Readonly<Record<string, string>> = {
  DIOPTRA_DEPLOY_SECRET_KEY: "the REST API, which signs its session and remember-me cookies with it",
};

/** The names an environment sets, in either of Compose's forms (a map, or a list of `NAME=value`). */
function namesSet(environment: unknown): [key: string, name: string][] {
  if (Array.isArray(environment)) return environment.flatMap((e, i) => (typeof e === "string" ? [[String(i), e.split("=", 1)[0]!] as [string, string]] : []));
  if (environment !== null && typeof environment === "object") return Object.keys(environment).map((k) => [k, k]);
  return [];
}

/** A forbidden variable set in an environment at `path` (a custom container's, or an overlay service's). */
export function forbiddenVariableProblems(environment: unknown, path: string): [string, string][] {
  return namesSet(environment).flatMap(([key, name]) =>
    Object.hasOwn(FORBIDDEN_APP_VARIABLES, name)
      ? [[`${path}.${key}`, `${show(name)} must not be set: ${FORBIDDEN_APP_VARIABLES[name]}. Remove it; dioptra-deploy has no switch for it`] as [string, string]]
      : [],
  );
}

/** Problems of an overlay's services' environments (`overrides`, `environments.<name>`). */
export function overlayEnvironmentProblems(overlay: unknown, path: string): [string, string][] {
  const services = (overlay as { services?: unknown } | undefined)?.services;
  if (services === null || typeof services !== "object") return [];
  return Object.entries(services).flatMap(([name, svc]) =>
    svc !== null && typeof svc === "object" ? forbiddenVariableProblems((svc as { environment?: unknown }).environment, `${path}.services.${name}.environment`) : [],
  );
}

/** Why `fromEnv(name)` is refused in a custom container, or undefined when it is not. */
export function serviceOnlyVariable(name: string): string | undefined {
  return Object.hasOwn(SERVICE_ONLY_VARIABLES, name) ? `fromEnv(${show(name)}): only ${SERVICE_ONLY_VARIABLES[name]}, gets ${name}` : undefined;
}
