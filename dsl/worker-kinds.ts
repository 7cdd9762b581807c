/**
 * The four Dioptra worker kinds. They differ only by these fields, so every
 * generator iterates this table instead of repeating a block per kind.
 * Queue names vary by release (profiles/). Row order is significant: it is the service order of the reference
 * docker-compose.yml and the order in which GPU indices are handed out.
 */
export const WORKER_KINDS = [
  { key: "tensorflowCpu", short: "tfcpu", image: "tensorflowCpu", gpu: false, cookiecutter: "num_tensorflow_cpu_workers" },
  { key: "tensorflowGpu", short: "tfgpu", image: "tensorflowGpu", gpu: true, cookiecutter: "num_tensorflow_gpu_workers" },
  { key: "pytorchCpu", short: "pytorchcpu", image: "pytorchCpu", gpu: false, cookiecutter: "num_pytorch_cpu_workers" },
  { key: "pytorchGpu", short: "pytorchgpu", image: "pytorchGpu", gpu: true, cookiecutter: "num_pytorch_gpu_workers" },
] as const;

export type WorkerKindRow = (typeof WORKER_KINDS)[number];
/** A worker pool name as written in `workers: { … }`. */
export type WorkerKind = WorkerKindRow["key"];
export type GpuWorkerKind = Extract<WorkerKindRow, { gpu: true }>["key"];
export type CpuWorkerKind = Extract<WorkerKindRow, { gpu: false }>["key"];
