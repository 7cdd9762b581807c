/**
 * The default Dioptra deployment: Dioptra 1.1 with every setting at its
 * default, spelled out so there is something to edit. Change a value, then
 * run `npx dioptra-deploy generate` (here: `npm run generate`) to refresh out/.
 */
import { deployment } from "dioptra-deploy";

export default deployment({
  dioptra: "1.1",
  name: "Dioptra deployment",
  registry: "ghcr.io/usnistgov",
  tag: "1.1.0",
  composeCommand: "docker compose",
  nginx: {
    serverName: "dioptra.example.org",
    exposePortsOnLocalhostOnly: true,
  },
  postgres: { tag: "17" },
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
