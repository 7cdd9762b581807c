/**
 * The one home of `${…}`: an environment value the target fills in from
 * `.env` when it runs. Parsed into {@link EnvRef} and printed back only here;
 * every other module asks these functions, never a regular expression.
 *
 * @example
 * parseEnvRef("${JUPYTER_PORT:-8888}") // { var: "JUPYTER_PORT", fallback: { kind: "default", ifEmpty: true, text: "8888" } }
 * printEnvRef({ var: "REDIS_PASSWORD" }) // "${REDIS_PASSWORD}"
 */
import type { Interpolated } from "../dsl/props.js";

/** `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}` or `${VAR?error}`. */
export interface EnvRef {
  readonly var: string;
  /** What stands in when the variable is unset (or, with `ifEmpty`, empty): a default, or an error that stops the target. */
  readonly fallback?: { readonly kind: "default" | "error"; readonly ifEmpty: boolean; readonly text: string };
}

const REF = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}$/;

export function parseEnvRef(text: string): EnvRef | undefined {
  const m = REF.exec(text);
  if (!m) return undefined;
  if (m[3] === undefined) return { var: m[1]! };
  return { var: m[1]!, fallback: { kind: m[3] === "-" ? "default" : "error", ifEmpty: m[2] === ":", text: m[4]! } };
}

export function printEnvRef(r: EnvRef): string {
  const f = r.fallback;
  return f === undefined ? `\${${r.var}}` : `\${${r.var}${f.ifEmpty ? ":" : ""}${f.kind === "default" ? "-" : "?"}${f.text}}`;
}

/** The default a reference gives, if any. */
export const defaultOf = (r: EnvRef): string | undefined => (r.fallback?.kind === "default" ? r.fallback.text : undefined);

/** A value read from `.env`, with the default Compose uses when it is unset or empty. */
export function envRef(name: string, fallback?: string): Interpolated {
  return { interpolate: printEnvRef(fallback === undefined ? { var: name } : { var: name, fallback: { kind: "default", ifEmpty: true, text: fallback } }) };
}

/** A secret init draws into `.env`. */
export function envSecret(name: string): Interpolated {
  return { interpolate: printEnvRef({ var: name }), secret: true };
}

/** `NAME: ${NAME}` for each name: values init writes into `.env`. */
export const fromDotEnv = (...names: string[]): Record<string, Interpolated> => Object.fromEntries(names.map((n) => [n, envRef(n)]));
