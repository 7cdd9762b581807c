/**
 * The deployment folder's .gitignore. The folder is meant to be committed
 * (it is the record of what runs), so the list is short: what init creates
 * on the host and must stay there, what operators drop into ssl/, what the
 * writer leaves behind if it is interrupted, and editor clutter. Every
 * generated file, the manifest included, stays tracked; a test checks both
 * sides with `git check-ignore`.
 */
import { hashCommentFile } from "../files/kinds.js";
import type { OutFile } from "../files/out-file.js";
import { BACKUP_DIR, JOURNAL, LOCK, STAGE_PREFIX } from "../writer/names.js";

/** Groups of patterns, each with the reason it is ignored. Leading "/" anchors a pattern to this folder. */
const GROUPS: readonly (readonly [why: string, patterns: readonly string[]])[] = [
  [
    "Secrets that init-deployment.sh creates on this host (mode 0600). Another host runs init to get its own.",
    ["/.env", "/secrets/"],
  ],
  [
    "Certificates, keys and extra CA certificates put in ssl/ belong to this host; only the generated READMEs there are tracked.",
    ["/ssl/**", "!/ssl/*/", "!/ssl/*/README.md"],
  ],
  ["Private keys, wherever they were put: no generated file is one.", ["*.key"]],
  [
    "Left by an interrupted `npx dioptra-deploy generate` (its journal, and the staging folder with the previous files); the next run rolls them back.",
    [`/${JOURNAL}`, `/${JOURNAL}.tmp`, `/${STAGE_PREFIX}*/`],
  ],
  ["Held by a running generate, so two never write at once.", [`/${LOCK}`]],
  [
    "Originals that `generate --adopt` or `--force` moved aside: what was here before, which may not belong in version control; review, then delete.",
    [`/${BACKUP_DIR}/`],
  ],
  ["Editor and desktop clutter.", ["*~", "*.sw[op]", ".#*", ".DS_Store", ".idea/", ".vscode/"]],
];

export function gitignoreFile(): OutFile[] {
  const text = GROUPS.map(([why, patterns]) => `# ${why}\n${patterns.join("\n")}\n`).join("\n");
  return [hashCommentFile(".gitignore", text)];
}
