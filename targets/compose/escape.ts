import type { EnvValue } from "../../dsl/props.js";

/** A literal string as Compose text: `$` starts an interpolation, so it is doubled. */
export function composeLiteral(value: string): string {
  return value.replaceAll("$", "$$$$");
}

/** An environment value as Compose text: interpolations stay, literals are escaped. */
export function composeEnvValue(value: EnvValue): string {
  return typeof value === "string" ? composeLiteral(value) : value.interpolate;
}
