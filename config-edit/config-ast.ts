/**
 * deployment.config.ts as TypeScript syntax: finding the object literal
 * passed to `deployment(...)` and the property that states a setting, so
 * error locations and `set` (through config-edit.ts) agree on where a
 * setting is written. ts-morph is loaded on first use (synchronously, so
 * {@link locateSetting} can stay a plain function), never by `generate`.
 */
import { readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { basename } from "node:path";
import type * as TsMorph from "ts-morph";
import type { ArrayLiteralExpression, CallExpression, Expression, Node, ObjectLiteralExpression, SourceFile } from "ts-morph";

const require = createRequire(import.meta.url);
let tsMorphModule: typeof TsMorph | undefined;

/** ts-morph, loaded on first use; the same instance `await import("ts-morph")` returns. */
export function tsMorph(): typeof TsMorph {
  return (tsMorphModule ??= require("ts-morph") as typeof TsMorph);
}

/** Parses config text into a ts-morph SourceFile (in memory: nothing is read or written). */
export function parseConfig(text: string, fileName = "deployment.config.ts"): SourceFile {
  const { Project } = tsMorph();
  const project = new Project({ useInMemoryFileSystem: true, skipLoadingLibFiles: true });
  return project.createSourceFile(`/${basename(fileName)}`, text);
}

/**
 * Splits a setting path into its keys: `workers.tensorflowGpu.count`,
 * `customContainers.web.ports.0.host`; a key holding a dot is written
 * `customContainers["my.svc"].image`. Undefined when malformed.
 */
export function parseSettingPath(path: string): string[] | undefined {
  const keys: string[] = [];
  let rest = path;
  while (rest !== "") {
    const bracket = /^\[(?:([0-9]+)|("(?:[^"\\]|\\.)*"))\]/.exec(rest);
    const plain = /^[^.[\]"]+/.exec(rest);
    if (bracket) {
      keys.push(bracket[1] ?? (JSON.parse(bracket[2]!) as string));
      rest = rest.slice(bracket[0].length);
    } else if (plain) {
      keys.push(plain[0]);
      rest = rest.slice(plain[0].length);
    } else return undefined;
    if (rest.startsWith(".")) {
      rest = rest.slice(1);
      if (rest === "" || rest.startsWith(".")) return undefined;
    } else if (rest !== "" && !rest.startsWith("[")) return undefined;
  }
  return keys.length > 0 ? keys : undefined;
}

/** Writes keys back as a setting path (the inverse of {@link parseSettingPath}). */
export function formatSettingPath(keys: readonly string[]): string {
  return keys.map((k, i) => (/^[^.[\]"]+$/.test(k) ? `${i === 0 ? "" : "."}${k}` : `[${JSON.stringify(k)}]`)).join("");
}

/** The `deployment(...)` call a config exports, and the object literal it was given (if it is one). */
export interface DeploymentSite {
  readonly sourceFile: SourceFile;
  readonly call: CallExpression;
  /** The props literal; undefined for `deployment()` or props the file does not spell out. */
  readonly props: ObjectLiteralExpression | undefined;
}

/** Strips parentheses, `as`, `satisfies` and `!`, which do not change the value. */
export function unwrap(node: Node): Node {
  const { Node } = tsMorph();
  let n = node;
  while (Node.isParenthesizedExpression(n) || Node.isAsExpression(n) || Node.isSatisfiesExpression(n) || Node.isNonNullExpression(n) || Node.isTypeAssertion(n)) {
    n = n.getExpression();
  }
  return n;
}

/** The initializer of a top-level `const`/`let` of this name, so `const d = deployment({...})` can be followed. */
function declaredValue(sf: SourceFile, name: string): Expression | undefined {
  return sf.getVariableDeclaration(name)?.getInitializer();
}

/** Follows identifiers to their declarations in the same file, up to a few hops. */
function follow(sf: SourceFile, node: Node | undefined): Node | undefined {
  const { Node } = tsMorph();
  let n = node && unwrap(node);
  for (let hops = 0; n && Node.isIdentifier(n) && hops < 8; hops++) {
    const init = declaredValue(sf, n.getText());
    n = init && unwrap(init);
  }
  return n;
}

/** Local names under which `deployment` is imported (`import { deployment as d }`), plus the plain name. */
function deploymentNames(sf: SourceFile): Set<string> {
  const names = new Set(["deployment"]);
  for (const decl of sf.getImportDeclarations()) {
    for (const spec of decl.getNamedImports()) {
      if (spec.getName() === "deployment") names.add(spec.getAliasNode()?.getText() ?? "deployment");
    }
  }
  return names;
}

/** The expression a config exports as default: `export default x` or `export { x as default }`. */
function defaultExport(sf: SourceFile): Node | undefined {
  for (const a of sf.getExportAssignments()) if (!a.isExportEquals()) return a.getExpression();
  for (const decl of sf.getExportDeclarations()) {
    if (decl.getModuleSpecifier()) continue;
    for (const spec of decl.getNamedExports()) {
      if ((spec.getAliasNode()?.getText() ?? spec.getName()) === "default") return spec.getNameNode();
    }
  }
  return undefined;
}

/**
 * Finds the `deployment(...)` call the config exports: `export default
 * deployment({...})`, `const d = deployment({...}); export default d;`, and
 * either followed by builder calls (`.addContainer(...)`).
 */
export function findDeployment(sf: SourceFile): DeploymentSite | undefined {
  const { Node } = tsMorph();
  const names = deploymentNames(sf);
  let n = follow(sf, defaultExport(sf));
  for (let hops = 0; n && hops < 64; hops++) {
    if (!Node.isCallExpression(n)) return undefined;
    const callee = unwrap(n.getExpression());
    const isDeployment =
      (Node.isIdentifier(callee) && names.has(callee.getText())) || (Node.isPropertyAccessExpression(callee) && callee.getName() === "deployment" && !isBuilderCall(callee));
    if (isDeployment) {
      const arg = follow(sf, n.getArguments()[0]);
      return { sourceFile: sf, call: n, props: arg && Node.isObjectLiteralExpression(arg) ? arg : undefined };
    }
    // A builder method (`deployment({...}).addContainer(...)`): the deployment is its receiver.
    n = Node.isPropertyAccessExpression(callee) ? follow(sf, callee.getExpression()) : undefined;
  }
  return undefined;
}

function isBuilderCall(callee: TsMorph.PropertyAccessExpression): boolean {
  return tsMorph().Node.isCallExpression(unwrap(callee.getExpression()));
}

/** The key a property is written with, as a string: `name`, `"custom-container"`, `2`. */
function propertyKey(prop: Node): string | undefined {
  const { Node } = tsMorph();
  if (!Node.isPropertyAssignment(prop) && !Node.isShorthandPropertyAssignment(prop)) return undefined;
  const name = prop.getNameNode();
  if (Node.isIdentifier(name)) return name.getText();
  if (Node.isStringLiteral(name) || Node.isNoSubstitutionTemplateLiteral(name)) return name.getLiteralValue();
  if (Node.isNumericLiteral(name)) return String(name.getLiteralValue());
  if (Node.isComputedPropertyName(name)) {
    const e = unwrap(name.getExpression());
    if (Node.isStringLiteral(e) || Node.isNoSubstitutionTemplateLiteral(e)) return e.getLiteralValue();
    if (Node.isNumericLiteral(e)) return String(e.getLiteralValue());
  }
  return undefined;
}

/** Literal containers a walk can step into. */
export type Container = ObjectLiteralExpression | ArrayLiteralExpression;

/** One key of a setting path as stated in the file. */
export interface Step {
  readonly key: string;
  /** The node that states it: a property assignment, an array element, or an `addContainer(...)` call. */
  readonly holder: Node;
  /** The expression giving its value (the holder itself for array elements). */
  readonly value: Node | undefined;
}

/** How far a setting path is stated in the file. */
export interface Walk {
  /** One step per key found, in order. */
  readonly steps: readonly Step[];
  /** The literal the next, unstated key would go into (undefined when the last step's value is not a literal). */
  readonly container: Container | undefined;
}

/**
 * The value a property or element holds, as a literal to step into: object
 * and array literals, identifiers bound to them in this file, and DSL helper
 * calls whose last argument is an object literal (`nfsVolume({...})`,
 * `workerContainer("cpu", {...})`).
 */
function asContainer(sf: SourceFile, value: Node | undefined): Container | undefined {
  const { Node } = tsMorph();
  const n = follow(sf, value);
  if (!n) return undefined;
  if (Node.isObjectLiteralExpression(n) || Node.isArrayLiteralExpression(n)) return n;
  if (Node.isCallExpression(n)) {
    const last = follow(sf, n.getArguments().at(-1));
    if (last && Node.isObjectLiteralExpression(last)) return last;
  }
  return undefined;
}

/** The last property (or element) of a literal that states `key`; spreads of literals count, later ones win. */
function member(sf: SourceFile, container: Container, key: string): Step | undefined {
  const { Node } = tsMorph();
  if (Node.isArrayLiteralExpression(container)) {
    const elements = container.getElements();
    if (!/^(0|[1-9][0-9]*)$/.test(key) || elements.some((e) => Node.isSpreadElement(e))) return undefined;
    const el = elements[Number(key)];
    return el && { key, holder: el, value: el };
  }
  const props = container.getProperties();
  for (let i = props.length - 1; i >= 0; i--) {
    const p = props[i]!;
    if (Node.isSpreadAssignment(p)) {
      const inner = asContainer(sf, p.getExpression());
      const found = inner && Node.isObjectLiteralExpression(inner) ? member(sf, inner, key) : undefined;
      if (found) return found;
      continue;
    }
    if (propertyKey(p) !== key) continue;
    if (Node.isPropertyAssignment(p)) return { key, holder: p, value: p.getInitializer() };
    if (Node.isShorthandPropertyAssignment(p)) return { key, holder: p, value: declaredValue(sf, p.getName()) };
  }
  return undefined;
}

/** Builder calls that add entries by name, keyed by the setting they fill. */
const BUILDER_METHODS: Readonly<Record<string, string>> = { customContainers: "addContainer", volumes: "addVolume" };

/** `d.addContainer("web", {...})` for `customContainers.web`, anywhere in the file. */
function builderEntry(sf: SourceFile, setting: string, name: string): Step | undefined {
  const { Node, SyntaxKind } = tsMorph();
  const method = BUILDER_METHODS[setting];
  if (!method) return undefined;
  for (const call of sf.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    const callee = call.getExpression();
    const [first, second] = call.getArguments();
    if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== method || !first) continue;
    const arg = unwrap(first);
    if ((Node.isStringLiteral(arg) || Node.isNoSubstitutionTemplateLiteral(arg)) && arg.getLiteralValue() === name) return { key: name, holder: call, value: second };
  }
  return undefined;
}

/** Follows a setting path through the props literal as far as the file states it. */
export function walkSetting(site: DeploymentSite, keys: readonly string[]): Walk {
  const sf = site.sourceFile;
  const steps: Step[] = [];
  let container: Container | undefined = site.props;
  while (steps.length < keys.length) {
    const key = keys[steps.length]!;
    let step = container && member(sf, container, key);
    if (!step && steps.length === 1) step = builderEntry(sf, keys[0]!, key);
    if (!step && steps.length === 0 && keys.length > 1) {
      // `customContainers` is not stated at all, but `.addContainer("web", …)` may add the entry.
      const entry = builderEntry(sf, key, keys[1]!);
      if (entry) {
        steps.push({ key, holder: entry.holder, value: undefined }, entry);
        container = asContainer(sf, entry.value);
        if (!container) break;
        continue;
      }
    }
    if (!step) return { steps, container };
    steps.push(step);
    container = asContainer(sf, step.value);
    if (!container) break;
  }
  return { steps, container: steps.length === keys.length ? container : undefined };
}

/** A 1-based position in a file. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

let lastParsed: { file: string; mtimeMs: number; size: number; site: DeploymentSite | undefined } | undefined;

/**
 * Where a config sets `settingPath` (e.g. `workers.tensorflowGpu.count`,
 * `customContainers.web.ports.0.host`): the start of the property that
 * states it, or of the nearest stated ancestor, or of the `deployment(...)`
 * call when none is. Undefined when the file has no exported
 * `deployment(...)` call or cannot be read. Loads ts-morph: meant for
 * error paths.
 */
export function locateSetting(configFile: string, settingPath: string): Position | undefined {
  let site: DeploymentSite | undefined;
  try {
    const st = statSync(configFile);
    if (lastParsed?.file === configFile && lastParsed.mtimeMs === st.mtimeMs && lastParsed.size === st.size) site = lastParsed.site;
    else {
      site = findDeployment(parseConfig(readFileSync(configFile, "utf8"), configFile));
      lastParsed = { file: configFile, mtimeMs: st.mtimeMs, size: st.size, site };
    }
  } catch {
    return undefined;
  }
  if (!site) return undefined;
  const keys = parseSettingPath(settingPath) ?? (settingPath === "" ? [] : settingPath.split("."));
  const { steps } = walkSetting(site, keys);
  const node = steps.at(-1)?.holder ?? site.call;
  return site.sourceFile.getLineAndColumnAtPos(node.getStart());
}
