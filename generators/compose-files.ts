/** docker-compose.yml: lowered, schema-checked, serialized. */
import { ConfigError } from "../dsl/errors.js";
import type { DeploymentSpec } from "../dsl/spec.js";
import { mainCompose } from "./compose/main.js";
import { composeYaml } from "./compose/serialize.js";
import type { ComposeFile } from "./compose/types.js";
import { composeSchemaIssues } from "./compose/validate.js";
import type { OutFile } from "./out-file.js";

/** Serializes a Compose model after checking it against the Compose schema. */
export function composeFile(path: string, model: ComposeFile, preamble: readonly string[]): OutFile {
  const issues = composeSchemaIssues(path, model);
  if (issues.length > 0) throw new ConfigError(issues, `${path} would not be a valid Compose file`);
  return { path, content: composeYaml(model, preamble), mode: 0o644 };
}

export function composeFiles(spec: DeploymentSpec): OutFile[] {
  return [
    composeFile("docker-compose.yml", mainCompose(spec), [
      `Dioptra deployment "${spec.name.replace(/[^\x20-\x7e]/g, "?")}" (slug ${spec.slug}).`,
      "Secrets come from .env, which init-deployment.sh creates on the host.",
    ]),
  ];
}
