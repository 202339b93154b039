#!/usr/bin/env python3
"""The Kubernetes schema of what kubeclip renders (a batch/v1 Job and a v1 Secret), strict
(unknown fields refused), from the oldest version kubernetes-validate bundles: only the
definitions they reach, descriptions left out. kubeclip checks a Job or Secret rendered from
the user's own templates against it (kubeclip.renderer.k8s_schema) before printing or
applying it.

    python scripts/gen_k8s_schema.py     (scripts/regen.py runs it)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import kubernetes_validate

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "kubeclip" / "renderer" / "_generated" / "k8s_schema.json"
VERSION = "1.25.0"  # the oldest kubernetes-validate bundles; kubeclip supports 1.20+
KINDS = {"Job": "job-batch-v1.json", "Secret": "secret-v1.json"}


def _source() -> Path:
    base = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
    return base / f"v{VERSION}-local-strict"


def _strip(node: Any, wanted: set[str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "description":
                continue
            if key == "$ref" and isinstance(value, str):
                name = value.rsplit("#/$defs/", 1)[-1]  # /api/_definitions.json# or local
                wanted.add(name)
                value = "#/$defs/" + name
            out[key] = _strip(value, wanted)
        return out
    if isinstance(node, list):
        return [_strip(v, wanted) for v in node]
    return node


def bundle() -> dict[str, Any]:
    source = _source()
    everything = json.loads((source / "_definitions.json").read_text())["$defs"]
    wanted: set[str] = set()
    roots = {kind: _strip(json.loads((source / name).read_text()), wanted)
             for kind, name in KINDS.items()}  # fmt: skip
    defs: dict[str, Any] = {}
    while wanted - defs.keys():
        for name in sorted(wanted - defs.keys()):
            defs[name] = _strip(everything[name], wanted)
    for root in roots.values():
        root.pop("$schema", None)
    return {"version": VERSION, "kinds": roots, "$defs": dict(sorted(defs.items()))}


def main() -> None:
    OUT.write_text(json.dumps(bundle(), sort_keys=True, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
