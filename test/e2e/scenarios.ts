/**
 * The e2e scenarios: one generated deployment each (configs/<id>.config.ts),
 * with what the run must find in it. A new scenario is a row here and a
 * config file; run.ts runs them in this order, one at a time.
 */
import type { SwarmExpectations } from "./swarm.js";

export type ScenarioId = "default" | "tls" | "gpu" | "swarm";

export interface Scenario {
  readonly id: ScenarioId;
  /** File in test/e2e/configs/. */
  readonly config: string;
  /** The Dioptra release the config states (`dioptra:`); the stand-ins act as that release's images. */
  readonly release: "1.0" | "1.1";
  /** Run init a second time before `up`: it must pass, keeping what the first run created. */
  readonly reinit?: boolean;
  readonly tls: boolean;
  /** nginx.httpsPort of the config, when TLS is on. */
  readonly httpsPort?: number;
  /** Postgres requires SSL (`postgres.tls`): a certificate goes in ssl/db/. */
  readonly postgresTls?: boolean;
  /** Put an extra CA certificate in ssl/ca-certificates/ before init. */
  readonly extraCa?: boolean;
  /** After the assertions, break nginx live and check that the assertions catch it (checks.ts checkCanary). */
  readonly canary?: boolean;
  /** Worker role (service name without the slug) → NVIDIA_VISIBLE_DEVICES it must see. */
  readonly gpus?: Readonly<Record<string, string>>;
  /** The Swarm target on three engines in containers (swarm.ts), with what its config declares. */
  readonly swarm?: SwarmExpectations;
}

export const SCENARIOS: readonly Scenario[] = [
  { id: "default", config: "default.config.ts", release: "1.1", tls: false, extraCa: true, canary: true, reinit: true },
  { id: "tls", config: "tls.config.ts", release: "1.1", tls: true, httpsPort: 8443, postgresTls: true },
  { id: "gpu", config: "gpu.config.ts", release: "1.0", tls: false, gpus: { "tfgpu-01": "0", "tfgpu-02": "1", "pytorchgpu-01": "3,4" } },
  {
    id: "swarm",
    config: "swarm.config.ts",
    release: "1.1",
    tls: false,
    swarm: {
      nodes: [{ host: "core", node: "e2e-core", manager: true }, { host: "cpu1", node: "e2e-cpu1" }, { host: "gpu1", node: "e2e-gpu1" }],
      gpuHost: "gpu1",
      gpus: 4,
      placement: { "tfcpu-02": "cpu1", "pytorchcpu-01": "cpu1", "tfgpu-01": "gpu1", "tfgpu-02": "gpu1", "pytorchgpu-01": "gpu1" },
      gpuWorkers: { "tfgpu-01": 1, "tfgpu-02": 1, "pytorchgpu-01": 2 },
      remoteWorker: "tfcpu-02",
    },
  },
];

