# Generated from schema/agent-config.schema.json by scripts/gen_config_types.py.
# Do not edit; run `python scripts/regen.py`.
# ruff: noqa

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, TypedDict

if TYPE_CHECKING:
    from kubeclip.renderer.kube_types import EnvVarSource, Toleration

# fixed-shape objects, whose keys may also be written dotted: resources.limits.cpu
SECTIONS = ('resources', 'concurrency', 'secretEnv', 'inherit')

# per key: its default (None: none); a section maps each of its keys to one
DEFAULTS: dict[str, Any] = {
    "runtime": "opencode",
    "model": None,
    "variant": None,
    "models": [],
    "command": None,
    "namespace": None,
    "image": None,
    "imagePullPolicy": "IfNotPresent",
    "kubeconfig": None,
    "serviceAccountName": None,
    "resources": {
        "requests": {
            "cpu": "1000m",
            "memory": "2Gi"
        },
        "limits": {
            "cpu": "4000m",
            "memory": "8Gi"
        }
    },
    "timeoutSec": 0,
    "graceSec": 20,
    "scheduleTimeoutSec": 120,
    "idleTimeoutSec": 0,
    "concurrency": {
        "maxRunsPerAgent": 1,
        "whenBusy": "wait"
    },
    "retainJobs": False,
    "ttlSecondsAfterFinished": 300,
    "env": {},
    "secretEnv": {
        "always": [],
        "never": []
    },
    "extraArgs": [],
    "nodeSelector": {},
    "labels": {},
    "annotations": {},
    "tolerations": [],
    "affinity": None,
    "priorityClassName": None,
    "runtimeClassName": None,
    "dangerouslySkipPermissions": True,
    "inherit": {
        "env": [
            "PAPERCLIP_API_URL",
            "*_API_KEY",
            "*_BASE_URL"
        ],
        "envDeny": [],
        "envFrom": [],
        "secretVolumes": [],
        "imagePullSecrets": True,
        "dns": True
    }
}


class Resources(TypedDict):
    requests: dict[str, str]
    limits: dict[str, str]


class Concurrency(TypedDict):
    maxRunsPerAgent: int
    whenBusy: Literal["wait", "fail"]


class SecretEnv(TypedDict):
    always: list[str]
    never: list[str]


class Inherit(TypedDict):
    env: list[str]
    envDeny: list[str]
    envFrom: list[str]
    secretVolumes: list[str]
    imagePullSecrets: bool
    dns: bool


class AgentConfig(TypedDict):
    """A validated config with every default applied; optional fields are None."""

    runtime: Literal["opencode", "claude", "codex"]
    model: str
    variant: str | None
    models: list[str]
    command: str | None
    namespace: str | None
    image: str | None
    imagePullPolicy: Literal["Always", "IfNotPresent", "Never"]
    kubeconfig: str | None
    serviceAccountName: str | None
    resources: Resources
    timeoutSec: int
    graceSec: int
    scheduleTimeoutSec: int
    idleTimeoutSec: int
    concurrency: Concurrency
    retainJobs: bool
    ttlSecondsAfterFinished: int
    env: dict[str, str | EnvVarSource]
    secretEnv: SecretEnv
    extraArgs: list[str]
    nodeSelector: dict[str, str]
    labels: dict[str, str]
    annotations: dict[str, str]
    tolerations: list[Toleration]
    affinity: dict[str, Any] | None
    priorityClassName: str | None
    runtimeClassName: str | None
    dangerouslySkipPermissions: bool
    inherit: Inherit
