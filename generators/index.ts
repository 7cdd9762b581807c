/**
 * Every generator, in one table. Each is a pure function from the model of
 * the deployment to files; `synth` builds the model once, runs them all and
 * checks the result is one coherent set of paths.
 */
import type { DeploymentSpec } from "../validation/spec.js";
import { buildModel } from "../model/build.js";
import type { DeploymentModel } from "../model/types.js";
import { dbAndMinioFiles } from "./db-minio/files.js";
import { deploymentReadme } from "./deployment-readme.js";
import { envFiles } from "./env-files.js";
import { gitignoreFile } from "./gitignore.js";
import { initFiles } from "./init/files.js";
import { nginxConfs } from "./nginx/confs.js";
import { sslReadmes } from "./ssl-readmes.js";
import type { OutFile } from "../files/out-file.js";

export type Generator = (model: DeploymentModel) => OutFile[];

export const GENERATORS: readonly Generator[] = [
  envFiles,
  nginxConfs,
  dbAndMinioFiles,
  initFiles,
  sslReadmes,
  gitignoreFile,
  deploymentReadme,
];

export function synth(spec: DeploymentSpec): OutFile[] {
  const model = buildModel(spec);
  // Files every target shares, then each target's own.
  const files = [...GENERATORS.flatMap((g) => g(model)), ...spec.targets.flatMap((t) => t.synth(model))];
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f.path)) throw new Error(`internal error: two generators produce ${f.path}`);
    seen.add(f.path);
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export type { OutFile } from "../files/out-file.js";
