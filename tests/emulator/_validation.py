"""Schema validation (kubernetes-validate) plus the few semantic checks the emulator cares
about, mapped to the apiserver's 422 Invalid Status."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

import kubernetes_validate

from ._errors import ApiError, invalid
from ._resources import VALIDATED_KINDS, ResourceInfo

K8S_VERSION = "1.30.0"

_DNS1123_SUBDOMAIN = re.compile(
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
)
_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_SECRET_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")

Cause = tuple[str, str, str]


def _schema_causes(obj: dict[str, Any]) -> list[Cause]:
    try:
        kubernetes_validate.validate(obj, K8S_VERSION, strict=True)
    except Exception as exc:  # kubernetes_validate.ValidationError (a jsonschema error)
        path = getattr(exc, "path", None) or []
        field = ""
        for part in path:
            field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else part)
        message = str(getattr(exc, "message", exc)).splitlines()[0]
        reason = (
            "FieldValueNotSupported"
            if "Additional properties" in message
            else (
                "FieldValueRequired" if "is a required property" in message else "FieldValueInvalid"
            )
        )
        return [(reason, field, message)]
    return []


def _name_causes(info: ResourceInfo, name: str) -> list[Cause]:
    if info.kind == "Job" and len(name) > 63:
        return [
            (
                "FieldValueInvalid",
                "metadata.name",
                f'Invalid value: "{name}": must be no more than 63 characters',
            )
        ]
    if len(name) > 253 or not _DNS1123_SUBDOMAIN.match(name):
        return [
            (
                "FieldValueInvalid",
                "metadata.name",
                f'Invalid value: "{name}": a lowercase RFC 1123 subdomain must consist of '
                "lower case alphanumeric characters, '-' or '.', and must start and end with "
                "an alphanumeric character",
            )
        ]
    return []


def _pod_spec_causes(spec: Any, prefix: str, job: bool) -> list[Cause]:
    causes: list[Cause] = []
    if not isinstance(spec, dict):
        return [("FieldValueRequired", prefix, "Required value")]
    containers = spec.get("containers")
    if not containers:
        causes.append(("FieldValueRequired", f"{prefix}.containers", "Required value"))
    seen: set[str] = set()
    for group in ("initContainers", "containers"):
        for i, c in enumerate(spec.get(group) or []):
            if not isinstance(c, dict):
                continue
            cname = c.get("name") or ""
            field = f"{prefix}.{group}[{i}].name"
            if not cname:
                causes.append(("FieldValueRequired", field, "Required value"))
            elif not _DNS1123_LABEL.match(cname) or len(cname) > 63:
                causes.append(
                    (
                        "FieldValueInvalid",
                        field,
                        f'Invalid value: "{cname}": a lowercase RFC 1123 label must '
                        "consist of lower case alphanumeric characters or '-'",
                    )
                )
            elif cname in seen:
                causes.append(("FieldValueDuplicate", field, f'Duplicate value: "{cname}"'))
            seen.add(cname)
    if job:
        policy = spec.get("restartPolicy")
        field = f"{prefix}.restartPolicy"
        if not policy:
            causes.append(
                ("FieldValueRequired", field, 'Required value: valid values: "OnFailure", "Never"')
            )
        elif policy not in ("Never", "OnFailure"):
            causes.append(
                (
                    "FieldValueNotSupported",
                    field,
                    f'Unsupported value: "{policy}": supported values: "OnFailure", "Never"',
                )
            )
    return causes


def validate_object(info: ResourceInfo, obj: dict[str, Any], schema: bool = True) -> None:
    """Raise a 422 Invalid ApiError if ``obj`` would be rejected."""
    name = (obj.get("metadata") or {}).get("name") or ""
    causes: list[Cause] = []
    if schema and info.kind in VALIDATED_KINDS:
        causes += _schema_causes(obj)
    if not causes:
        causes += _name_causes(info, name)
    if not causes and info.kind == "Job":
        spec = obj.get("spec") or {}
        template = spec.get("template") or {}
        causes += _pod_spec_causes(template.get("spec"), "spec.template.spec", job=True)
        for fld in ("backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished"):
            val = spec.get(fld)
            if isinstance(val, int) and val < (1 if fld == "activeDeadlineSeconds" else 0):
                causes.append(
                    (
                        "FieldValueInvalid",
                        f"spec.{fld}",
                        f"Invalid value: {val}: must be greater than or equal to "
                        f"{1 if fld == 'activeDeadlineSeconds' else 0}",
                    )
                )
    if not causes and info.kind == "Pod":
        causes += _pod_spec_causes(obj.get("spec"), "spec", job=False)
    if not causes and info.kind == "Secret":
        for key, value in (obj.get("data") or {}).items():
            if not _SECRET_KEY.match(key):
                causes.append(
                    (
                        "FieldValueInvalid",
                        f"data[{key}]",
                        f'Invalid value: "{key}": a valid config key must consist of '
                        "alphanumeric characters, '-', '_' or '.'",
                    )
                )
            try:
                base64.b64decode(value or "", validate=True)
            except (binascii.Error, ValueError):
                causes.append(
                    ("FieldValueInvalid", f"data[{key}]", "Invalid value: illegal base64 data")
                )
        size = sum(len(base64.b64decode(v or "")) for v in (obj.get("data") or {}).values())
        if not causes and size > 1024 * 1024:
            causes.append(
                (
                    "FieldValueTooLong",
                    "data",
                    f"Too long: must have at most 1048576 bytes (got {size})",
                )
            )
    if causes:
        raise invalid(info, name, causes)


def check_kind(info: ResourceInfo, obj: dict[str, Any]) -> None:
    """Fill in apiVersion/kind like the apiserver's decoder; reject a mismatch."""
    api_version = obj.get("apiVersion")
    kind = obj.get("kind")
    if api_version in (None, "") and kind in (None, ""):
        obj["apiVersion"], obj["kind"] = info.api_version, info.kind
        return
    if api_version != info.api_version or kind != info.kind:
        raise ApiError(
            400,
            "BadRequest",
            f"the API version in the data ({api_version}) does not match the expected API "
            f"version ({info.api_version})"
            if api_version != info.api_version
            else f"kind {kind} does not match the expected kind {info.kind}",
        )
