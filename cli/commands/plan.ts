/**
 * `dioptra-deploy plan`: what `generate` would change in the deployment
 * folder, and what that means for the running deployment: the services
 * `docker compose up -d` recreates, and whether init must run again.
 * Writes nothing; exit 0 whatever the plan (1 only for a bad config).
 */
import { COMMON_FLAGS, EXIT, parseCommandLine, type CommandSpec, type Io } from "../io.js";
import { filesAndOut, shownDir } from "./generate.js";

export const spec = {
  name: "plan",
  summary: "show what generate would change, which services Compose would recreate and whether init must run again",
  usage: "dioptra-deploy plan [--config FILE] [--out DIR]",
  description: [
    "Checks the config like generate, then compares what generate would write with the output",
    "folder and prints a short list: the files it would write or remove; the services that",
    "`docker compose up -d` would create, recreate (their definition in docker-compose.yml or",
    "docker-compose.override.yml changed, or an env file they read), remove, or that need a",
    "restart Compose does not notice (a mounted file of the folder changed); and whether",
    "./init-deployment.sh must run again (files under config/ or ssl/ changed, its defaults",
    "changed, or the config has new secrets). Writes nothing; exits 0 whatever the plan.",
  ].join("\n"),
  options: {
    config: { type: "string", value: "FILE", default: "deployment.config.ts", help: "the deployment config to plan from" },
    out: { type: "string", value: "DIR", default: "out", help: "the deployment folder to compare with" },
    ...COMMON_FLAGS,
  },
  examples: ["dioptra-deploy plan", "dioptra-deploy plan --config lab.config.ts --out lab-out"],
} satisfies CommandSpec;

export async function run(argv: string[], io: Io): Promise<number> {
  const args = parseCommandLine(spec, argv, io);
  if (!args) return EXIT.ok;
  const { files, outDir } = await filesAndOut(args.values, io);
  const { planOf } = await import("../../app/plan.js");
  const { formatPlan } = await import("../../generators/plan.js");
  for (const line of formatPlan(await planOf(files, outDir), shownDir(outDir))) io.out(line);
  return EXIT.ok;
}
