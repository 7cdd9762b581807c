/**
 * ConfigMaps from files the Compose target generates anyway: nginx's http
 * confs (TLS ends at the Ingress, so the https_ set and the Postgres stream
 * stay out), each env file as variables, init's scripts, MinIO's policies.
 */
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import { configMapNames, PART_OF_LABEL } from "./names.js";
import { envStem } from "./pod.js";
import type { Source } from "./source.js";

/** The env file's variables as Compose reads them: KEY=VALUE lines, surrounding quotes removed. */
export function envData(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!.replace(/^"(.*)"$/, "$1").replace(/^'(.*)'$/, "$1");
  }
  return out;
}

const map = (slug: string, name: string, data: Record<string, string>): IConfigMap => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, labels: { [PART_OF_LABEL]: slug } },
  data: Object.fromEntries(Object.keys(data).sort().map((k) => [k, data[k]!])),
});

const pick = (src: Source, re: RegExp): Record<string, string> =>
  Object.fromEntries([...src.files].filter(([p]) => re.test(p)).map(([p, text]) => [p.slice(p.lastIndexOf("/") + 1), text]));

/** The env files the services read, each once. */
export function usedEnvFiles(src: Source): string[] {
  return [...new Set(src.services.flatMap((s) => s.envFiles))].sort();
}

export function configMaps(src: Source): IConfigMap[] {
  const names = configMapNames(src.slug);
  return [
    map(src.slug, names.nginx, pick(src, /^config\/nginx\/http_[^/]+\.conf$/)),
    map(src.slug, names.scripts, { ...pick(src, /^scripts\/(?:init-minio|register-worker)\.sh$/), ...pick(src, /^config\/db\/init-db\.sh$/) }),
    map(src.slug, names.minioPolicies, pick(src, /^config\/minio\/[^/]+\.json$/)),
    ...usedEnvFiles(src).map((f) => map(src.slug, names.env(envStem(src.slug, f)), envData(src.files.get(f.replace(/^\.\//, "")) ?? ""))),
  ];
}
