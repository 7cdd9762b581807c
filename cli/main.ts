/**
 * The dioptra-deploy command line: finds the command and hands it the
 * rest of the arguments. Each command lives in cli/commands/ and is loaded
 * only when run; errors become exit codes in cli/io.ts.
 */
import { readFileSync } from "node:fs";
import { packagePath } from "../generators/package-path.js";
import { EXIT, UsageError, reportError, terminalIo, type CommandSpec, type Io } from "./io.js";

interface Command {
  readonly spec: CommandSpec;
  run(argv: string[], io: Io): Promise<number>;
}

/** The commands, loaded on demand (each pulls in only what it needs). */
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  generate: () => import("./commands/generate.js"),
  import: () => import("./commands/import.js"),
  new: () => import("./commands/new.js"),
  plan: () => import("./commands/plan.js"),
  set: () => import("./commands/set.js"),
};

function version(): string {
  return (JSON.parse(readFileSync(packagePath("package.json"), "utf8")) as { version: string }).version;
}

async function toolHelp(): Promise<string> {
  const specs = await Promise.all(Object.values(COMMANDS).map(async (load) => (await load()).spec));
  const width = Math.max(...specs.map((s) => s.name.length)) + 2;
  return [
    "usage: dioptra-deploy <command> [options]",
    "",
    "Turns a typed deployment.config.ts into a Dioptra deployment for docker compose.",
    "",
    "commands:",
    ...specs.map((s) => `  ${s.name.padEnd(width)}${s.summary}`),
    "",
    "options:",
    "  -h, --help     show this help (or a command's, after its name) and exit",
    "  -V, --version  print the version and exit",
    "",
    "Run `dioptra-deploy <command> --help` for a command's flags.",
  ].join("\n");
}

const TOOL_USAGE = { line: "dioptra-deploy <command> [options]  (commands: generate, import, new, plan, set)", help: "`dioptra-deploy --help`" };

/** Runs the CLI; returns the exit code. Never throws. */
export async function main(argv: string[], io: Io = terminalIo()): Promise<number> {
  const [name, ...rest] = argv;
  const debug = rest.includes("--debug");
  const load = name === undefined ? undefined : COMMANDS[name];
  let usage = TOOL_USAGE;
  try {
    if (load) {
      const command = await load();
      usage = { line: command.spec.usage, help: `\`dioptra-deploy ${command.spec.name} --help\`` };
      return await command.run(rest, io);
    }
    switch (name) {
      case "-h":
      case "--help":
      case "help":
        io.out(await toolHelp());
        return EXIT.ok;
      case "-V":
      case "--version":
        io.out(version());
        return EXIT.ok;
      default:
        throw new UsageError(name === undefined ? "no command given" : `unknown command ${JSON.stringify(name)}`);
    }
  } catch (e) {
    return reportError(e, io, usage, debug);
  }
}
