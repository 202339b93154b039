"""JSON Schema validation with messages a person can act on.

Validators are compiled once per process (the render path validates on every call).
Every message names the JSON path, what is wrong, and how to fix it. Subschemas carry an
``x-kubeclip-kind`` annotation (draft 2020-12 ignores unknown keywords) that selects a
message for pattern failures such as Kubernetes quantities or DNS names.
"""

from __future__ import annotations

import json
import os.path
import re
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from kubeclip.errors import InputError
from kubeclip.renderer._generated import agent_config as _agent_config
from kubeclip.renderer._generated import run_context as _run_context
from kubeclip.renderer.credentials import REDACTED_IN_MESSAGES, scrub, sensitive_path
from kubeclip.renderer.resources import schema_dir

if TYPE_CHECKING:  # jsonschema is imported only to explain a failure (it costs ~60 ms)
    import jsonschema
    from jsonschema.exceptions import ValidationError

SCHEMAS = ("agent-config", "run-context")

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


@cache
def load_schema(name: str) -> dict[str, Any]:
    if name not in SCHEMAS:
        raise ValueError(f"unknown schema {name!r}")
    with open(os.path.join(schema_dir(), f"{name}.schema.json"), encoding="utf-8") as fh:
        schema: dict[str, Any] = json.load(fh)
    return schema


_COMPILED: dict[str, Callable[[Any], Any]] = {
    "agent-config": _agent_config.validate,
    "run-context": _run_context.validate,
}


@cache
def validator(name: str) -> jsonschema.Draft202012Validator:
    """The explaining validator. Its ``pattern`` reads ``$`` as JSON Schema (ECMA-262) does:
    end of string only, like the compiled validator, where Python's ``$`` would also
    match before a final newline."""
    import jsonschema
    from jsonschema import validators

    def pattern(
        v: jsonschema.Draft202012Validator, patrn: str, instance: Any, schema: Any
    ) -> Iterable[ValidationError]:
        if v.is_type(instance, "string") and not re.search(_END.sub(r"\\Z", patrn), instance):
            yield jsonschema.ValidationError(f"{instance!r} does not match {patrn!r}")

    cls = validators.extend(  # type: ignore[no-untyped-call]
        jsonschema.Draft202012Validator, {"pattern": pattern}
    )
    return cls(load_schema(name))  # type: ignore[no-any-return]


_END = re.compile(r"(?<!\\)\$")


def format_path(path: Iterable[str | int]) -> str:
    """``resources.limits.memory``, ``tolerations[0].effect``, ``labels["a.b/c"]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENT.fullmatch(part):
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(part, ensure_ascii=False)}]"
    return out or "(top level)"


def validate(name: str, instance: Any, source: str) -> None:
    """Raise :class:`InputError` listing every problem, or return quietly.

    The compiled validator decides; jsonschema explains. Where they disagree (JSON Schema's
    ``$`` matches only at the very end, Python's also before a final newline), the compiled
    validator's stricter verdict stands and its own message is shown.
    """
    try:
        _COMPILED[name](instance)
        return
    except ValueError as fast_error:
        first = fast_error
    v = validator(name)
    errors = list(v.iter_errors(instance))
    if not errors:
        path = [p for p in re.split(r"[.\[\]]", getattr(first, "name", "") or "") if p][1:]
        token = _HIDE.set(sensitive_path(path))
        try:
            shown = _show(getattr(first, "value", None))
        finally:
            _HIDE.reset(token)
        detail = "" if sensitive_path(path) else f" ({scrub(str(first), ())})"
        raise InputError(source, [f"{format_path(path)}: {shown} is not allowed{detail}"])
    messages: list[str] = []
    for error in sorted(errors, key=lambda e: [str(p) for p in e.absolute_path]):
        token = _HIDE.set(sensitive_path(list(error.absolute_path)))
        try:
            described = _describe(error, v)
        finally:
            _HIDE.reset(token)
        for msg in described:
            if msg not in messages:
                messages.append(msg)
    raise InputError(source, messages)


# Set while describing a value under a credential-bearing path (authToken, env.*_TOKEN, ...):
# the message says what is wrong with it, never what it is.
_HIDE: ContextVar[bool] = ContextVar("kubeclip_hide_values", default=False)


def _show(value: Any) -> str:
    if _HIDE.get():
        return REDACTED_IN_MESSAGES
    text = scrub(json.dumps(value, ensure_ascii=False), ())
    return text if len(text) <= 80 else text[:77] + "..."


_TYPE_NAMES = {
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
    "null": "null",
}


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def _describe(error: ValidationError, v: jsonschema.Draft202012Validator) -> list[str]:
    """One message per problem of ``error``, each naming its JSON path and the fix."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        return _describe_alternatives(error, v)
    path = list(error.absolute_path)
    where = format_path(path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    kw = str(error.validator)
    instance: Any = error.instance
    if kw == "pattern" or (kw == "maxLength" and "x-kubeclip-kind" in schema):
        kind = schema.get("x-kubeclip-kind", "")
        if "propertyNames" in error.absolute_schema_path:
            return [_name_message(where, kind, instance)]
        return [f"{where}: {_pattern_message(kind, instance)}"]
    if kw in ("minProperties", "maxProperties") and "secretKeyRef" in schema.get("properties", {}):
        return [f"{where}: give exactly one of secretKeyRef or configMapKeyRef"]
    describe = _DESCRIBERS.get(kw)
    if describe is not None:
        return describe(instance, error.validator_value, path, schema)
    return [f"{where}: {error.message}"]


def _describe_alternatives(
    error: ValidationError, v: jsonschema.Draft202012Validator
) -> list[str]:
    from jsonschema.exceptions import best_match

    best = best_match([error])  # descends into the branch that fits the value's type
    if best is not None and best is not error:
        return _describe(best, v)
    wanted = [
        _TYPE_NAMES.get(str(c.validator_value), str(c.validator_value))
        for c in error.context or ()
        if c.validator == "type"
    ]
    where = format_path(list(error.absolute_path))
    if not wanted:
        return [f"{where}: {error.message}"]
    got = _TYPE_NAMES[_type_of(error.instance)]
    return [f"{where}: expected {' or '.join(wanted)}, got {got} ({_show(error.instance)})"]


def _required(instance: Any, value: Any, path: list[Any], schema: dict[str, Any]) -> list[str]:
    return [
        f"{format_path([*path, k])}: is required but missing; add it"
        + (" (e.g. model: anthropic/claude-sonnet-4-5)" if k == "model" else "")
        for k in value
        if k not in instance
    ]


def _unknown_keys(
    instance: Any, value: Any, path: list[Any], schema: dict[str, Any]
) -> list[str]:
    import difflib  # only for a message: not on the render path

    allowed = sorted(schema.get("properties", {}))
    listed = "allowed keys here: " + ", ".join(allowed)
    out = []
    for key in (k for k in instance if k not in allowed):
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        hint = f'did you mean "{close[0]}"?' if close else listed
        out.append(f"{format_path([*path, key])}: unknown key; {hint}")
    return out


def _wrong_type(instance: Any, value: Any, path: list[Any], schema: dict[str, Any]) -> list[str]:
    names = [value] if isinstance(value, str) else list(value)
    want = " or ".join(_TYPE_NAMES.get(n, n) for n in names)
    got = _TYPE_NAMES[_type_of(instance)]
    msg = f"{format_path(path)}: expected {want}, got {got} ({_show(instance)})"
    if isinstance(instance, str) and ("integer" in names or "number" in names):
        msg += "; write the number without quotes"
    if isinstance(instance, str) and "boolean" in names:
        msg += "; write true or false without quotes"
    return [msg]


def _not_in_enum(instance: Any, value: Any, path: list[Any], schema: dict[str, Any]) -> list[str]:
    allowed_values = [str(x) for x in value]
    msg = f"{format_path(path)}: {_show(instance)} is not one of {', '.join(allowed_values)}"
    if isinstance(instance, str):
        close = next((o for o in allowed_values if o.lower() == instance.lower()), None)
        if close is not None:
            msg += f'; did you mean "{close}"?'
    return [msg]


_Describer = Callable[[Any, Any, list[Any], dict[str, Any]], list[str]]
_DESCRIBERS: dict[str, _Describer] = {
    "required": _required,
    "additionalProperties": _unknown_keys,
    "type": _wrong_type,
    "enum": _not_in_enum,
    "minimum": lambda i, v, p, s: [f"{format_path(p)}: {_show(i)} is below the minimum {v}"],
    "maximum": lambda i, v, p, s: [f"{format_path(p)}: {_show(i)} is above the maximum {v}"],
    "minLength": lambda i, v, p, s: [f"{format_path(p)}: must not be empty"],
    "maxLength": lambda i, v, p, s: [f"{format_path(p)}: is longer than {v} characters"],
}


def _name_message(where: str, kind: str, name: str) -> str:
    if kind == "envName":
        return (
            f"{where}: {_show(name)} is not a valid environment variable name; use letters, "
            "digits and _, not starting with a digit (e.g. MY_VAR)"
        )
    if kind == "qualifiedName":
        return (
            f"{where}: {_show(name)} is not a valid Kubernetes key; use an optional DNS prefix "
            'and "/", then at most 63 letters, digits, "-", "_" or "." (e.g. example.com/team)'
        )
    return f"{where}: key {_show(name)} {_pattern_message(kind, name)}"


def _pattern_message(kind: str, value: Any) -> str:
    shown = _show(value)
    if kind == "quantity":
        msg = f"{shown} is not a Kubernetes quantity"
        hint = suggest_quantity(str(value))
        return msg + (f'; did you mean "{hint}"?' if hint else '; use e.g. "500m", "2" or "8Gi"')
    if kind == "model":
        return (f'{shown} must be provider/model for OpenCode, e.g. "anthropic/claude-sonnet-4-5"'
                " (another agent CLI: set runtime, e.g. runtime: claude)")
    if kind in ("dns1123Label", "dns1123Subdomain"):
        limit = 63 if kind == "dns1123Label" else 253
        msg = (
            f"{shown} is not a valid Kubernetes name; use lowercase letters, digits and '-'"
            + (" and '.'" if kind == "dns1123Subdomain" else "")
            + f", starting and ending with a letter or digit, at most {limit} characters"
        )
        fixed = re.sub(r"[^a-z0-9.-]+", "-", str(value).lower()).strip("-.")
        if kind == "dns1123Label":
            fixed = fixed.replace(".", "-")
        return msg + (f'; did you mean "{fixed[:limit]}"?' if fixed and fixed != value else "")
    if kind == "labelValue":
        return (
            f'{shown} is not a valid label value; use at most 63 letters, digits, "-", "_" or '
            '".", starting and ending with a letter or digit'
        )
    if kind == "qualifiedName":
        return f"{shown} is not a valid Kubernetes key"
    if kind == "glob":
        return f'{shown} is not a name pattern; use letters, digits, "_", "-", "." and * ? [ ]'
    if kind == "word":
        return f"{shown} must not contain whitespace"
    if kind == "absPath":
        return f"{shown} must be an absolute path (starting with /)"
    return f"{shown} does not have the expected form"


_QUANTITY = re.compile(
    r"^\+?([0-9]+(\.[0-9]*)?|\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?[0-9]+)?$"
)


def is_quantity(text: str) -> bool:
    return bool(_QUANTITY.fullmatch(text))


_SI = {"": 0, "n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}


@lru_cache(maxsize=256)  # the same few quantities come back run after run
def quantity_nanos(text: str) -> int:
    """A Kubernetes quantity in exact integer units of 10^-9 ("1500m" -> 1_500_000_000,
    "2Gi" -> 2 * 2**30 * 10**9), to compare two. Integers, not Decimal: importing decimal
    would cost every cold `kubeclip render` ~1 ms. Absurd exponents are clamped."""
    m = _QUANTITY.fullmatch(text)
    if not m:
        raise ValueError(f"not a quantity: {text!r}")
    suffix = m.group(3) or ""
    whole, _, frac = text[: len(text) - len(suffix)].lstrip("+").partition(".")
    digits, exp10 = ((whole + frac).lstrip("0") or "0"), 9 - len(frac)
    if len(digits) > 60:  # beyond any real quantity's precision
        digits, exp10 = digits[:60], exp10 + len(digits) - 60
    mantissa = int(digits)
    if len(suffix) > 1 and suffix[0] in "eE":
        exp10 += int(suffix[1:]) if len(suffix) < 8 else (10**6 if suffix[1] != "-" else -10**6)
    elif suffix.endswith("i"):
        mantissa <<= 10 * ("KMGTPE".index(suffix[0]) + 1)
    else:
        exp10 += _SI[suffix]
    exp10 = max(min(exp10, 80), -80)
    scale: int = 10 ** abs(exp10)
    return mantissa * scale if exp10 >= 0 else mantissa // scale


def suggest_quantity(text: str) -> str | None:
    """Guess the quantity meant: "8GB" -> "8Gi", "512 mb" -> "512Mi", "1.5 cores" -> "1.5"."""
    t = text.strip().replace(" ", "")
    m = re.fullmatch(r"([0-9]*\.?[0-9]+)([A-Za-z]*)", t)
    if not m:
        return None
    number, unit = m.groups()
    u = unit.lower()
    binary = {"k": "Ki", "m": "Mi", "g": "Gi", "t": "Ti", "p": "Pi", "e": "Ei"}
    if u in ("kb", "mb", "gb", "tb", "pb", "eb", "kib", "mib", "gib", "tib", "pib", "eib"):
        candidate = number + binary[u[0]]
    elif u in ("ki", "mi", "gi", "ti", "pi", "ei"):
        candidate = number + u[0].upper() + "i"
    elif u in ("cpu", "cpus", "core", "cores", "vcpu", "vcpus"):
        candidate = number
    elif u in ("millicores", "millicpu", "mcpu"):
        candidate = number + "m"
    elif u == "" or u in ("b", "bytes"):
        candidate = number
    else:
        return None
    return candidate if is_quantity(candidate) else None
