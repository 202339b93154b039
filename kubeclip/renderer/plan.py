"""Merge built-in defaults < pod facts < agent config < run context into a render plan.

The plan holds every value the templates need, already decided; templates only lay it
out. Two rules keep secrets out of specs: the Job plan never holds a secret value (only
references into the per-run Secret), and credential-looking literal env values, from the
Paperclip container or from the config, are moved into that Secret.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, TypedDict

from kubeclip.renderer import credentials
from kubeclip.renderer.config import AgentConfig
from kubeclip.renderer.podfacts import PodFacts

if TYPE_CHECKING:
    from kubeclip.renderer.kube_types import EnvFromSource, EnvVar, Toleration, Volume, VolumeMount

# Never inherited from the Paperclip container, whatever the allowlist says: the server's
# own secrets (database, auth, signing keys) and run variables the run context replaces.
BUILTIN_ENV_DENY = (
    "DATABASE_URL",
    "*_DATABASE_URL",
    "DATABASE_*",
    "PG*",
    "REDIS_URL",
    "BETTER_AUTH_*",
    "*AUTH_SECRET*",
    "*JWT_SECRET*",
    "*SESSION_SECRET*",
    "*MASTER_KEY*",
    "*ENCRYPTION_KEY*",
    "*SIGNING_KEY*",
    "PAPERCLIP_AGENT_JWT_*",
    "PAPERCLIP_SECRETS_*",
    "PAPERCLIP_API_KEY",
)
# Flags of `opencode run` that kubeclip decides: extraArgs may not smuggle them in.
REDACTED = "<redacted: render with --reveal-secrets to include>"
PROMPT_DIR = "/var/run/kubeclip"
CONTAINER = "agent"
SECRET_PROMPT_KEY = "prompt"
SECRET_PROMPT_GZ_KEY = "prompt.gz"
SECRET_API_KEY = "paperclip-api-key"
SECRET_OPENCODE_CONFIG = "opencode-config"
SECRET_NONCE_KEY = "run-nonce"
# The run's files (an adapter's prompt bundle, MCP config): in the run Secret, mounted under
# PROMPT_DIR/files, and copied by RUNNER_SCRIPT to FILES_DIR before the agent starts, as the
# Secret is wiped once the agent runs and a CLI reads some of them late (skills).
FILES_DIR = "/tmp/kubeclip-files"
# The proof of a Job rendered for review (`kubeclip render`): no nonce hashes to it, so
# such a Job, applied by hand, never starts its agent (the pod script says why).
REVIEW_PROOF = "review-only"
REFUSED_EXIT = 125  # the pod script's exit when it will not start the agent
# A Secret holds at most 1 MiB; prompts above this size are stored gzip-compressed.
PROMPT_GZIP_ABOVE = 512 * 1024
SECRET_LIMIT = 1024 * 1024 - 16 * 1024
# The only shell in the pod: a constant. User values reach opencode as "$@" argv
# elements, never as shell text. A compressed prompt is unpacked to /tmp first.
# The Kubernetes log API merges stdout and stderr; Paperclip keeps them apart (its
# errorMessage is the agent's first stderr line). So the agent's stderr goes through a
# FIFO and sed, which mark each line with STDERR_MARK (RS "E") on the container's stderr;
# the runner splits the streams again. sh stays PID 1 to forward the kubelet's SIGTERM
# (sh ignores nothing it traps) and exits with opencode's status; it waits at most 5 s
# for the marker's last lines after opencode ends (a child may hold stderr open). sh's own
# stderr (job notices such as dash's "Terminated") goes to /dev/null once both are started.
# Without mkfifo/sed in the image: opencode is exec'd as before, streams merged.
# The CLI's state home (the variable KUBECLIP_STATE_ENV names) is made here, as the pod's
# user: Codex refuses a CODEX_HOME that does not exist (the others make theirs). Read with
# sh's own eval of a checked name: busybox images have no printenv.
# The working directory is entered by the script, not by the container's workingDir: a
# container runtime creates a missing workingDir as root (runc does, before the user is
# switched), which leaves the agent a workspace it cannot write in, and a root-owned
# directory on the shared volume. mkdir here runs as the pod's user; cd sets PWD, which
# agents read (OpenCode takes its project directory from $PWD, not getcwd).
# Authorship first (issue #22, 15): the Job is created before its Secret (the Secret is
# owned by it), so someone who can create Secrets could plant one under the run Secret's
# name, owned by the new Job, between the two. The runner puts a random nonce into the
# Secret and its SHA-256 into the Job (KUBECLIP_RUN_PROOF): only a Secret the runner wrote
# hashes to the proof, and the agent never starts on any other. The nonce is unset before
# the agent starts. Busybox, Debian and Alpine images have sha256sum. The run's files (if
# any) are copied out of the Secret's volume before the Secret is wiped (FILES_DIR).
RUNNER_SCRIPT = (
    'h=`printf %s "$KUBECLIP_RUN_NONCE" | sha256sum 2>/dev/null`; unset KUBECLIP_RUN_NONCE; '
    'case "$h" in "$KUBECLIP_RUN_PROOF "*) ;; *) '
    'if [ "$KUBECLIP_RUN_PROOF" = ' + REVIEW_PROOF + ' ]; then w="this Job is the output '
    'of kubeclip render, which is for review only: run it with kubeclip run"; '
    'elif [ -z "$h" ]; then w="the image has no sha256sum to check the run Secret with"; '
    'else w="the run Secret was not written by the kubeclip run that made this Job '
    '(someone who can create Secrets in this namespace made it)"; fi; '
    "printf '\\036E%s\\n' \"kubeclip: refusing to start the agent: $w\" >&2; "
    f"exit {REFUSED_EXIT};; esac; "
    's=; case "$KUBECLIP_STATE_ENV" in ""|*[!A-Za-z0-9_]*) ;; *) '
    'eval "s=\\${$KUBECLIP_STATE_ENV}";; esac; [ -z "$s" ] || mkdir -p -- "$s" 2>/dev/null; '
    'd="$KUBECLIP_WORKDIR"; '
    'if [ -n "$d" ]; then mkdir -p -- "$d" 2>/dev/null; cd -- "$d" 2>/dev/null || { '
    "printf '\\036E%s\\n' \"kubeclip: cannot create or enter the working directory $d: "
    'it must be writable by the pod user" >&2; exit 126; }; export PWD; fi; '
    'if [ -n "$KUBECLIP_FILES" ]; then rm -rf ' + FILES_DIR + ' && cp -RL "$KUBECLIP_FILES" '
    + FILES_DIR + " || { printf '\\036E%s\\n' \"kubeclip: cannot copy the run's files to "
    + FILES_DIR + '" >&2; exit 127; }; fi; '
    'p="$KUBECLIP_PROMPT_FILE"; '
    'case "$p" in *.gz) gzip -dc "$p" > /tmp/kubeclip-prompt || exit 127; '
    "p=/tmp/kubeclip-prompt;; esac; "
    "f=/tmp/kubeclip-stderr; "
    'rm -f "$f"; '
    'if command -v sed >/dev/null && mkfifo -m 600 "$f" 2>/dev/null; then '
    "m=`printf '\\036E'`; "
    '{ sed -u "s/^/$m/" 2>/dev/null || sed "s/^/$m/"; } < "$f" >&2 & s=$!; '
    '"$@" < "$p" 2> "$f" & a=$!; exec 2>/dev/null; '
    "trap 'kill -TERM \"$a\"' TERM; "
    'while :; do wait "$a"; c=$?; [ "$c" -gt 128 ] && kill -0 "$a" || break; done; '
    '(sleep 5; kill "$s") & wait "$s"; exit "$c"; '
    "fi; "
    'exec "$@" < "$p"'
)
DEFAULT_RESTRICTED_ANNOTATIONS = {
    # A mesh sidecar that never exits keeps a Job running forever.
    "sidecar.istio.io/inject": "false",
    "linkerd.io/inject": "disabled",
}


class SecretPlan(TypedDict):
    name: str
    namespace: str
    labels: dict[str, str]
    annotations: dict[str, str]
    stringData: dict[str, str]
    data: dict[str, str]


class JobPlan(TypedDict):
    name: str
    namespace: str
    container: str  # the agent container, whose log the runner follows
    labels: dict[str, str]
    annotations: dict[str, str]
    podLabels: dict[str, str]
    podAnnotations: dict[str, str]
    activeDeadlineSeconds: int | None
    ttlSecondsAfterFinished: int | None
    terminationGracePeriodSeconds: int
    serviceAccountName: str | None
    automountServiceAccountToken: bool
    image: str
    imagePullPolicy: str
    imagePullSecrets: list[dict[str, str]]
    dnsPolicy: str | None
    dnsConfig: dict[str, Any] | None
    nodeSelector: dict[str, str]
    tolerations: list[Toleration]
    affinity: dict[str, Any] | None
    priorityClassName: str | None
    runtimeClassName: str | None
    command: list[str]
    env: list[EnvVar]
    envFrom: list[EnvFromSource]
    resources: dict[str, dict[str, str]]
    volumes: list[Volume]
    volumeMounts: list[VolumeMount]
    secretName: str


class RunPlan(TypedDict):
    """The one contract between render and run: everything the runner, `check` and the
    drop-in need about the run comes from here (the renderer verifies that the rendered
    Job honours it), never from the config again."""

    namespace: str
    jobName: str
    secretName: str
    container: str
    selector: dict[str, str]  # pod labels the runner watches on
    agentId: str
    runId: str
    resumesSession: bool
    timeoutSec: int  # 0 = none
    graceSec: int
    scheduleTimeoutSec: int
    idleTimeoutSec: int  # 0 = none
    retainJobs: bool
    maxRunsPerAgent: int
    whenBusy: str  # "wait" | "fail"


class Plan(TypedDict):
    run: RunPlan
    job: JobPlan
    secret: SecretPlan
    inherited: dict[str, Any]
    notes: list[str]  # what a reviewer should know, e.g. what was not inherited
    warnings: list[str]
    secretValues: list[str]  # credential values, to prove they never reach the Job or logs


_K8S_VAR = re.compile(r"\$(?=[$(])")


def k8s_escape(value: str) -> str:
    """Escape ``$(VAR)`` and ``$$`` so kubelet's variable expansion gives back ``value``.

    Kubernetes expands ``$(NAME)`` in command, args and env values; ``$$`` stands for ``$``.
    """
    return _K8S_VAR.sub("$$", value)


def _matches(name: str, patterns: list[str] | tuple[str, ...]) -> bool:
    """Globs match env names case-insensitively: `database_url` is denied like DATABASE_URL."""
    return credentials.matches(name, patterns)


def resolve_namespace(
    flag: str | None, config: AgentConfig, facts: PodFacts | None, fallback: str | None = None
) -> str:
    """The one namespace rule: --namespace, else the config's, else the Paperclip pod's,
    else the connection's (the kubeconfig context or the service account), else default."""
    pod_namespace = facts["namespace"] if facts is not None else None
    return flag or config["namespace"] or pod_namespace or fallback or "default"


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")
