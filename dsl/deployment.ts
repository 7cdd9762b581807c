import { callSite, type CallSite } from "./call-site.js";
import { ConfigError } from "./errors.js";
import type { CustomContainerProps, DeploymentProps, VolumeProps } from "./props.js";
import { resolveDeployment, type Resolution } from "../validation/resolve.js";
import type { DeploymentSpec } from "../validation/spec.js";

const BRAND = Symbol.for("dioptra-deploy.Deployment");

/**
 * A deployment being described. It only records what you ask for; nothing is
 * checked or generated until `dioptra-deploy generate` (or `plan`) reads it.
 */
export class Deployment {
  readonly [BRAND] = true;
  readonly #props: DeploymentProps;
  readonly #containers: [string, CustomContainerProps][] = [];
  readonly #volumes: [string, VolumeProps][] = [];
  readonly #sites = new Map<string, CallSite>();

  /** @internal Made by {@link deployment}, which records where it was called. */
  constructor(props: DeploymentProps, site?: CallSite) {
    this.#props = props;
    if (site) this.#sites.set("", site);
  }

  /**
   * Adds a container of your own, joined to the deployment's network. Same
   * as an entry of `customContainers`; handy in loops.
   *
   * @example
   * const d = deployment({});
   * for (const n of [1, 2]) d.addContainer(`sidecar-${n}`, { image: "sidecar:1" });
   * export default d;
   */
  addContainer(name: string, props: CustomContainerProps): this {
    this.#containers.push([name, props]);
    this.#sites.set(`customContainers.${name}`, callSite());
    return this;
  }

  /**
   * Adds a named volume. Same as an entry of `volumes`.
   *
   * @example
   * deployment({}).addVolume("models", nfsVolume({ server: "nas", export: "/models" }))
   */
  addVolume(name: string, props: VolumeProps): this {
    this.#volumes.push([name, props]);
    this.#sites.set(`volumes.${name}`, callSite());
    return this;
  }

  /** @internal The props with everything added by methods merged in. Duplicate names are reported by {@link resolve}. */
  get props(): DeploymentProps {
    const p = this.#props;
    if (this.#containers.length === 0 && this.#volumes.length === 0) return p;
    return {
      ...p,
      customContainers: { ...p.customContainers, ...Object.fromEntries(this.#containers) },
      volumes: { ...p.volumes, ...Object.fromEntries(this.#volumes) },
    };
  }

  /** @internal Validates and resolves; never throws for user mistakes. */
  resolve(): Resolution {
    const dupes = [
      ...dupNames(this.#containers, this.#props.customContainers, "customContainers"),
      ...dupNames(this.#volumes, this.#props.volumes, "volumes"),
    ].map((path) => {
      const location = this.#sites.get(path)?.();
      return { path, message: "is defined twice", ...(location ? { location } : {}) };
    });
    const r = resolveDeployment(this.props, this.#sites);
    return dupes.length === 0 ? r : { spec: undefined, issues: [...dupes, ...r.issues] };
  }

  /** @internal The resolved spec; throws {@link ConfigError} listing every problem. */
  toSpec(): DeploymentSpec {
    const { spec, issues } = this.resolve();
    if (!spec) throw new ConfigError(issues);
    return spec;
  }
}

function dupNames(added: readonly [string, unknown][], inProps: object | undefined, prefix: string): string[] {
  const seen = new Set(Object.keys(inProps ?? {}));
  const out: string[] = [];
  for (const [name] of added) {
    if (seen.has(name)) out.push(`${prefix}.${name}`);
    seen.add(name);
  }
  return out;
}

/**
 * Describes a Dioptra deployment. Every setting is optional and defaults to
 * the cookiecutter template's value; export the result as the config's default.
 *
 * @example
 * import { deployment } from "dioptra-deploy";
 *
 * export default deployment({
 *   name: "Dioptra deployment",
 *   nginx: { serverName: "dioptra.lab.example.org" },
 *   workers: { tensorflowCpu: 2, pytorchGpu: { count: 1, workers: { 1: { gpus: [0, 1] } } } },
 *   datasetsDirectory: "/srv/datasets",
 * });
 */
export function deployment(props: DeploymentProps = {}): Deployment {
  return new Deployment(props, callSite());
}

/** @internal True for a {@link Deployment}, also one made by another copy of this package. */
export function isDeployment(value: unknown): value is Deployment {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
