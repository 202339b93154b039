"""Merge built-in defaults < pod facts < agent config < run context into a render plan.

The plan holds every value the templates need, already decided; templates only lay it
out. Two rules keep secrets out of specs: the Job plan never holds a secret value (only
references into the per-run Secret), and credential-looking literal env values, from the
Paperclip container or from the config, are moved into that Secret.
"""

from __future__ import annotations

import base64
import gzip
import json
import posixpath
import re
from typing import Any, NoReturn, TypedDict

from kubeclip.errors import InputError
from kubeclip.renderer import credentials, naming
from kubeclip.renderer.config import AgentConfig
from kubeclip.renderer.kube_types import (
    EnvFromSource,
    EnvVar,
    EnvVarSource,
    Toleration,
    Volume,
    VolumeMount,
)
from kubeclip.renderer.podfacts import PAPERCLIP_MOUNT, PodFacts
from kubeclip.renderer.runcontext import RunContext, workspace

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
# Owned by kubeclip itself (the prompt file, OpenCode's config and its permission bypass):
# no source may set them.
KUBECLIP_ENV = frozenset(
    {"KUBECLIP_PROMPT_FILE", "OPENCODE_CONFIG_CONTENT", "OPENCODE_DISABLE_PROJECT_CONFIG"}
)
# Owned by the run context: set from its fields, never from env maps.
RUN_ENV = frozenset(
    {
        "PAPERCLIP_AGENT_ID", "PAPERCLIP_COMPANY_ID", "PAPERCLIP_RUN_ID", "PAPERCLIP_API_KEY",
        "PAPERCLIP_API_URL", "PAPERCLIP_TASK_ID", "PAPERCLIP_WAKE_REASON",
        "PAPERCLIP_WAKE_COMMENT_ID", "PAPERCLIP_APPROVAL_ID", "PAPERCLIP_APPROVAL_STATUS",
        "PAPERCLIP_LINKED_ISSUE_IDS", "PAPERCLIP_WAKE_PAYLOAD_JSON", "PAPERCLIP_WORKSPACE_CWD",
        "PAPERCLIP_WORKSPACE_SOURCE", "PAPERCLIP_WORKSPACE_STRATEGY", "PAPERCLIP_WORKSPACE_ID",
        "PAPERCLIP_WORKSPACE_REPO_URL", "PAPERCLIP_WORKSPACE_REPO_REF",
        "PAPERCLIP_WORKSPACE_BRANCH", "PAPERCLIP_WORKSPACE_WORKTREE_PATH", "AGENT_HOME",
        "PAPERCLIP_WORKSPACES_JSON",
    }
)  # fmt: skip
# The agent config may set PAPERCLIP_API_URL (documented) and HOME (an explicit override).
CONFIG_MAY_SET = frozenset({"PAPERCLIP_API_URL", "HOME"})
# Flags of `opencode run` that kubeclip decides: extraArgs may not smuggle them in.
OWNED_FLAGS = ("--format", "--session", "-s", "--continue", "-c", "--model", "-m", "--variant")
REDACTED = "<redacted: render with --reveal-secrets to include>"
PROMPT_DIR = "/var/run/kubeclip"
CONTAINER = "agent"
SECRET_PROMPT_KEY = "prompt"
SECRET_PROMPT_GZ_KEY = "prompt.gz"
SECRET_API_KEY = "paperclip-api-key"
SECRET_OPENCODE_CONFIG = "opencode-config"
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
RUNNER_SCRIPT = (
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
    workingDir: str
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


def build_plan(
    config: AgentConfig,
    facts: PodFacts,
    run: RunContext,
    *,
    reveal_secrets: bool = False,
    config_source: str = "agent config",
    attempt: int = 0,
    namespace_flag: str | None = None,
    namespace_fallback: str | None = None,
) -> Plan:
    """Decide every value of the run's manifests. Errors name ``config_source``.

    ``attempt`` > 0 names a retry of the same run (e.g. fresh after an unknown session):
    same labels and run id, another Job name. The namespace follows
    :func:`resolve_namespace`; the validated config is never written to.
    """

    def raise_input(path: str, message: str) -> NoReturn:
        raise InputError(config_source, [f"{path}: {message}"])

    agent = run["agent"]
    agent_id: str = agent["id"]
    run_id: str = run["runId"]
    ctx: dict[str, Any] = run.get("context") or {}
    ws = workspace(run)
    warnings: list[str] = []
    notes: list[str] = []

    # The same inputs are the same invocation (a restarted runner, --detach then run): the
    # same Job. Other inputs under the same run id (a fresh retry) are another Job.
    names = credentials.name_pattern(config["secretEnv"]["always"])
    public = _without_credentials([config, facts, run], names)
    invocation = naming.short_hash(_compact_json(public), length=16)
    name = naming.job_name(agent_id, agent.get("name"), run_id, attempt, invocation)
    secret_name = f"{name}-run"
    namespace = resolve_namespace(namespace_flag, config, facts, namespace_fallback)
    if facts["namespace"] and namespace != facts["namespace"]:
        warnings.append(
            f"the Job goes to namespace {namespace!r} but Paperclip runs in "
            f"{facts['namespace']!r}: the claim {facts['claim']['claimName']!r} and every "
            "inherited Secret, ConfigMap and imagePullSecret must exist in the Job's namespace"
        )
    image = config["image"] or facts["image"]
    if not image:
        raise_input("image", "the Paperclip container has no image; set image in the agent config")

    # --- identity: labels select, annotations keep the raw ids ---------------------------
    task_id = ctx.get("taskId") or ctx.get("issueId")
    labels = {
        "app.kubernetes.io/name": "kubeclip",
        naming.MANAGED_BY: "kubeclip",
        naming.COMPONENT: "agent-run",
        naming.LABEL_AGENT: naming.label_value(agent_id),
        naming.LABEL_RUN: naming.label_value(run_id),
        naming.LABEL_COMPANY: naming.label_value(agent["companyId"]),
    }
    if task_id:
        labels[naming.LABEL_TASK] = naming.label_value(task_id)
    reserved = [k for k in config["labels"] if k in labels]
    if reserved:
        raise_input(
            "labels",
            f"{', '.join(reserved)} is set by kubeclip (the runner selects on it); remove it",
        )
    ids = {
        f"{naming.DOMAIN}/agent-id": agent_id,
        f"{naming.DOMAIN}/run-id": run_id,
        f"{naming.DOMAIN}/company-id": agent["companyId"],
        f"{naming.DOMAIN}/invocation": invocation,
    }
    if agent.get("name"):
        ids[f"{naming.DOMAIN}/agent-name"] = agent["name"]
    if task_id:
        ids[f"{naming.DOMAIN}/task-id"] = task_id

    # --- secret material ------------------------------------------------------------------
    secret_values: list[str] = []
    string_data: dict[str, str] = {}
    data: dict[str, str] = {}

    def to_secret(key: str, value: str) -> EnvVarSource:
        secret_values.append(value)
        string_data[key] = value if reveal_secrets else REDACTED
        return {"secretKeyRef": {"name": secret_name, "key": key}}

    prompt: str = run["prompt"]
    prompt_bytes = prompt.encode("utf-8")
    if len(prompt_bytes) > PROMPT_GZIP_ABOVE:
        packed = gzip.compress(prompt_bytes, compresslevel=9, mtime=0)
        if len(packed) * 4 // 3 > SECRET_LIMIT:
            raise InputError(
                "prompt",
                [
                    f"is {len(prompt_bytes)} bytes and still {len(packed)} bytes compressed; "
                    "a Kubernetes Secret holds at most 1 MiB: shorten it or attach files "
                    "through the workspace"
                ],
            )
        prompt_key = SECRET_PROMPT_GZ_KEY
        data[prompt_key] = base64.b64encode(packed).decode("ascii")
        notes.append(f"prompt: {len(prompt_bytes)} bytes, stored gzip-compressed")
    else:
        prompt_key = SECRET_PROMPT_KEY
        string_data[prompt_key] = prompt

    # --- env: defaults < inherited < config < run context -----------------------------------
    env: dict[str, EnvVar] = {}

    def put(name: str, value: str | None = None, source: EnvVarSource | None = None) -> None:
        var: EnvVar = {"name": name}
        if source is not None:
            var["valueFrom"] = source
        else:
            var["value"] = k8s_escape(value or "")
        env[name] = var

    put("HOME", PAPERCLIP_MOUNT)
    put("KUBECLIP_PROMPT_FILE", posixpath.join(PROMPT_DIR, prompt_key))
    put("OPENCODE_DISABLE_PROJECT_CONFIG", "true")
    if config["dangerouslySkipPermissions"]:
        # Per pod, never on the shared volume: one agent's bypass must not leak to another.
        put("OPENCODE_CONFIG_CONTENT", '{"permission":{"external_directory":"allow"}}')

    inherit = config["inherit"]
    deny = (*BUILTIN_ENV_DENY, *inherit["envDeny"])
    always, never = config["secretEnv"]["always"], config["secretEnv"]["never"]

    def secret_literal(vname: str, value: str) -> bool:
        return credentials.is_credential(vname, value, always, never)

    inherited_env: list[str] = []
    skipped_env: list[str] = []
    for var in facts["env"]:
        vname = var.get("name", "")
        if not _matches(vname, inherit["env"]):
            skipped_env.append(vname)
            continue
        if _matches(vname, deny):
            skipped_env.append(f"{vname} (denied)")
            continue
        if (
            vname in KUBECLIP_ENV
            or vname == "HOME"
            or (vname in RUN_ENV and vname != "PAPERCLIP_API_URL")
        ):
            skipped_env.append(f"{vname} (reserved)")
            continue
        if "valueFrom" in var:
            put(vname, source=var["valueFrom"])
            inherited_env.append(f"{vname} (by reference)")
        elif secret_literal(vname, var.get("value", "")):
            put(vname, source=to_secret(f"env.{vname}", var.get("value", "")))
            inherited_env.append(f"{vname} (value moved to the run Secret)")
        else:
            put(vname, var.get("value", ""))
            inherited_env.append(vname)

    for vname, value in config["env"].items():
        if vname in KUBECLIP_ENV or (vname in RUN_ENV and vname not in CONFIG_MAY_SET):
            owner = "the run context" if vname in RUN_ENV else "kubeclip"
            raise_input(f"env.{vname}", f"is set by {owner} and cannot be overridden; remove it")
        if isinstance(value, str):
            if secret_literal(vname, value):
                put(vname, source=to_secret(f"env.{vname}", value))
            else:
                put(vname, value)
        else:
            put(vname, source=value)

    run_env = run.get("env") or {}
    taken = sorted(k for k in run_env if k in KUBECLIP_ENV or k in RUN_ENV or k == "HOME")
    if taken:
        raise InputError(
            "run context",
            [f"env.{k}: is reserved (set from the run context's own fields or by kubeclip); "
             "remove it" for k in taken],
        )  # fmt: skip
    known_url = env.get("PAPERCLIP_API_URL", {})
    reachable = "valueFrom" in known_url or (
        bool(known_url.get("value")) and not is_loopback_url(known_url.get("value", ""))
    )
    for vname, val in [*_run_env(run, ctx, ws, reachable), *run_env.items()]:
        if secret_literal(vname, val):
            put(vname, source=to_secret(f"env.{vname}", val))
        else:
            put(vname, val)
    agent_env = run.get("agentEnv") or {}
    for vname, val in agent_env.items():
        if vname in KUBECLIP_ENV or vname in RUN_ENV or vname == "HOME":
            notes.append(f"run agentEnv {vname}: reserved, not passed")
        elif _matches(vname, deny):
            notes.append(f"run agentEnv {vname}: denied (inherit.envDeny), not passed")
        else:
            put(vname, source=to_secret(f"env.{vname}", val))
    opencode_config = run.get("opencodeConfig")
    if opencode_config is not None:
        merged = dict(opencode_config)
        if config["dangerouslySkipPermissions"]:
            permission = merged.get("permission")
            merged["permission"] = {
                **(permission if isinstance(permission, dict) else {}),
                "external_directory": "allow",
            }
        # it may hold provider keys Paperclip resolved: the Secret, never the spec
        put(
            "OPENCODE_CONFIG_CONTENT",
            source=to_secret(SECRET_OPENCODE_CONFIG, _compact_json(merged)),
        )
    api_key = run.get("authToken")
    if api_key:
        put("PAPERCLIP_API_KEY", source=to_secret(SECRET_API_KEY, api_key))
    if "PAPERCLIP_API_URL" not in env:
        warnings.append(
            "no PAPERCLIP_API_URL: set paperclipApiUrl in the run context or env.PAPERCLIP_API_URL,"
            " or the agent cannot call Paperclip"
        )
    elif is_loopback_url(env["PAPERCLIP_API_URL"].get("value", "")):
        warnings.append(
            f"PAPERCLIP_API_URL {env['PAPERCLIP_API_URL'].get('value')} is a loopback address: "
            "the agent pod cannot reach Paperclip there; set env.PAPERCLIP_API_URL in the agent "
            "config to Paperclip's Service (e.g. http://paperclip.paperclip.svc:3100)"
        )

    env_from: list[EnvFromSource] = []
    inherited_env_from: list[str] = []
    for entry in facts["envFrom"]:
        ref = entry.get("secretRef") or entry.get("configMapRef") or {}
        kind = "secret" if "secretRef" in entry else "configMap"
        if ref.get("name") and _matches(ref["name"], inherit["envFrom"]):
            env_from.append(entry)
            inherited_env_from.append(f"{kind} {ref['name']}")
        elif ref.get("name"):
            skipped_env.append(f"envFrom {kind} {ref['name']}")

    # --- volumes -----------------------------------------------------------------------------
    claim = facts["claim"]
    volumes: list[Volume] = [
        {"name": "paperclip", "persistentVolumeClaim": {"claimName": claim["claimName"]}},
        {
            "name": "kubeclip-run",
            "secret": {
                "secretName": secret_name,
                "items": [{"key": prompt_key, "path": prompt_key}],
                "defaultMode": 0o440,
            },
        },
    ]
    mounts: list[VolumeMount] = [
        {"name": "paperclip", "mountPath": PAPERCLIP_MOUNT},
        {"name": "kubeclip-run", "mountPath": PROMPT_DIR, "readOnly": True},
    ]
    if claim["subPath"]:
        mounts[0]["subPath"] = claim["subPath"]
    inherited_volumes: list[str] = []
    for sv in facts["secretVolumes"]:
        vol_name = sv["volume"].get("name", "")
        if not _matches(vol_name, inherit["secretVolumes"]):
            skipped_env.append(f"secret volume {vol_name}")
            continue
        if vol_name in ("paperclip", "kubeclip-run"):
            raise_input("inherit.secretVolumes", f"volume name {vol_name!r} is kubeclip's own")
        volumes.append(sv["volume"])
        for m in sv["mounts"]:
            mounts.append({**m, "readOnly": True})
            inherited_volumes.append(f"{vol_name} at {m.get('mountPath')}")

    for i, path in enumerate(dict.fromkeys(run.get("scratchDirs") or [])):
        normal = posixpath.normpath(path)
        if normal != path or _under(path, PAPERCLIP_MOUNT) or _under(path, PROMPT_DIR):
            raise InputError(
                "run context",
                [f"scratchDirs[{i}]: {path!r} must be a normalised absolute path outside "
                 f"{PAPERCLIP_MOUNT} and {PROMPT_DIR}"],
            )  # fmt: skip
        volumes.append({"name": f"scratch-{i}", "emptyDir": {}})
        mounts.append({"name": f"scratch-{i}", "mountPath": path})
        notes.append(f"scratch directory {path}: empty, pod-local")

    pull_secrets = facts["imagePullSecrets"] if inherit["imagePullSecrets"] else []
    dns_policy = facts["dnsPolicy"] if inherit["dns"] else None
    dns_config = facts["dnsConfig"] if inherit["dns"] else None

    # --- the command: constant script, user values as argv -------------------------------------
    argv = [config["command"], "run", "--format", "json"]
    extra = list(config["extraArgs"])
    if "--print-logs" in extra:  # where opencode_local puts it: before --session/--model
        extra.remove("--print-logs")
        argv.append("--print-logs")
    session = _resume_session(run, ws)
    if session:
        argv += ["--session", session]
    argv += ["--model", config["model"]]
    if config["variant"]:
        argv += ["--variant", config["variant"]]
    for i, arg in enumerate(config["extraArgs"]):
        flag = arg.split("=", 1)[0]
        if flag in OWNED_FLAGS:
            raise_input(
                f"extraArgs[{i}]",
                f"{flag} is set by kubeclip (model/variant come from the config, sessions are "
                "resumed by kubeclip, the output format is JSON); remove it",
            )
    argv += extra
    command = ["/bin/sh", "-c", RUNNER_SCRIPT, "kubeclip-agent", *(k8s_escape(a) for a in argv)]

    cwd = ws.get("cwd") or PAPERCLIP_MOUNT
    if not (cwd == PAPERCLIP_MOUNT or cwd.startswith(PAPERCLIP_MOUNT + "/")):
        warnings.append(
            f"the workspace cwd {cwd!r} is outside {PAPERCLIP_MOUNT}: it exists in the agent pod "
            "only if the image has it"
        )

    inherited: dict[str, Any] = {
        "from": facts["source"],
        "env": inherited_env,
        "envFrom": inherited_env_from,
        "secretVolumes": inherited_volumes,
        "imagePullSecrets": pull_secrets,
        "dns": bool(dns_policy or dns_config),
    }
    if skipped_env:
        notes.append("not inherited: " + ", ".join(skipped_env))

    common_annotations = {**ids, f"{naming.DOMAIN}/inherited": _compact_json(inherited)}
    user_labels = config["labels"]
    pod_annotations = {**DEFAULT_RESTRICTED_ANNOTATIONS, **config["annotations"]}

    job = JobPlan(
        name=name,
        namespace=namespace,
        container=CONTAINER,
        labels={**user_labels, **labels},
        annotations={**config["annotations"], **common_annotations},
        podLabels={**user_labels, **labels},
        podAnnotations={**pod_annotations, **ids},
        activeDeadlineSeconds=config["timeoutSec"] or None,
        ttlSecondsAfterFinished=None if config["retainJobs"] else config["ttlSecondsAfterFinished"],
        terminationGracePeriodSeconds=config["graceSec"],
        serviceAccountName=config["serviceAccountName"],
        automountServiceAccountToken=bool(config["serviceAccountName"]),
        image=image,
        imagePullPolicy=config["imagePullPolicy"],
        imagePullSecrets=[{"name": n} for n in pull_secrets],
        dnsPolicy=dns_policy,
        dnsConfig=dns_config,
        nodeSelector=config["nodeSelector"],
        tolerations=config["tolerations"],
        affinity=config["affinity"],
        priorityClassName=config["priorityClassName"],
        runtimeClassName=config["runtimeClassName"],
        command=command,
        workingDir=cwd,
        env=list(env.values()),
        envFrom=env_from,
        resources={
            "requests": config["resources"]["requests"],
            "limits": config["resources"]["limits"],
        },
        volumes=volumes,
        volumeMounts=mounts,
        secretName=secret_name,
    )
    secret = SecretPlan(
        name=secret_name,
        namespace=namespace,
        labels={**user_labels, **labels},
        annotations=ids,
        stringData=string_data,
        data=data,
    )
    run_plan = RunPlan(
        namespace=namespace,
        jobName=name,
        secretName=secret_name,
        container=CONTAINER,
        selector={k: labels[k] for k in (naming.LABEL_RUN, naming.LABEL_AGENT)},
        agentId=agent_id,
        runId=run_id,
        resumesSession=session is not None,
        timeoutSec=config["timeoutSec"],
        graceSec=config["graceSec"],
        scheduleTimeoutSec=config["scheduleTimeoutSec"],
        retainJobs=config["retainJobs"],
        maxRunsPerAgent=config["concurrency"]["maxRunsPerAgent"],
        whenBusy=config["concurrency"]["whenBusy"],
    )
    return Plan(
        run=run_plan,
        job=job,
        secret=secret,
        inherited=inherited,
        notes=notes,
        warnings=warnings,
        secretValues=[v for v in secret_values if len(v) >= 8],  # shorter ones are not checkable
    )


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _resume_session(run: RunContext, ws: dict[str, Any]) -> str | None:
    """Resume only a session started in the same cwd, as Paperclip's opencode_local does."""
    runtime = run.get("runtime") or {}
    params = runtime.get("sessionParams") or {}
    session = params.get("sessionId") or runtime.get("sessionId")
    if not session:
        return None
    stored_cwd = params.get("cwd")
    if stored_cwd and ws.get("cwd") and stored_cwd != ws.get("cwd"):
        return None
    return str(session)


def is_loopback_url(url: str) -> bool:
    """http://127.0.0.1:3100, http://localhost:3100, http://[::1]/…: reachable only from the
    Paperclip container itself, never from an agent pod."""
    from urllib.parse import urlsplit

    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return False
    return (
        host in ("localhost", "::1", "0.0.0.0", "::")
        or host.endswith(".localhost")
        or host.startswith("127.")
    )


def _run_env(
    run: RunContext, ctx: dict[str, Any], ws: dict[str, Any], reachable_url: bool = False
) -> list[tuple[str, str]]:
    agent = run["agent"]
    url = run.get("paperclipApiUrl")
    if url and reachable_url and is_loopback_url(url):
        url = None  # a loopback URL from the run never replaces a reachable one
    pairs: list[tuple[str, Any]] = [
        ("PAPERCLIP_AGENT_ID", agent["id"]),
        ("PAPERCLIP_COMPANY_ID", agent["companyId"]),
        ("PAPERCLIP_RUN_ID", run["runId"]),
        ("PAPERCLIP_API_URL", url),
        ("PAPERCLIP_TASK_ID", ctx.get("taskId") or ctx.get("issueId")),
        ("PAPERCLIP_WAKE_REASON", ctx.get("wakeReason")),
        ("PAPERCLIP_WAKE_COMMENT_ID", ctx.get("wakeCommentId")),
        ("PAPERCLIP_APPROVAL_ID", ctx.get("approvalId")),
        ("PAPERCLIP_APPROVAL_STATUS", ctx.get("approvalStatus")),
        ("PAPERCLIP_LINKED_ISSUE_IDS", ",".join(ctx.get("issueIds") or []) or None),
        (
            "PAPERCLIP_WAKE_PAYLOAD_JSON",
            _compact_json(ctx["paperclipWake"]) if ctx.get("paperclipWake") else None,
        ),
        ("PAPERCLIP_WORKSPACE_CWD", ws.get("cwd")),
        ("PAPERCLIP_WORKSPACE_SOURCE", ws.get("source")),
        ("PAPERCLIP_WORKSPACE_STRATEGY", ws.get("strategy")),
        ("PAPERCLIP_WORKSPACE_ID", ws.get("workspaceId")),
        ("PAPERCLIP_WORKSPACE_REPO_URL", ws.get("repoUrl")),
        ("PAPERCLIP_WORKSPACE_REPO_REF", ws.get("repoRef")),
        ("PAPERCLIP_WORKSPACE_BRANCH", ws.get("branchName")),
        ("PAPERCLIP_WORKSPACE_WORKTREE_PATH", ws.get("worktreePath")),
        ("AGENT_HOME", ws.get("agentHome")),
        (
            "PAPERCLIP_WORKSPACES_JSON",
            _compact_json(ctx["paperclipWorkspaces"]) if ctx.get("paperclipWorkspaces") else None,
        ),
    ]
    return [(k, str(v)) for k, v in pairs if v not in (None, "")]


def _without_credentials(value: Any, names: re.Pattern[str], key: str = "") -> Any:
    """``value`` with every credential (and the prompt) left out: the invocation digest is
    written onto the Job, and a hash of a weak password would let anyone who can read Jobs
    test guesses. The session, argv and env still tell a fresh retry from the first try.
    ``names``: :func:`credentials.name_pattern`, compiled once per plan. This walk is on
    render's hot path: each name is judged once, and a value needs ``://`` before the
    password-URL pattern is tried."""
    judged = credentials.name_matches

    def secret(name: str, text: str) -> bool:
        return bool(text) and (
            (bool(name) and judged(names, name))
            or ("://" in text and credentials.has_password_url(text))
        )

    def walk(node: Any, key: str) -> Any:
        if key in _DIGEST_DROPS:
            return None  # the Job depends on none of them: they live in the run Secret only
        kind = type(node)
        if kind is str:
            return None if secret(key, node) else node
        if kind is dict:
            if key == "agentEnv":
                return sorted(node)  # names only: every value is a secret
            name, literal = node.get("name"), node.get("value")
            if type(name) is str and type(literal) is str and secret(name, literal):
                return {**node, "value": None}  # an EnvVar holding a credential
            return {
                k: walk(v, str(k))
                for k, v in node.items()
                # how runs queue (the config's concurrency) changes nothing in the Job
                if not (k == "concurrency" and type(v) is dict and "whenBusy" in v)
            }
        if kind is list:
            return [walk(v, "") for v in node]
        if isinstance(node, str):  # a str subclass: judged like a str
            return None if secret(key, node) else node
        return node

    return walk(value, key)


_DIGEST_DROPS = frozenset({"authToken", "prompt", "opencodeConfig"})


def _secret(name: str, value: str, names: re.Pattern[str]) -> bool:
    return bool(value) and (
        (bool(name) and names.match(name.upper()) is not None)
        or credentials.has_password_url(value)
    )


def _compact_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
