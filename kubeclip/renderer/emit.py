"""A small YAML emitter for manifests: mappings, lists, strings, numbers, booleans.

Why not ``yaml.dump``: PyYAML's representer is pure Python and cost ~0.9 ms per run,
the biggest share of a render. This emitter handles only what manifests hold and is
conservative where it matters for safety: a string is written plain only when YAML
1.1 (kubectl's and PyYAML's reading) would give back the same string; multi-line text
becomes a literal block only when that round-trips exactly; anything else is written
double-quoted with JSON escapes (plus the YAML-only line breaks). Property tests check
that ``yaml.safe_load(emit(x)) == x`` for arbitrary data.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

# Plain scalars we allow: a conservative subset that no YAML 1.1 resolver reads as
# anything but a string, once the _SPECIAL words and number-like forms are excluded.
_PLAIN = re.compile(r"[A-Za-z_/.][A-Za-z0-9_./@+=-]*(?:[ :][A-Za-z0-9_./@+=-]+)*\Z")
_SPECIAL = re.compile(
    r"(?i:y|n|yes|no|true|false|on|off|null|~)\Z"
    r"|[-+]?\.?[0-9]"  # anything starting like a number (ints, floats, dates, sexagesimal)
    r"|\.(?i:inf|nan)\Z"
    r"|<<\Z|=\Z|\.\.\."
)
_BLOCK_OK = re.compile(r"[^\s\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
_YAML_UNSAFE = {
    c: f"\\u{c:04x}"
    for c in (*range(0x7F, 0xA0), 0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF, *range(0xD800, 0xE000))
}


def quote(text: str) -> str:
    """A double-quoted YAML scalar (JSON string syntax, YAML-only breaks escaped)."""
    return json.dumps(text, ensure_ascii=False).translate(_YAML_UNSAFE)


def _float(value: float) -> str:
    """YAML 1.1 reads ``1e-05`` as a string: its floats need a dot before the exponent.

    (Kubernetes fields are integers or strings, so manifests carry no floats in
    practice; inside collections, JSON's spelling is kept.)
    """
    text = json.dumps(value, allow_nan=False)
    mantissa, e, exponent = text.partition("e")
    if e and "." not in mantissa:
        text = f"{mantissa}.0e{exponent}"
    return text


@lru_cache(maxsize=4096)
def _string(value: str) -> str:
    """Manifests repeat most strings (keys, names, labels): decide each one once."""
    if value and _PLAIN.match(value) and not _SPECIAL.match(value) and ": " not in value:
        return value
    return quote(value)


def scalar(value: Any) -> str:
    if isinstance(value, str):
        return _string(value) if len(value) < 256 else quote_or_plain(value)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    if value is None:
        return "null"
    raise TypeError(f"cannot write a {type(value).__name__} into a manifest")


def quote_or_plain(value: str) -> str:
    if _PLAIN.match(value) and not _SPECIAL.match(value) and ": " not in value:
        return value
    return quote(value)


def _block(text: str, indent: str) -> str | None:
    """``|`` literal block for multi-line text, or None when it would not round-trip."""
    if text.endswith("\n\n") or text.startswith((" ", "\n")):
        return None
    body = text[:-1] if text.endswith("\n") else text
    lines = body.split("\n")
    for line in lines:
        if line and (line[-1] in " \t" or not _BLOCK_OK.match(line[0])):
            return None
        if not line.isprintable() and not line.replace("\t", "").isprintable():
            return None
    header = "|" if text.endswith("\n") else "|-"
    return header + "".join(f"\n{indent}{line}" if line else "\n" for line in lines)


def _value(value: Any, indent: str, out: list[str]) -> None:
    """Append the text after ``key:`` or ``-`` (starting with a space or newline)."""
    kind = type(value)
    if kind is str and len(value) < 256 and "\n" not in value:  # most values: one lookup
        out.append(f" {_string(value)}\n")
    elif isinstance(value, dict):
        if not value:
            out.append(" {}\n")
        else:
            out.append("\n")
            _mapping(value, indent, out)
    elif isinstance(value, list):
        if not value:
            out.append(" []\n")
        else:
            out.append("\n")
            _sequence(value, indent, out)
    elif isinstance(value, str) and "\n" in value and (block := _block(value, indent)):
        out.append(f" {block}\n")
    else:
        out.append(f" {scalar(value)}\n")


def _mapping(mapping: dict[str, Any], indent: str, out: list[str]) -> None:
    inner = indent + "  "
    for key, value in mapping.items():
        name = _string(key) if type(key) is str else scalar(key)
        if type(value) is str and len(value) < 256 and "\n" not in value:  # inlined _value
            out.append(f"{indent}{name}: {_string(value)}\n")
        else:
            out.append(f"{indent}{name}:")
            _value(value, inner, out)


def _sequence(items: list[Any], indent: str, out: list[str]) -> None:
    for item in items:
        if isinstance(item, dict) and item:
            lead = f"{indent}- "
            inner = indent + "    "
            for key, value in item.items():
                name = _string(key) if type(key) is str else scalar(key)
                if type(value) is str and len(value) < 256 and "\n" not in value:
                    out.append(f"{lead}{name}: {_string(value)}\n")
                else:
                    out.append(f"{lead}{name}:")
                    _value(value, inner, out)
                lead = f"{indent}  "
        elif isinstance(item, list) and item:
            out.append(f"{indent}-\n")
            _sequence(item, indent + "  ", out)
        else:
            out.append(f"{indent}-")
            _value(item, indent + "  ", out)


def dump(document: dict[str, Any]) -> str:
    out: list[str] = []
    _mapping(document, "", out)
    return "".join(out)
