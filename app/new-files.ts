/**
 * What `dioptra-deploy new` writes into a repository: a config with the
 * defaults stated, a strict tsconfig.json for it, a .gitignore and CI jobs
 * that fail when out/ is stale. Kept as data, one entry per file, so the
 * command, its tests and the README agree on the list.
 */

/** A file `new` creates (never over an existing one). */
export interface ScaffoldFile {
  readonly path: string;
  readonly text: string;
}

const CONFIG = `// The Dioptra deployment this repository describes. Every setting is optional: the values
// below are the defaults (Dioptra 1.1's cookiecutter template), stated so you can see them.
// \`npx dioptra-deploy generate\` checks this file and writes out/; commit both, and CI runs
// \`npx dioptra-deploy generate --check\` to catch an out/ that no longer matches.
import { deployment } from "dioptra-deploy";

export default deployment({
  dioptra: "1.1", // or "1.0" for deployments that still run it
  name: "Dioptra deployment", // its slug ("dioptra-deployment") prefixes every service, host and volume
  nginx: {
    serverName: "dioptra.example.org",
    exposePortsOnLocalhostOnly: true, // false publishes the ports on every interface
    httpPort: 80,
    httpsPort: 443,
    tls: false, // true needs certificate: "provided" (your files in ssl/nginx/) or "self-signed"
  },
  workers: {
    // a count, or a pool: { count: 2, mounts: [...], workers: { 2: { gpus: [1] } } }
    tensorflowCpu: 1,
    tensorflowGpu: 0,
    pytorchCpu: 1,
    pytorchGpu: 0, // GPU workers get one GPU each, numbered across the GPU pools
  },
  // hostGpus: 4, // the host's GPU count: every GPU index must be below it
  // datasetsDirectory: "/srv/datasets", // mounted read-only at /dioptra/data in every worker
});
`;

/** Strict, and checking only the config: the repository holds no other TypeScript. */
const TSCONFIG = `{
  // Checks deployment.config.ts as dioptra-deploy does (it reads this file): strictly, with Node's types.
  "compilerOptions": {
    "target": "es2022",
    "module": "nodenext",
    "moduleResolution": "nodenext",
    "types": ["node"],
    "strict": true,
    "noEmit": true,
    "noUnusedLocals": true,
    "noUnusedParameters": true,
    "exactOptionalPropertyTypes": true,
    "noUncheckedIndexedAccess": true,
    "noImplicitOverride": true,
    "noFallthroughCasesInSwitch": true,
    "forceConsistentCasingInFileNames": true,
    "skipLibCheck": true
  },
  "include": ["**/*.config.ts", "**/*.config.mts"]
}
`;

const GITIGNORE = `node_modules/
# out/ is committed. Secrets never are: init creates .env and secrets/ on the deployment host.
.env
secrets/
`;

const GITHUB_WORKFLOW = `# Fails when out/ no longer matches deployment.config.ts: run \`npx dioptra-deploy generate\` and commit out/.
name: dioptra-deploy
on: [push, pull_request]
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
      - run: npm ci
      - run: npx tsc --noEmit
      - run: npx dioptra-deploy generate --check
`;

const GITLAB_CI = `# Fails when out/ no longer matches deployment.config.ts: run \`npx dioptra-deploy generate\` and commit out/.
dioptra-deploy:
  image: node:20
  script:
    - npm ci
    - npx tsc --noEmit
    - npx dioptra-deploy generate --check
`;

/** Every file `new` creates, in the order it reports them. */
export const SCAFFOLD: readonly ScaffoldFile[] = [
  { path: "deployment.config.ts", text: CONFIG },
  { path: "tsconfig.json", text: TSCONFIG },
  { path: ".gitignore", text: GITIGNORE },
  { path: ".github/workflows/dioptra-deploy.yml", text: GITHUB_WORKFLOW },
  { path: ".gitlab-ci.yml", text: GITLAB_CI },
];

/** The scripts `new` adds to package.json (a script of that name already there is kept). */
export const SCRIPTS: Readonly<Record<string, string>> = {
  generate: "dioptra-deploy generate",
  check: "tsc --noEmit && dioptra-deploy generate --check",
  plan: "dioptra-deploy plan",
};
