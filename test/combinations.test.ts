/**
 * Parity beyond the fixtures: random combinations of every template
 * variable (seeded, so a failure reproduces), rendered by the vendored
 * template and generated from the same variables through the importer's
 * mapping, must give the same docker-compose.yml, nginx confs, env files and
 * MinIO policies. Needs python3 with jinja2
 * (Debian's python3-jinja2; installed by .ci/run).
 */
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "yaml";
import { deployment } from "../dsl/deployment.js";
import { synth } from "../generators/index.js";
import { writeOut } from "../generators/write.js";
import { fromCookiecutter } from "../importers/cookiecutter-vars.js";
import { IN_CI, ROOT, composeConfig, haveTool, normalizeCompose, tempDir, withoutMarker } from "./helpers.js";

const CHOICES: Record<string, readonly string[]> = {
  deployment_name: ["Dioptra deployment", "lab_one", "My Big Lab", "x"],
  container_registry: ["", "registry.example.org:5000", "ghcr.io/acme"],
  container_tag: ["dev", "1.0.1", "latest"],
  docker_compose_path: ["docker compose", "docker-compose", "/usr/local/bin/docker-compose"],
  systemd_required_mounts: ["", "mnt-data.mount", "a.mount b.mount"],
  nginx_server_name: ["dioptra.example.org", "localhost", "*.lab.example.org"],
  nginx_expose_ports_on_localhost_only: ["True", "False", "true", "FALSE"],
  postgres_container_tag: ["15", "16.4-bookworm"],
  pgadmin_default_email: ["dioptra@example.com", "ops@lab.example.org"],
  num_tensorflow_cpu_workers: ["0", "1", "2", "10"],
  num_tensorflow_gpu_workers: ["0", "1", "3"],
  num_pytorch_cpu_workers: ["0", "1", "4"],
  num_pytorch_gpu_workers: ["0", "2", "11"],
  datasets_directory: ["", "/data", "/srv/dioptra/datasets"],
};
/** Folders whose every file equals the template's: text after our marker line, or JSON data. */
const SAME_AS_REFERENCE: readonly [folder: string, same: (ours: string, reference: string, file: string) => void][] = [
  ["config/nginx", (ours, ref, file) => assert.fixture(withoutMarker(ours), ref, file)],
  ["envs", (ours, ref, file) => assert.fixture(withoutMarker(ours), ref, file)],
  ["config/minio", (ours, ref, file) => assert.equal(JSON.parse(ours), JSON.parse(ref), file)],
];
const COMBINATIONS = Number(process.env.COMBINATIONS ?? 12);
const SEED = Number(process.env.SEED ?? 20261125);

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function havePythonJinja(): boolean {
  const ok = spawnSync("python3", ["-c", "import jinja2"], { stdio: "ignore" }).status === 0;
  if (!ok && IN_CI) throw new Error("python3 with jinja2 is required under CI (apt-get install python3-jinja2)");
  if (!ok) console.log("  (skipping random template combinations: python3 with jinja2 not installed)");
  return ok;
}

const random = rng(SEED);
const combos = Array.from({ length: COMBINATIONS }, (_, i) =>
  // The first combination takes the last choice of everything, so every choice list's tail is covered once.
  Object.fromEntries(Object.entries(CHOICES).map(([k, v]) => [k, i === 0 ? v.at(-1)! : v[Math.floor(random() * v.length)]!])),
);

combos.forEach((vars, i) => {
  test(`combination ${i + 1} (seed ${SEED}): docker-compose.yml, nginx confs, env files and MinIO policies equal the template's`, () => {
    if (!havePythonJinja()) return;
    const dir = tempDir("dd-combo-");
    writeFileSync(join(dir, "vars.json"), JSON.stringify(vars));
    const r = spawnSync("python3", [join(ROOT, "test/tools/render_reference.py"), join(ROOT, "test/reference-template"), join(dir, "ref"), join(dir, "vars.json")], { encoding: "utf8" });
    assert.is(r.status, 0, r.stderr);
    const refDir = join(dir, "ref", readdirSync(join(dir, "ref"))[0]!);
    const conv = fromCookiecutter(vars);
    assert.equal(conv.issues, [], JSON.stringify(vars));
    const ours = join(dir, "ours");
    writeOut(synth(deployment(conv.props).toSpec()), ours);
    const read = (d: string) => normalizeCompose(parse(readFileSync(join(d, "docker-compose.yml"), "utf8")));
    assert.equal(read(ours), read(refDir), JSON.stringify(vars));
    if (haveTool("docker-compose")) assert.fixture(composeConfig(ours, ["docker-compose.yml"]), composeConfig(refDir, ["docker-compose.yml"]));
    // The files the variables reach besides docker-compose.yml, compared as the fixtures' tests do.
    for (const [folder, same] of SAME_AS_REFERENCE) {
      const names = readdirSync(join(refDir, folder)).filter((f) => !f.startsWith("."));
      assert.equal(readdirSync(join(ours, folder)).sort(), names.sort(), `${folder} file names`);
      for (const f of names) same(readFileSync(join(ours, folder, f), "utf8"), readFileSync(join(refDir, folder, f), "utf8"), `${folder}/${f}`);
    }
  });
});

test.run();
