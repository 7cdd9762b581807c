/**
 * `dioptra-deploy import --cruft FILE --out CONFIG.ts [--compose OVERRIDE] [--force]`:
 * the command line of app/import.ts, which turns a cookiecutter deployment's
 * variables (and its hand-edited override file) into a deployment.config.ts.
 */
import { COMMON_FLAGS, EXIT, UsageError, parseCommandLine, type CommandSpec, type Io } from "../io.js";

export const spec = {
  name: "import",
  summary: "turn a cookiecutter deployment's variables (and override file) into deployment.config.ts",
  usage: "dioptra-deploy import --cruft FILE --out CONFIG.ts [--compose docker-compose.override.yml] [--dioptra 1.0|1.1] [--keep-images] [--force]",
  description: [
    "Reads the variables of a deployment made with Dioptra's cookiecutter template and writes a",
    "config that states only what differs from the template's defaults. With --compose, the",
    "hand-edited override file becomes typed mounts, GPUs, volumes and containers. The config is",
    "loaded and type-checked before it is put in place; on any problem nothing is written.",
  ].join("\n"),
  options: {
    cruft: { type: "string", value: "FILE", help: "a .cruft.json, a cookiecutter replay file, or a JSON object of template variables (required)" },
    out: { type: "string", value: "CONFIG.ts", help: "the config file to write (required)" },
    compose: { type: "string", value: "FILE", help: "the deployment's hand-edited docker-compose.override.yml, to import as well" },
    dioptra: { type: "string", value: "1.0|1.1", help: "the Dioptra release the deployment runs; needed when FILE records no known template commit" },
    force: { type: "boolean", default: false, help: "replace CONFIG.ts if it exists" },
    "keep-images": { type: "boolean", default: false, help: "keep the deployment's third-party images exactly (redis:latest stays), instead of the pinned ones" },
    ...COMMON_FLAGS,
  },
  examples: ["dioptra-deploy import --cruft ../my-deployment/.cruft.json --compose ../my-deployment/docker-compose.override.yml --out deployment.config.ts"],
} satisfies CommandSpec;

/** Runs `import`; returns the exit code, or throws what cli/io.ts maps to one. */
export async function run(argv: string[], io: Io): Promise<number> {
  const args = parseCommandLine(spec, argv, io);
  if (!args) return EXIT.ok;
  const { values } = args;
  if (values.cruft === undefined) throw new UsageError("--cruft FILE is required (a .cruft.json, a cookiecutter replay file, or a JSON object of template variables)");
  if (values.out === undefined) throw new UsageError("--out CONFIG.ts is required");
  const { importDeployment } = await import("../../app/import.js");
  const written = await importDeployment(
    { cruft: values.cruft, out: values.out, compose: values.compose, dioptra: values.dioptra, force: values.force, keepImages: values["keep-images"] },
    { note: (m) => io.err(m), warn: (m) => io.err(`warning: ${m}`) },
  );
  io.out(written);
  return EXIT.ok;
}
