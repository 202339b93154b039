"""The agent config: load, normalise Paperclip's spellings, validate, apply defaults.

Normalisation happens before validation so that the schema sees one shape:
Paperclip's UI writes nested keys as flat dotted keys (``resources.requests.cpu``),
label-like maps may be ``key=value`` lines, and tolerations may be a JSON string.
Defaults come from the schema's ``default`` keywords: one source of truth.
"""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any, TypedDict

from kubeclip.errors import InputError
from kubeclip.renderer.loader import load_mapping
from kubeclip.renderer.validation import format_path, load_schema, validate

if TYPE_CHECKING:
    from kubeclip.renderer.kube_types import EnvVarSource, Toleration

SCHEMA = "agent-config"
# fixed-shape objects whose flat dotted keys we accept
_NESTABLE = ("resources", "inherit", "secretEnv", "concurrency")


class Inherit(TypedDict):
    env: list[str]
    envDeny: list[str]
    envFrom: list[str]
    secretVolumes: list[str]
    imagePullSecrets: bool
    dns: bool


class SecretEnv(TypedDict):
    always: list[str]
    never: list[str]


class Resources(TypedDict):
    requests: dict[str, str]
    limits: dict[str, str]


class Concurrency(TypedDict):
    maxRunsPerAgent: int
    whenBusy: str  # "wait" | "fail"


class AgentConfig(TypedDict):
    """A validated config with every default applied; optional fields are None."""

    model: str
    variant: str | None
    models: list[str]
    command: str
    namespace: str | None
    image: str | None
    imagePullPolicy: str
    kubeconfig: str | None
    serviceAccountName: str | None
    resources: Resources
    timeoutSec: int
    graceSec: int
    scheduleTimeoutSec: int
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


def load_config(path: str) -> AgentConfig:
    return parse_config(load_mapping(path, "agent config"), path)


def parse_config(raw: dict[str, Any], source: str = "<config>") -> AgentConfig:
    data = normalise(raw, source)
    validate(SCHEMA, data, source)
    return _resolve(data)


def normalise(raw: dict[str, Any], source: str) -> dict[str, Any]:
    """Fold Paperclip's alternative spellings into the schema's shape (input is not mutated)."""
    data = dict(raw)
    problems: list[str] = []
    for key in [k for k in data if isinstance(k, str) and "." in k]:
        head, *rest = key.split(".")
        if head not in _NESTABLE:
            continue
        value = data.pop(key)
        top = data.get(head, {})
        if not isinstance(top, dict):
            problems.append(f'{key}: cannot combine with "{head}", which is not a mapping')
            continue
        if top is raw.get(head):  # never mutate the caller's mapping
            top = copy.deepcopy(top)
        data[head] = node = top
        for part in rest[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                problems.append(f"{key}: conflicts with another key of the same path")
                break
            node = child
        else:
            if rest[-1] in node:
                problems.append(
                    f'{key}: set twice, also inside "{head}" as {format_path([head, *rest])}; '
                    "keep one"
                )
            node[rest[-1]] = value
    for key in ("nodeSelector", "labels"):
        if isinstance(data.get(key), str):
            data[key] = _parse_lines(key, data[key], problems)
    if isinstance(data.get("tolerations"), str):
        try:
            parsed = json.loads(data["tolerations"]) if data["tolerations"].strip() else []
        except json.JSONDecodeError as e:
            problems.append(f"tolerations: is a string but not valid JSON ({e.msg}); give a list")
        else:
            data["tolerations"] = parsed
    if problems:
        raise InputError(source, problems)
    return data


def _parse_lines(key: str, text: str, problems: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        if not sep or not name.strip():
            problems.append(f"{key}: line {n} ({line!r}) is not key=value")
            continue
        out[name.strip()] = value.strip()
    return out


def _resolve(data: dict[str, Any]) -> AgentConfig:
    props = load_schema(SCHEMA)["properties"]
    resources = copy.deepcopy(props["resources"]["default"])
    for section in ("requests", "limits"):
        for name, qty in data.get("resources", {}).get(section, {}).items():
            resources[section][name] = _quantity(qty)
    inherit_props = props["inherit"]["properties"]
    given = data.get("inherit", {})
    inherit = {k: given.get(k, copy.deepcopy(v["default"])) for k, v in inherit_props.items()}
    secret_env = data.get("secretEnv", {})

    def get(name: str) -> Any:
        if name in data:
            return data[name]
        default = props[name].get("default")
        return copy.deepcopy(default)

    return AgentConfig(
        model=data["model"],
        variant=get("variant"),
        models=get("models"),
        command=get("command"),
        namespace=get("namespace"),
        image=get("image"),
        imagePullPolicy=get("imagePullPolicy"),
        kubeconfig=get("kubeconfig"),
        serviceAccountName=get("serviceAccountName"),
        resources=resources,
        timeoutSec=get("timeoutSec"),
        graceSec=get("graceSec"),
        scheduleTimeoutSec=get("scheduleTimeoutSec"),
        concurrency=Concurrency(
            maxRunsPerAgent=data.get("concurrency", {}).get("maxRunsPerAgent", 1),
            whenBusy=data.get("concurrency", {}).get("whenBusy", "wait"),
        ),
        retainJobs=get("retainJobs"),
        ttlSecondsAfterFinished=get("ttlSecondsAfterFinished"),
        env=get("env"),
        secretEnv=SecretEnv(
            always=secret_env.get("always", []), never=secret_env.get("never", [])
        ),
        extraArgs=get("extraArgs"),
        nodeSelector=get("nodeSelector") or {},
        labels=get("labels") or {},
        annotations=get("annotations") or {},
        tolerations=get("tolerations") or [],
        affinity=get("affinity"),
        priorityClassName=get("priorityClassName"),
        runtimeClassName=get("runtimeClassName"),
        dangerouslySkipPermissions=get("dangerouslySkipPermissions"),
        inherit=Inherit(**inherit),  # type: ignore[typeddict-item]
    )


def _quantity(value: str | int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
