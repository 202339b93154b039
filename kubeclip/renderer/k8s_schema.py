"""A Job or Secret from the user's own templates, held to Kubernetes' schema before it is
printed or applied (issue #22, 9 and 10): a typo in an override (``spec: {templte: …}``)
was merged silently, and ``backoffLimit: "three"`` reached the API server.

The schema is strict (unknown fields refused) and covers exactly what kubeclip renders
(``_generated/k8s_schema.json``, from kubernetes-validate by scripts/gen_k8s_schema.py).
The bundled templates need no check: the golden tests hold them to the same schema, and a
render of them stays well under a millisecond.
"""

from __future__ import annotations

import json
import os
import re
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

TYPES = {"object": "a mapping", "array": "a list", "integer": "a whole number",
         "string": "a string", "boolean": "true or false", "number": "a number"}
# The API's own limit on a single object's annotations (keys and values together).
ANNOTATIONS_LIMIT = 256 * 1024


@cache
def _validator(kind: str) -> Draft202012Validator | None:
    from jsonschema import Draft202012Validator

    path = os.path.join(os.path.dirname(__file__), "_generated", "k8s_schema.json")
    with open(path, encoding="utf-8") as f:
        bundle = json.load(f)
    if kind not in bundle["kinds"]:
        return None
    return Draft202012Validator({**bundle["kinds"][kind], "$defs": bundle["$defs"]})


def problems(doc: dict[str, Any], kind: str) -> list[tuple[str, str]]:
    """(the field's last key, what is wrong) for each way ``doc``, which must be a ``kind``,
    breaks the schema."""
    import difflib  # here: every render imports this module, only a user's template needs it

    validator = _validator(kind)
    if validator is None:
        return []
    out = []
    for error in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.path))):
        path = ".".join(str(p) for p in error.path) or "(the document)"
        last = str(error.path[-1]) if error.path else ""
        if path in ("kind", "apiVersion") and isinstance(error.instance, str):
            continue  # another kind by name: the run contract's own message says more
        if error.validator == "additionalProperties":
            known = sorted((error.schema.get("properties") or {}).keys())
            for extra in sorted(set(error.instance) - set(known)):
                close = difflib.get_close_matches(extra, known, n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                where = f"{path}.{extra}" if error.path else extra
                out.append((extra, f"{where}: not a field of a {kind} here{hint}"))
        elif error.validator == "type":
            types = error.validator_value
            wanted = [TYPES.get(t, t) for t in ([types] if isinstance(types, str) else types)
                      if t != "null"]  # fmt: skip
            out.append((last, f"{path}: {error.instance!r} is not {' or '.join(wanted)}"))
        else:
            out.append((last, f"{path}: {error.message}"))
    return out


def annotations_too_large(doc: dict[str, Any]) -> list[str]:
    """The API server refuses an object whose annotations total more than 256 KiB."""
    found = []
    metas = [doc.get("metadata") or {}]
    template = ((doc.get("spec") or {}).get("template") or {}).get("metadata")
    metas += [template] if isinstance(template, dict) else []
    for meta in metas:
        notes = meta.get("annotations") or {}
        sizes = {str(k): len(str(k).encode()) + len(str(v).encode()) for k, v in notes.items()}
        size = sum(sizes.values())
        if size > ANNOTATIONS_LIMIT:
            where = "metadata" if meta is metas[0] else "spec.template.metadata"
            largest = sorted(sizes, key=lambda k: -sizes[k])[:2]
            found.append(f"{where}.annotations: {size} bytes in all ("
                         + ", ".join(f"{k} {sizes[k]}" for k in largest)
                         + f"); the API server accepts at most {ANNOTATIONS_LIMIT} (256 KiB)")
    return found


def line_of(path: str | None, key: str) -> int | None:
    """The line of ``path`` that sets ``key`` (its first), for the message."""
    if not path or not key:
        return None
    pattern = re.compile(rf"^\s*(-\s+)?[\"']?{re.escape(key)}[\"']?\s*:")
    try:
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                if pattern.match(line):
                    return number
    except OSError:
        pass
    return None
