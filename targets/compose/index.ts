/**
 * The Compose target, always on: docker-compose.yml, docker-compose.init.yml
 * and the overlays. It warns about a docker-compose.override.yml it did not
 * write, since Compose loads one by itself and its settings win.
 */
import { serviceNamesOf } from "../../validation/service-names.js";
import type { Target } from "../target.js";
import { composeFiles } from "./files.js";
import { COMPOSE_FOREIGN_FILES } from "./foreign-files.js";
import { checkOverlayServices, composeSettings, type ComposeSettings } from "./settings.js";

const code = (s: string) => `\`${s}\``;

export const composeTarget: Target<ComposeSettings> = {
  key: "compose",
  settings: (check, props) => composeSettings(check, props),
  validate: (check, spec, settings) => checkOverlayServices(check, settings, serviceNamesOf(spec)),
  synth: composeFiles,
  readme: (m, settings) =>
    settings.environments.length === 0
      ? {}
      : {
          extra: `### Environments\n\nEach environment is an overlay on docker-compose.yml:\n\n${settings.environments
            .map(([n]) => `- **${n}**: ${code(`${m.composeCommand} -f docker-compose.yml -f docker-compose.${n}.yml up -d`)}`)
            .join("\n")}`,
        },
  foreignFiles: COMPOSE_FOREIGN_FILES,
};
