"""The agent config: load, normalise Paperclip's spellings, validate, apply defaults.

Normalisation happens before validation so that the schema sees one shape:
Paperclip's UI writes nested keys as flat dotted keys (``resources.requests.cpu``),
label-like maps may be ``key=value`` lines, and tolerations may be a JSON string.
Defaults come from the schema's ``default`` keywords: one source of truth.
"""

from __future__ import annotations

import copy
import json
from typing import Any, cast

from kubeclip.errors import InputError
from kubeclip.renderer._generated.config_types import DEFAULTS, SECTIONS
from kubeclip.renderer._generated.config_types import AgentConfig as AgentConfig
from kubeclip.renderer.loader import load_mapping
from kubeclip.renderer.validation import format_path, quantity_nanos, validate

SCHEMA = "agent-config"


def load_config(path: str) -> AgentConfig:
    return parse_config(load_mapping(path, "agent config"), path)


def parse_config(raw: dict[str, Any], source: str = "<config>") -> AgentConfig:
    data = normalise(raw, source)
    validate(SCHEMA, data, source)
    config = _resolve(data)
    _requests_within_limits(config, source)
    return config


def _requests_within_limits(config: AgentConfig, source: str) -> None:
    """The API server refuses a pod whose request is above its limit: say it here, naming
    both, rather than as a create_failed after the Job exists."""
    requests, limits = config["resources"]["requests"], config["resources"]["limits"]
    problems = [
        f"resources.requests.{name}: {requests[name]} is above resources.limits.{name} "
        f"({limits[name]}); Kubernetes refuses such a pod: lower the request or raise the limit"
        for name in sorted(requests.keys() & limits.keys())
        if quantity_nanos(str(requests[name])) > quantity_nanos(str(limits[name]))
    ]
    if problems:
        raise InputError(source, problems)


def normalise(raw: dict[str, Any], source: str) -> dict[str, Any]:
    """Fold Paperclip's alternative spellings into the schema's shape (input is not mutated)."""
    data = dict(raw)
    problems: list[str] = []
    for key in [k for k in data if isinstance(k, str) and "." in k]:
        head, *rest = key.split(".")
        if head not in SECTIONS:  # fixed-shape objects: their flat dotted keys are accepted
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
    """Every key of the schema, given or its default (generated from the schema); a
    section key by key; resources merged by resource name, quantities as strings."""
    out: dict[str, Any] = {}
    for key, default in DEFAULTS.items():
        if key == "resources":
            resources = copy.deepcopy(default)
            for section in ("requests", "limits"):
                for name, qty in data.get("resources", {}).get(section, {}).items():
                    resources[section][name] = _quantity(qty)
            out[key] = resources
        elif key in SECTIONS:
            given = data.get(key, {})
            out[key] = {k: given[k] if k in given else copy.deepcopy(d) for k, d in default.items()}
        else:
            out[key] = data[key] if key in data else copy.deepcopy(default)
    return cast("AgentConfig", out)


def _quantity(value: str | int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
