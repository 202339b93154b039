#!/usr/bin/env python3
"""Generate the agent config's Python shape from schema/agent-config.schema.json:
the ``AgentConfig`` TypedDict (and one per fixed-shape section), the defaults, and the
sections whose keys may be written dotted. Output: kubeclip/renderer/_generated/config_types.py.

Why: the schema is the one source of truth for the config; with the types and defaults
generated, a new key is the schema (plus its README row), and `python scripts/regen.py`.
Rules: a property without a default that is not required is ``T | None``; a section is an
object marked ``"x-kubeclip-section": true`` (every key present after resolution); the
string forms that normalisation folds away (key=value lines, a JSON array) are not part
of the resolved type; Kubernetes shapes map to kubeclip.renderer.kube_types.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "schema" / "agent-config.schema.json"
OUT = ROOT / "kubeclip" / "renderer" / "_generated" / "config_types.py"
KUBE_TYPES = {"toleration": "Toleration", "envRef": "EnvVarSource"}
# $defs whose resolved form differs from their input: a quantity is written as a string
RESOLVED = {**KUBE_TYPES, "quantity": "str"}
FOLDED_KINDS = ("keyValueLines", "jsonArray")  # string forms normalise() turns into data
SCALARS = {"string": "str", "integer": "int", "boolean": "bool", "number": "float"}


class Generator:
    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self.defs: dict[str, Any] = schema.get("$defs", {})

    def type_of(self, node: dict[str, Any], name: str) -> str:
        if "$ref" in node:
            ref = node["$ref"].rsplit("/", 1)[-1]
            return RESOLVED.get(ref) or self.type_of(self.defs[ref], ref)
        if "anyOf" in node:
            kept = [m for m in node["anyOf"] if self._kind(m) not in FOLDED_KINDS]
            return " | ".join(dict.fromkeys(self.type_of(m, name) for m in kept))
        if "enum" in node:
            return "Literal[" + ", ".join(json.dumps(v) for v in node["enum"]) + "]"
        kind = node.get("type")
        if isinstance(kind, list):
            return " | ".join(SCALARS.get(k, "Any") for k in kind)
        if kind in SCALARS:
            return SCALARS[kind]
        if kind == "array":
            return f"list[{self.type_of(node['items'], name)}]" if "items" in node else "list[Any]"
        if kind == "object":
            if node.get("x-kubeclip-section"):
                return _class_name(name)
            extra = node.get("additionalProperties")
            if isinstance(extra, dict):
                return f"dict[str, {self.type_of(extra, name)}]"
            return "dict[str, Any]"
        return "Any"

    def _kind(self, node: dict[str, Any]) -> str | None:
        if "$ref" in node:
            return self._kind(self.defs[node["$ref"].rsplit("/", 1)[-1]])
        kind: str | None = node.get("x-kubeclip-kind")
        return kind

    def fields(self, node: dict[str, Any], section: bool) -> list[str]:
        required = set(node.get("required", []))
        lines = []
        for key, prop in node["properties"].items():
            py = self.type_of(prop, key)
            optional = key not in required and "default" not in prop
            if not section and optional and not prop.get("x-kubeclip-section"):
                py += " | None"
            lines.append(f"    {key}: {py}")
        return lines

    def defaults(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, prop in self.schema["properties"].items():
            if prop.get("x-kubeclip-section") and "default" in prop and prop["default"]:
                out[key] = prop["default"]  # a section's defaults as one value (resources)
            elif prop.get("x-kubeclip-section"):
                out[key] = {k: p.get("default") for k, p in prop["properties"].items()}
            else:
                out[key] = prop.get("default")
        return out

    def code(self) -> str:
        props = self.schema["properties"]
        sections = [k for k, p in props.items() if p.get("x-kubeclip-section")]
        parts = [
            f"# Generated from {SCHEMA.relative_to(ROOT)} by scripts/gen_config_types.py.",
            "# Do not edit; run `python scripts/regen.py`.",
            "# ruff: noqa",
            "",
            "from __future__ import annotations",
            "",
            "from typing import TYPE_CHECKING, Any, Literal, TypedDict",
            "",
            "if TYPE_CHECKING:",
            "    from kubeclip.renderer.kube_types import "
            + ", ".join(sorted(set(KUBE_TYPES.values()))),
            "",
            "# fixed-shape objects, whose keys may also be written dotted: resources.limits.cpu",
            f"SECTIONS = {tuple(sections)!r}",
            "",
            "# per key: its default (None: none); a section maps each of its keys to one",
            f"DEFAULTS: dict[str, Any] = {json.dumps(self.defaults(), indent=4)}".replace(
                "true", "True").replace("false", "False").replace("null", "None"),
        ]  # fmt: skip
        for key in sections:
            parts += ["", "", f"class {_class_name(key)}(TypedDict):"]
            parts += self.fields(props[key], section=True)
        parts += ["", "", "class AgentConfig(TypedDict):"]
        doc = '    """A validated config with every default applied; optional fields are None."""'
        parts += [doc, ""]
        parts += self.fields(self.schema, section=False)
        return "\n".join(parts) + "\n"


def _class_name(key: str) -> str:
    return key[0].upper() + key[1:]


def generate() -> str:
    return Generator(json.loads(SCHEMA.read_text(encoding="utf-8"))).code()


def main(check: bool = False) -> int:
    code = generate()
    if check:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != code:
            print(f"stale generated config types: {OUT}", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(code, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(check="--check" in sys.argv))
