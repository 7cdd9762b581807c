/**
 * systemd/dioptra.service, as the reference's dioptra.service.j2 renders it.
 * With `systemd.deploymentPath` it is generated with the config; otherwise
 * init-deployment.sh writes it for the folder it runs in, from the same lines.
 */
import type { DeploymentSpec } from "../../validation/spec.js";

export const UNIT_PATH = "systemd/dioptra.service";

/**
 * The unit, one string per line. `workingDirectory` is written as given, so
 * the caller escapes `%` (systemd's specifier character) as `%%`.
 *
 * ExecStart keeps the reference's bare program name (`docker compose …`):
 * since systemd 239 a name without a slash is looked up in systemd's fixed
 * search path (/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin), which
 * `systemd-analyze verify` accepts; an absolute composeCommand works too.
 */
export function unitLines(spec: DeploymentSpec, workingDirectory: string): string[] {
  const needs = ["docker.socket", ...spec.systemd.requiredMounts].join(" ");
  const compose = spec.composeCommand;
  return [
    "[Unit]",
    "Description=Dioptra service",
    `Requires=${needs}`,
    `After=${needs}`,
    "Wants=syslog.service",
    "",
    "[Service]",
    "Type=oneshot",
    "User=root",
    `WorkingDirectory=${workingDirectory}`,
    `ExecStart=${compose} up -d --remove-orphans --force-recreate`,
    `ExecReload=${compose} restart`,
    `ExecStop=${compose} down --remove-orphans`,
    "RemainAfterExit=true",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
  ];
}

/** systemd reads `%` in WorkingDirectory= as a specifier. */
export function escapeSpecifiers(path: string): string {
  return path.replaceAll("%", "%%");
}
