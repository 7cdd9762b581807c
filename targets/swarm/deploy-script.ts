/**
 * swarm/deploy-stack.sh: plain bash, run on the core host from anywhere.
 * It labels each declared host's node, refuses to deploy while a host is
 * missing, not ready, mislabelled or short of GPUs (listing every problem),
 * exports the stack's `${VAR}` values from .env (stack deploy reads no
 * .env), deploys, and waits until every service runs its replica.
 */
import type { SwarmSettings } from "./settings.js";
import type { DeploymentModel } from "../../model/types.js";
import { shellQuote } from "../../generators/init/shell.js";
import { GPU_RESOURCE_KIND, interpolatedNames } from "./lower.js";

export const STACK_FILE = "swarm/docker-stack.yml";
export const DEPLOY_SCRIPT = "swarm/deploy-stack.sh";
/** Seconds deploy-stack.sh waits for convergence unless told otherwise. */
export const DEFAULT_TIMEOUT = 900;

const array = (name: string, items: readonly string[]) =>
  items.length === 0 ? `${name}=()` : `${name}=(\n${items.map((i) => `  ${shellQuote(i)}`).join("\n")}\n)`;

export function deployScript(m: DeploymentModel, swarm: SwarmSettings): string {
  // host|node|gpus|label=value,… — every part validated to hold none of | , or spaces.
  const rows = swarm.hosts.map((h) => [h.key, h.node, String(h.gpus), h.labels.map(([k, v]) => `${k}=${v}`).join(",")].join("|"));
  const services = m.services.map((s) => `${swarm.stackName}_${s.name}`);
  return `#!/usr/bin/env bash
# Deploys the Swarm stack of this deployment. Run it on the core host (${swarm.coreHost}),
# a Swarm manager holding the deployment folder, after ./init-deployment.sh.
set -euo pipefail

STACK=${shellQuote(swarm.stackName)}
CORE_HOST=${shellQuote(swarm.coreHost)}
HOST_LABEL=${shellQuote(swarm.hostLabel)}
GPU_KIND=${shellQuote(GPU_RESOURCE_KIND)}
# host|node|GPUs|extra labels
${array("HOSTS", rows)}
${array("SERVICES", services)}
# Interpolated by the stack file; stack deploy takes them from the environment only.
${array("REQUIRED_VARS", interpolatedNames(m))}

usage() {
  cat <<'USAGE'
Usage: swarm/deploy-stack.sh [--timeout SECONDS] [--no-label] [--no-wait]

Checks every declared host is a ready Swarm node with its labels (and GPUs),
exports the stack's variables from .env, runs docker stack deploy, and waits
until every service runs.

  --timeout SECONDS  how long to wait for the services (default ${DEFAULT_TIMEOUT})
  --no-label         do not set node labels; only check them
  --no-wait          return right after docker stack deploy
  -h, --help         this text
USAGE
}

die() {
  printf 'deploy-stack.sh: %s\\n' "$*" >&2
  exit 1
}

timeout=${DEFAULT_TIMEOUT}
label=1
wait_for_services=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --timeout)
      [[ $# -ge 2 && $2 =~ ^[0-9]+$ ]] || die "--timeout needs a number of seconds"
      timeout=$2
      shift 2
      ;;
    --no-label) label=0; shift ;;
    --no-wait) wait_for_services=0; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done

# The deployment folder: env files and .env are read from there.
cd "$(dirname "\${BASH_SOURCE[0]}")/.."

swarm_info="$(docker info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}} {{.Swarm.NodeID}}')" ||
  die "cannot reach the Docker engine"
read -r swarm_state is_manager self_id <<<"\${swarm_info}"
[[ \${swarm_state} == active ]] ||
  die "this engine is in no swarm (state: \${swarm_state}): run 'docker swarm init' on \${CORE_HOST}, then 'docker swarm join' on every other host"
[[ \${is_manager} == true ]] || die "this node is not a Swarm manager: run deploy-stack.sh on \${CORE_HOST}, a manager"

problems=()
declared_nodes=" "
for row in "\${HOSTS[@]}"; do
  IFS='|' read -r host node gpus extra <<<"\${row}"
  declared_nodes+="\${node} "
  if ! node_info="$(docker node inspect --format '{{.ID}} {{.Status.State}} {{.Spec.Availability}}' "\${node}" 2>/dev/null)"; then
    problems+=("host \${host}: no Swarm node named \${node}; print the join command with 'docker swarm join-token worker' and run it on \${node}")
    continue
  fi
  read -r node_id state availability <<<"\${node_info}"
  if [[ \${state} != ready ]]; then
    problems+=("host \${host}: node \${node} is \${state}, not ready; start dockerd there and check 'docker node ls'")
    continue
  fi
  if [[ \${availability} != active ]]; then
    problems+=("host \${host}: node \${node} is \${availability}; make it active with 'docker node update --availability active \${node}'")
  fi
  if [[ \${host} == "\${CORE_HOST}" && \${node_id} != "\${self_id}" ]]; then
    problems+=("host \${host}: this script runs on another node; run it on \${node}, which holds the deployment folder")
  fi
  wanted=("\${HOST_LABEL}=\${host}")
  if [[ -n \${extra} ]]; then
    IFS=',' read -r -a extra_labels <<<"\${extra}"
    wanted+=("\${extra_labels[@]}")
  fi
  if ((label)); then
    label_args=()
    for l in "\${wanted[@]}"; do label_args+=(--label-add "\${l}"); done
    docker node update "\${label_args[@]}" "\${node}" >/dev/null || problems+=("host \${host}: could not label node \${node}")
  fi
  have="$(docker node inspect --format '{{range $k, $v := .Spec.Labels}}{{$k}}={{$v}}{{"\\n"}}{{end}}' "\${node}")"
  for l in "\${wanted[@]}"; do
    grep -Fxq -- "\${l}" <<<"\${have}" || problems+=("host \${host}: node \${node} lacks the label \${l} (docker node update --label-add \${l} \${node})")
  done
  if ((gpus > 0)); then
    advertised="$(docker node inspect --format '{{range .Description.Resources.GenericResources}}{{if .NamedResourceSpec}}{{.NamedResourceSpec.Kind}}{{"\\n"}}{{end}}{{end}}' "\${node}" | grep -cFx -- "\${GPU_KIND}" || true)"
    if ((advertised < gpus)); then
      problems+=("host \${host}: node \${node} advertises \${advertised} \${GPU_KIND} resources, the config declares \${gpus}; install swarm/hosts/\${host}/daemon.json there and restart dockerd")
    fi
  fi
done

# A node left with this deployment's label from an earlier layout would receive its tasks.
while read -r stray; do
  [[ -z \${stray} || \${declared_nodes} == *" \${stray} "* ]] && continue
  problems+=("node \${stray} carries \${HOST_LABEL} but is no declared host; remove it with 'docker node update --label-rm \${HOST_LABEL} \${stray}'")
done < <(docker node ls --filter "node.label=\${HOST_LABEL}" --format '{{.Hostname}}')

if [[ -f .env ]]; then
  # Exported, not sourced: a value is data, never shell code.
  while IFS= read -r line || [[ -n \${line} ]]; do
    [[ \${line} =~ ^([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || continue
    export "\${BASH_REMATCH[1]}=\${BASH_REMATCH[2]}"
  done <.env
else
  problems+=(".env is missing: run ./init-deployment.sh on \${CORE_HOST} first")
fi
for v in "\${REQUIRED_VARS[@]}"; do
  [[ -n \${!v:-} ]] || problems+=("\${v} is not set in .env or the environment")
done

if ((\${#problems[@]} > 0)); then
  printf 'deploy-stack.sh: not deploying stack %s:\\n' "\${STACK}" >&2
  printf '  - %s\\n' "\${problems[@]}" >&2
  exit 1
fi

docker stack deploy --with-registry-auth --compose-file swarm/docker-stack.yml "\${STACK}"
((wait_for_services)) || exit 0

# Converged: every service runs as many replicas as it wants (a task with a healthcheck counts once healthy).
deadline=$((SECONDS + timeout))
while :; do
  declare -A replicas=()
  while read -r name count; do
    replicas[\${name}]=\${count%% *}
  done < <(docker service ls --filter "label=com.docker.stack.namespace=\${STACK}" --format '{{.Name}} {{.Replicas}}')
  pending=()
  for s in "\${SERVICES[@]}"; do
    r=\${replicas[\${s}]:-missing}
    if [[ \${r} =~ ^([0-9]+)/([0-9]+)$ ]] && ((BASH_REMATCH[1] == BASH_REMATCH[2] && BASH_REMATCH[2] > 0)); then continue; fi
    pending+=("\${s} \${r}")
  done
  if ((\${#pending[@]} == 0)); then
    printf 'deploy-stack.sh: all %d services of stack %s are running\\n' "\${#SERVICES[@]}" "\${STACK}"
    exit 0
  fi
  if ((SECONDS >= deadline)); then
    printf 'deploy-stack.sh: after %ss, %d services are not running:\\n' "\${timeout}" "\${#pending[@]}" >&2
    for p in "\${pending[@]}"; do
      printf '  - %s replicas\\n' "\${p}" >&2
      docker service ps --no-trunc --format '      {{.Node}} {{.CurrentState}} {{.Error}}' "\${p%% *}" 2>/dev/null | head -n 3 >&2 || true
    done
    exit 1
  fi
  unset replicas
  sleep 5
done
`;
}
