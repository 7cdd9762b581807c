/**
 * Loads a deployment.config.ts: esbuild bundles it with the files it imports
 * (TypeScript syntax stripped, no type check), `dioptra-deploy` is pointed at
 * this very copy of the DSL, and the bundle is imported from a private
 * temporary folder (nothing is written next to the config). The bundle's
 * source map makes stack frames, and so the DSL's call sites, name the
 * original .ts lines.
 */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
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
  const dir = mkdtempSync(join(tmpdir(), "dioptra-deploy-config-"));
  const outfile = join(dir, "config.mjs");
  try {
    return await importBundle(esbuild, abs, outfile, file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function importBundle(esbuild: typeof import("esbuild"), abs: string, outfile: string, file: string): Promise<Deployment> {
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
      outfile,
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
  process.setSourceMapsEnabled(true);
  writeFileSync(outfile, code);
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(outfile).href)) as { default?: unknown };
  } catch (e) {
    const err = e as Error;
    const frame = /\(?((?:file:\/\/)?\/[^\s()]+\.(?:ts|mts|cts|js|mjs|cjs)):(\d+):(\d+)\)?/.exec(err.stack ?? "");
    const where = frame ? `${frame[1]!.replace(/^file:\/\//, "")}:${frame[2]}:${frame[3]}  ` : "";
    throw new ConfigLoadError(`${where}${file} threw: ${err?.message ?? String(e)}`);
  }
  if (!isDeployment(mod.default)) {
    throw new ConfigLoadError(`${file} must end with \`export default deployment({ ... })\` (imported from "dioptra-deploy")`);
  }
  return mod.default;
}
