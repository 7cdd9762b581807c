/**
 * The seam between the target-neutral model and one way of running it
 * (Compose, Swarm, Kubernetes). A target owns everything about its format:
 * its settings in the config, the checks only it needs, the files it
 * writes, and the files in out/ it must warn about. The model never learns a
 * target's vocabulary; adding a target is a folder under targets/ and one
 * row in targets/index.ts.
 *
 * @example
 * // targets/nomad/index.ts
 * export const nomadTarget: Target<NomadSettings> = {
 *   key: "nomad",
 *   settings: (check, props) => (props.nomad === undefined ? undefined : readNomad(check, props.nomad)),
 *   synth: (model, settings) => [hashCommentFile("nomad/job.hcl", render(model, settings))],
 * };
 */
import type { DeploymentProps } from "../dsl/props.js";
import type { OutFile } from "../files/out-file.js";
import type { DeploymentModel, HostModel } from "../model/types.js";
import type { Checker } from "../validation/checker.js";
import type { DeploymentSpec } from "../validation/spec.js";

/** A file in out/ the target does not write but must warn about when someone else did (it changes what the target runs); the writer's type. */
export type { ForeignFile } from "../writer/index.js";
import type { ForeignFile } from "../writer/index.js";

/** The machines of a multi-host target, which the core checks (worker hosts, GPUs per host) read. */
export interface TargetHosts {
  /** Where the core services and the deployment folder are. */
  readonly coreHost: string;
  /** The setting that chose the core host, where a problem with it is reported ("swarm.coreHost"). */
  readonly coreHostPath: string;
  readonly hosts: readonly HostModel[];
}

/** What a target adds to the deployment's README.md. */
export interface ReadmePart {
  /** Text after the workers and custom containers (`### …` subsections). */
  readonly extra?: string;
  /** A whole `## …` section, after the extras. */
  readonly section?: string;
  /** Rows of the "Folder organization" table: path, what it is. */
  readonly folders?: readonly (readonly [string, string])[];
}

/** A section of `dioptra-deploy plan`'s report. */
export interface PlanSection {
  readonly lines: readonly string[];
}

/**
 * One output target. `S` is its resolved settings; `settings` returning
 * undefined means the config does not ask for it (Compose is always on).
 *
 * Lifecycle, in order: `settings` while the config is read (report problems
 * with `check.fail(path, message)`, never throw), `hosts` for the core checks,
 * `validate` once the deployment is resolved, then `synth` with the model.
 * All are pure: no I/O, no clock, no environment.
 */
export interface Target<S> {
  /** The props key and the name in messages: "compose", "swarm", "kubernetes". */
  readonly key: string;
  /** Reads and checks this target's own settings from the config; undefined when it is off. */
  settings(check: Checker, props: DeploymentProps, deployment: { readonly slug: string }): S | undefined;
  /** The hosts services may be placed on, when the target runs on several machines. */
  hosts?(settings: S): TargetHosts;
  /** Checks what only this target cannot do (names too long for it, ports it cannot publish, …). */
  validate?(check: Checker, spec: DeploymentSpec, settings: S): void;
  /** Lowers the model into this target's files. Problems the config could not show earlier throw ConfigError. */
  synth(model: DeploymentModel, settings: S): OutFile[];
  /** Its part of the deployment's README. */
  readme?(model: DeploymentModel, settings: S): ReadmePart;
  /** Files in out/ it does not generate but whose presence changes what it runs. */
  readonly foreignFiles?: readonly ForeignFile[];
  /** Its section of `plan`'s report, from the files to write and those in out/ now (by path). */
  plan?(model: DeploymentModel, settings: S, next: readonly OutFile[], current: ReadonlyMap<string, string>): PlanSection | undefined;
}

/** A target with its settings bound: what the rest of the pipeline holds, whatever the target's `S`. */
export interface ConfiguredTarget {
  readonly key: string;
  /** The settings bound, as data: what two resolutions of equal configs compare by (the methods are new closures each time). */
  readonly settings: unknown;
  readonly foreignFiles: readonly ForeignFile[];
  hosts(): TargetHosts | undefined;
  validate(check: Checker, spec: DeploymentSpec): void;
  synth(model: DeploymentModel): OutFile[];
  readme(model: DeploymentModel): ReadmePart;
  plan(model: DeploymentModel, next: readonly OutFile[], current: ReadonlyMap<string, string>): PlanSection | undefined;
}

/** Binds `settings` to `target`, so callers need not know `S`. */
export function configure<S>(target: Target<S>, settings: S): ConfiguredTarget {
  return {
    key: target.key,
    settings,
    foreignFiles: target.foreignFiles ?? [],
    hosts: () => target.hosts?.(settings),
    validate: (check, spec) => target.validate?.(check, spec, settings),
    synth: (model) => target.synth(model, settings),
    readme: (model) => target.readme?.(model, settings) ?? {},
    plan: (model, next, current) => target.plan?.(model, settings, next, current),
  };
}

/** A row of the targets table: the target, whatever its `S`, and how to switch it on from a config. */
export interface TargetEntry {
  readonly key: string;
  readonly foreignFiles: readonly ForeignFile[];
  /** Reads the target's settings (reporting problems to `check`); undefined when the config does not ask for it. */
  activate(check: Checker, props: DeploymentProps, deployment: { readonly slug: string }): ConfiguredTarget | undefined;
}

/** The table row of `target`. */
export function entry<S>(target: Target<S>): TargetEntry {
  return {
    key: target.key,
    foreignFiles: target.foreignFiles ?? [],
    activate: (check, props, deployment) => {
      const settings = target.settings(check, props, deployment);
      return settings === undefined ? undefined : configure(target, settings);
    },
  };
}
