/**
 * A config using every typed feature beyond the template's variables:
 * mounts per pool and per worker, NFS and driver volumes, GPUs per worker,
 * custom containers, TLS (with legacy protocols and HSTS), capabilities, overlays. The real-tool checks run on it too.
 */
import { bindMount, deployment, driverVolume, envFile, fromEnv, nfsVolume, secret, volumeMount, workerContainer } from "dioptra-deploy";

export default deployment({
  name: "Features Lab",
  registry: "registry.example.org:5000/team",
  tag: "1.0.1",
  images: { restapi: { tag: "1.0.2" }, redis: "redis:7.2-alpine" },
  nginx: { serverName: "dioptra.lab.example.org", tls: true, certificate: "self-signed", httpsPort: 8443 },
  postgres: { adminUser: "pgadmin_root", adminDatabase: "admin_db", tls: true },
  // The weakening knobs, so the real nginx checks them too.
  security: { legacyTls: true, hsts: true, hstsMaxAge: 31536000 },
  // pytorch GPU worker 2 takes "all", so it shares GPUs with the others: on purpose here.
  hostGpus: 4,
  gpuSharing: true,
  datasetsDirectory: "/srv/datasets",
  volumes: {
    "dioptra-data": nfsVolume({ server: "10.0.0.10", export: "/dioptra/data" }),
    scratch: driverVolume({ driverOpts: { type: "tmpfs", device: "tmpfs", o: "size=1g" } }),
  },
  workers: {
    tensorflowCpu: { count: 2, mounts: [volumeMount("dioptra-data", "/data/nfs")], workers: { 2: { mounts: [bindMount("/home/models", "/models")] } } },
    tensorflowGpu: 1,
    pytorchCpu: 0,
    pytorchGpu: { count: 2, workers: { 1: { gpus: [1, 2] }, 2: { gpus: "all", mounts: [volumeMount("scratch", "/scratch", { readOnly: false })] } } },
  },
  customContainers: {
    "custom-container": workerContainer("cpu", {
      image: "custom-container:dev",
      command: ["tensorflow_cpu"],
      mounts: [bindMount("/local/path/to/data", "/dioptra/data")],
    }),
    "metrics-exporter": {
      image: "registry.example.org/exporter:2.1",
      // A third-party image: Compose starts it once the database and the REST API are healthy.
      dependsOn: { db: "healthy", restapi: "healthy" },
      envFiles: [envFile("ca-certificates")],
      environment: { DB_PASSWORD: fromEnv("POSTGRES_USER_DIOPTRA_PASSWORD"), EXPORTER_TOKEN: secret("EXPORTER_TOKEN"), BANNER: "costs $5; yes" },
      ports: [{ host: 9187, container: 9187 }],
      healthcheck: { test: ["wget", "-q", "-O-", "http://localhost:9187/metrics"], interval: "1m" },
      capAdd: ["NET_BIND_SERVICE"],
    },
  },
  systemd: { requiredMounts: ["mnt-data.mount"], deploymentPath: "/srv/dioptra" },
  overrides: { services: { "features-lab-restapi": { cpus: "2.0" } } },
  environments: { staging: { services: { "features-lab-tfcpu-01": { mem_limit: "4g" } } } },
});
