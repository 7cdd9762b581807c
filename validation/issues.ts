/** Located problems of a config, for the layers below the DSL: the DSL's own public `Issue` and the error that carries them. */
export { ConfigError, formatIssue, type Issue } from "../dsl/errors.js";
