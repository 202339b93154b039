"""Label selectors (equality- and set-based) and field selectors."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ._errors import ApiError, bad_request

_KEY = r"[A-Za-z0-9][-A-Za-z0-9_./]*"
_VALUE = r"(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?"
_EXISTS = re.compile(rf"^\s*(!?)\s*({_KEY})\s*$")
_EQ = re.compile(rf"^\s*({_KEY})\s*(==|=|!=)\s*({_VALUE})\s*$")
_SET = re.compile(rf"^\s*({_KEY})\s+(in|notin)\s*\(([^()]*)\)\s*$")
_CMP = re.compile(rf"^\s*({_KEY})\s*(<|>)\s*(-?[0-9]+)\s*$")


@dataclass(frozen=True)
class Requirement:
    key: str
    op: str  # exists, !exists, =, !=, in, notin, <, >
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        present = self.key in labels
        value = labels.get(self.key)
        if self.op == "exists":
            return present
        if self.op == "!exists":
            return not present
        if self.op in ("=", "in"):
            return present and value in self.values
        if self.op in ("!=", "notin"):
            return not present or value not in self.values
        if self.op in ("<", ">"):
            try:
                num = int(value or "")
            except ValueError:
                return False
            bound = int(self.values[0])
            return num < bound if self.op == "<" else num > bound
        raise AssertionError(self.op)


def _split_top_level(text: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    cur = ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return parts


def parse_label_selector(text: str | None) -> list[Requirement]:
    if text is None or not text.strip():
        return []
    reqs: list[Requirement] = []
    for raw in _split_top_level(text):
        if m := _SET.match(raw):
            values = tuple(v.strip() for v in m.group(3).split(",") if v.strip())
            if not values:
                raise bad_request(
                    f"unable to parse requirement: {raw.strip()!r}: "
                    "for 'in', 'notin' operators, values set can't be empty"
                )
            reqs.append(Requirement(m.group(1), m.group(2), values))
        elif m := _EQ.match(raw):
            op = "!=" if m.group(2) == "!=" else "="
            reqs.append(Requirement(m.group(1), op, (m.group(3),)))
        elif m := _CMP.match(raw):
            reqs.append(Requirement(m.group(1), m.group(2), (m.group(3),)))
        elif m := _EXISTS.match(raw):
            reqs.append(Requirement(m.group(2), "!exists" if m.group(1) else "exists"))
        else:
            raise bad_request(
                f"unable to parse requirement: found '{raw.strip()}', expected: identifier"
            )
    return reqs


def labels_match(reqs: list[Requirement], obj: Mapping[str, Any]) -> bool:
    labels = (obj.get("metadata") or {}).get("labels") or {}
    return all(r.matches(labels) for r in reqs)


# Field selectors -------------------------------------------------------------------------

_COMMON_FIELDS = frozenset({"metadata.name", "metadata.namespace"})
_FIELDS: dict[str, frozenset[str]] = {
    "pods": frozenset(
        {
            "status.phase",
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "status.podIP",
            "status.nominatedNodeName",
            "spec.hostNetwork",
        }
    ),
    "events": frozenset(
        {
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
        }
    ),
    "secrets": frozenset({"type"}),
    "namespaces": frozenset({"status.phase"}),
    "jobs": frozenset({"status.successful"}),
}

_FIELD_REQ = re.compile(r"^\s*([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*?)\s*$")


@dataclass(frozen=True)
class FieldRequirement:
    field: str
    negate: bool
    value: str


def parse_field_selector(text: str | None, plural: str) -> list[FieldRequirement]:
    if text is None or not text.strip():
        return []
    out: list[FieldRequirement] = []
    allowed = _COMMON_FIELDS | _FIELDS.get(plural, frozenset())
    for raw in text.split(","):
        m = _FIELD_REQ.match(raw)
        if not m:
            raise bad_request(f"invalid selector: '{text}'; can't understand '{raw}'")
        field = m.group(1)
        if field not in allowed:
            raise ApiError(
                400,
                "BadRequest",
                f'"{field}" is not a known field selector: only "'
                + '", "'.join(sorted(allowed))
                + '"',
            )
        out.append(FieldRequirement(field, m.group(2) == "!=", m.group(3)))
    return out


def _field_value(obj: Mapping[str, Any], field: str) -> str:
    if field == "source":
        value: Any = (obj.get("source") or {}).get("component")
    elif field == "status.successful":
        value = (obj.get("status") or {}).get("succeeded")
    else:
        value = obj
        for part in field.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def fields_match(reqs: list[FieldRequirement], obj: Mapping[str, Any]) -> bool:
    for r in reqs:
        equal = _field_value(obj, r.field) == r.value
        if equal == r.negate:
            return False
    return True


def make_filter(
    label_selector: str | None, field_selector: str | None, plural: str
) -> Callable[[Mapping[str, Any]], bool]:
    labels = parse_label_selector(label_selector)
    fields = parse_field_selector(field_selector, plural)

    def check(obj: Mapping[str, Any]) -> bool:
        return labels_match(labels, obj) and fields_match(fields, obj)

    return check
