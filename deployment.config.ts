/**
 * The default Dioptra deployment: every setting at the cookiecutter
 * template's default. Edit, then run `npm run generate` to refresh out/.
 */
import { deployment } from "dioptra-deploy";

export default deployment({
  name: "Dioptra deployment",
  registry: "",
  tag: "dev",
  composeCommand: "docker compose",
  nginx: {
    serverName: "dioptra.example.org",
    exposePortsOnLocalhostOnly: true,
  },
  postgres: { tag: "15" },
  pgadmin: { defaultEmail: "dioptra@example.com" },
  workers: {
    tensorflowCpu: 1,
    tensorflowGpu: 0,
    pytorchCpu: 1,
    pytorchGpu: 0,
  },
  datasetsDirectory: "",
  systemd: { requiredMounts: [] },
});
