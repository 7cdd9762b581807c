/**
 * The nginx confs under config/nginx/, rendered from the one table in
 * nginx/table.ts: http_ and https_ variants of each http-context conf, and
 * the stream conf. Init later copies the http_ or the https_ set, plus
 * stream_, into the nginx-conf-d volume.
 */
import { hashCommentFile } from "../../files/kinds.js";
import { serviceName } from "../../model/services.js";
import type { DeploymentSpec } from "../../validation/spec.js";
import type { DeploymentModel } from "../../model/types.js";
import { renderConf, type ConfNames, type Variant } from "./render.js";
import { CONFS } from "./table.js";
import type { OutFile } from "../../files/out-file.js";

/** Folder of the confs inside the deployment. */
export const NGINX_CONF_DIR = "config/nginx";

export function nginxConfs({ spec }: DeploymentModel): OutFile[] {
  const names: ConfNames = {
    serverName: spec.nginx.serverName,
    host: (service) => serviceName(spec.slug, service),
    frontendFallback: spec.profile.frontendFallback,
    httpsPort: spec.nginx.httpsPort,
    tls: { legacyTls: spec.security.legacyTls, hstsMaxAge: spec.security.hsts ? spec.security.hstsMaxAge : undefined },
  };
  return CONFS.flatMap((conf) => {
    const variants: readonly Variant[] = conf.context === "stream" ? ["stream"] : ["http", "https"];
    return variants.map((variant) => hashCommentFile(`${NGINX_CONF_DIR}/${variant}_${conf.stem}.conf`, renderConf(conf, variant, names)));
  });
}
