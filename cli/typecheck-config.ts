/**
 * Type-checks a deployment config with the TypeScript compiler, so a typo
 * (`servername`) or a wrong type (`tensorflowGpu: "2"`) is reported as a
 * compiler diagnostic with file and line, as an editor would show it. esbuild,
 * which loads the config, only strips types.
 *
 * The config is a module of the user's project, so it is checked as the
 * project's own `tsc` would check it: the nearest tsconfig.json above the
 * config is extended (its `types`, `lib`, `module`, strictness…), and the
 * check's tsconfig is written inside the project (node_modules/.cache), so
 * `types: ["node"]` and imports find the project's packages. Only what a
 * check of one file needs is overridden: no emit, just the config's files,
 * and `dioptra-deploy` mapped to this package's own declarations, so the
 * types match the code that runs.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { Issue } from "../dsl/errors.js";
import { packagePath } from "../generators/package-path.js";
import { projectDir, userTsconfig } from "./project.js";

const DSL_TYPES = packagePath("dist", "dsl", "index.d.ts");

/** The compiler's command, or undefined when TypeScript is not installed. */
function tscCommand(): string | undefined {
  try {
    const pkg = createRequire(import.meta.url).resolve("typescript/package.json");
    return join(dirname(pkg), "bin", "tsc");
  } catch {
    return undefined;
  }
}

/** True when Node treats a `.ts` file of `dir` as CommonJS: the nearest package.json says so, or says nothing. */
function commonJsPackage(dir: string): boolean {
  for (let d = dir; ; d = dirname(d)) {
    try {
      return (JSON.parse(readFileSync(join(d, "package.json"), "utf8")) as { type?: unknown }).type !== "module";
    } catch {
      if (dirname(d) === d) return false;
    }
  }
}

/**
 * The one change that lets an ES module config type-check in a CommonJS
 * project (npm init writes `"type": "commonjs"`, and tsc --init's
 * `verbatimModuleSyntax` then refuses `import` in a .ts file: TS1286/TS1287/TS1295).
 */
export const COMMONJS_HINT =
  'this project is CommonJS (package.json "type" is not "module"), where tsc --init\'s verbatimModuleSyntax refuses import/export in a .ts file; run `npm pkg set type=module` (or name the config deployment.config.mts)';
const COMMONJS_CODES = new Set(["TS1286", "TS1287", "TS1295"]);

/** Diagnostics in `files` (the config and what it imports), or undefined when the check could not run. */
export function typecheckConfig(config: string, files: readonly string[]): Issue[] | undefined {
  const tsc = tscCommand();
  if (!tsc) return undefined;
  const configDir = dirname(resolve(config));
  const project = projectDir(configDir);
  const base = userTsconfig(configDir, project);
  // Inside the project, so the compiler's lookups (types, typeRoots, imports) start from it.
  const cache = project && existsSync(join(project, "node_modules")) ? join(project, "node_modules", ".cache") : undefined;
  if (cache) mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache ?? tmpdir(), "dioptra-deploy-tsc-"));
  try {
    const nodeTypes = project !== undefined && existsSync(join(project, "node_modules", "@types", "node"));
    const defaults = { strict: true, target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", types: nodeTypes ? ["node"] : [] };
    const tsconfig = {
      ...(base ? { extends: base } : {}),
      compilerOptions: {
        ...(base ? {} : defaults),
        noEmit: true,
        composite: false,
        incremental: false,
        declaration: false,
        declarationMap: false,
        emitDeclarationOnly: false,
        sourceMap: false,
        rootDir: "/",
        skipLibCheck: true,
        allowImportingTsExtensions: true,
        paths: { "dioptra-deploy": [DSL_TYPES] },
      },
      files: files.filter((f) => /\.[cm]?tsx?$/.test(f)),
      include: [],
    };
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(tsconfig));
    const r = spawnSync(process.execPath, [tsc, "-p", join(dir, "tsconfig.json"), "--pretty", "false"], { cwd: dir, encoding: "utf8" });
    if (r.status === 0) return [];
    const output = `${r.stdout}\n${r.stderr}`;
    const diagnostics = [...output.matchAll(/^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/gm)];
    const unlocated = [...output.matchAll(/^error (TS\d+): (.*)$/gm)];
    // No diagnostic at all: the compiler itself failed; the check could not run.
    if (diagnostics.length === 0 && unlocated.length === 0) return undefined;
    const cjs = commonJsPackage(configDir);
    let hinted = false;
    const ownTsconfig = join(dir, "tsconfig.json");
    // Diagnostics inside the DSL's declarations would be our bug, not the user's; our own type check catches those.
    const dsl = dirname(DSL_TYPES);
    const issues = diagnostics
      .filter((m) => !resolve(dir, m[1]!).startsWith(dsl))
      .map((m) => {
        const file = resolve(dir, m[1]!);
        const hint = cjs && !hinted && COMMONJS_CODES.has(m[4]!);
        hinted ||= hint;
        // An option of the user's tsconfig that the check's overrides conflict with: said as about the user's file.
        const location = file === ownTsconfig ? (base ?? resolve(config)) : `${file}:${m[2]}:${m[3]}`;
        return { path: m[4]!, message: hint ? `${m[5]!.replace(/\.$/, "")}; ${COMMONJS_HINT}` : m[5]!, location };
      });
    return [...issues, ...unlocated.map((m) => ({ path: m[1]!, message: m[2]!.replaceAll(dir, "."), location: base ?? resolve(config) }))];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
