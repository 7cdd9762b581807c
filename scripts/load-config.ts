/**
 * Loads a deployment.config.ts: esbuild bundles it with the files it imports
 * (TypeScript syntax stripped, no type check), `dioptra-deploy` is pointed at
 * this very copy of the DSL, and the bundle is imported from memory. Nothing
 * is written next to the config.
 */
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { isDeployment, type Deployment } from "../dsl/deployment.js";

/** A mistake in the config file itself (syntax, exception, wrong export). */
export class ConfigLoadError extends Error {
  override readonly name = "ConfigLoadError";
}

/** The config file is missing: a usage error. */
export class ConfigMissingError extends Error {
  override readonly name = "ConfigMissingError";
}

const DSL_ENTRY = new URL("../dsl/index.js", import.meta.url).href;

export async function loadConfig(file: string): Promise<Deployment> {
  const abs = resolve(file);
  if (!existsSync(abs) || !statSync(abs).isFile()) throw new ConfigMissingError(`config file ${file} not found`);
  const esbuild = await import("esbuild");
  let code: string;
  try {
    const result = await esbuild.build({
      entryPoints: [abs],
      bundle: true,
      write: false,
      format: "esm",
      platform: "node",
      target: "node20",
      sourcemap: "inline",
      sourcesContent: false,
      logLevel: "silent",
      plugins: [
        {
          name: "dioptra-deploy-self",
          setup(b) {
            b.onResolve({ filter: /^dioptra-deploy$/ }, () => ({ path: DSL_ENTRY, external: true }));
          },
        },
      ],
    });
    code = result.outputFiles[0]!.text;
  } catch (e) {
    const errors = (e as { errors?: { text: string; location?: { file: string; line: number; column: number } }[] }).errors;
    if (errors?.length) {
      throw new ConfigLoadError(
        errors.map((er) => (er.location ? `${resolve(er.location.file)}:${er.location.line}:${er.location.column + 1}  ${er.text}` : er.text)).join("\n"),
      );
    }
    throw e;
  }
  // Source paths in the map are relative to the working directory; make them absolute so stack frames name the real file.
  process.setSourceMapsEnabled(true);
  const url = `data:text/javascript;base64,${Buffer.from(code).toString("base64")}`;
  let mod: { default?: unknown };
  try {
    mod = (await import(url)) as { default?: unknown };
  } catch (e) {
    const err = e as Error;
    const frame = /\(?([^\s()]+\.(?:ts|mts|js|mjs)):(\d+):(\d+)\)?/.exec(err.stack ?? "");
    throw new ConfigLoadError(`${frame ? `${resolve(frame[1]!)}:${frame[2]}:${frame[3]}  ` : ""}${file} threw: ${err.message ?? String(e)}`);
  }
  if (!isDeployment(mod.default)) {
    throw new ConfigLoadError(`${file} must end with \`export default deployment({ ... })\` (imported from "dioptra-deploy")`);
  }
  void pathToFileURL;
  return mod.default;
}
