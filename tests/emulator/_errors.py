"""apiserver errors as ``kind: Status`` bodies."""

from __future__ import annotations

import math
from typing import Any

from ._resources import ResourceInfo

_REASONS: dict[int, str] = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    409: "Conflict",
    410: "Expired",
    413: "RequestEntityTooLarge",
    415: "UnsupportedMediaType",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
    504: "Timeout",
}


class ApiError(Exception):
    """An error the emulator answers with a ``Status`` body."""

    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
        self.headers = headers or {}

    def status(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
        }
        if self.details is not None:
            body["details"] = self.details
        body["code"] = self.code
        return body


def _details(info: ResourceInfo | None, name: str | None = None, **extra: Any) -> dict[str, Any]:
    d: dict[str, Any] = {}
    if name:
        d["name"] = name
    if info is not None:
        if info.group:
            d["group"] = info.group
        d["kind"] = info.plural
    d.update(extra)
    return d


def not_found(info: ResourceInfo, name: str) -> ApiError:
    return ApiError(404, "NotFound", f'{info.qualified} "{name}" not found', _details(info, name))


def namespace_not_found(namespace: str) -> ApiError:
    return ApiError(
        404,
        "NotFound",
        f'namespaces "{namespace}" not found',
        {"name": namespace, "kind": "namespaces"},
    )


def resource_not_found() -> ApiError:
    return ApiError(404, "NotFound", "the server could not find the requested resource", {})


def already_exists(info: ResourceInfo, name: str) -> ApiError:
    return ApiError(
        409, "AlreadyExists", f'{info.qualified} "{name}" already exists', _details(info, name)
    )


def conflict(info: ResourceInfo, name: str) -> ApiError:
    return ApiError(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on {info.qualified} "{name}": the object has been '
        "modified; please apply your changes to the latest version and try again",
        _details(info, name),
    )


def precondition_failed(info: ResourceInfo, name: str, message: str) -> ApiError:
    return ApiError(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on {info.qualified} "{name}": {message}',
        _details(info, name),
    )


def invalid(info: ResourceInfo, name: str, causes: list[tuple[str, str, str]]) -> ApiError:
    """causes: (reason, field, message) triples, e.g. ("FieldValueRequired", "spec.x",
    "Required value")."""
    summary = ", ".join(f"{f}: {m}" if f else m for _, f, m in causes)
    text = f'{info.qualified_kind} "{name}" is invalid: '
    text += summary if len(causes) == 1 else f"[{summary}]"
    return ApiError(
        422,
        "Invalid",
        text,
        {
            "name": name,
            **({"group": info.group} if info.group else {}),
            "kind": info.kind,
            "causes": [
                {"reason": r, "message": m, **({"field": f} if f else {})} for r, f, m in causes
            ],
        },
    )


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def method_not_allowed(info: ResourceInfo | None, verb: str) -> ApiError:
    return ApiError(
        405,
        "MethodNotAllowed",
        "the server does not allow this method on the requested resource",
        _details(info),
    )


def forbidden(
    user: str,
    verb: str,
    info: ResourceInfo,
    sub: str | None,
    namespace: str | None,
    name: str | None,
) -> ApiError:
    res = f"{info.plural}/{sub}" if sub else info.plural
    subject = f'{info.qualified} "{name}"' if name else info.qualified
    where = f' in the namespace "{namespace}"' if namespace else " at the cluster scope"
    message = (
        f'{subject} is forbidden: User "{user}" cannot {verb} resource "{res}" '
        f'in API group "{info.group}"{where}'
    )
    return ApiError(403, "Forbidden", message, _details(info, name))


def gone(requested: int, oldest: int) -> ApiError:
    return ApiError(410, "Expired", f"too old resource version: {requested} ({oldest})")


def injected(code: int, retry_after: float | None, message: str | None) -> ApiError:
    reason = _REASONS.get(code, "Unknown")
    headers: dict[str, str] = {}
    details: dict[str, Any] | None = None
    if code == 429:
        text = message or "Too many requests, please try again later."
    elif code == 500:
        text = message or "Internal error occurred: injected fault"
        details = {"causes": [{"message": text}]}
    elif code == 503:
        text = message or "the server is currently unable to handle the request"
    elif code == 504:
        text = message or "the server was unable to return a response in the time allotted"
    else:
        text = message or f"injected fault ({code})"
    if retry_after is not None:
        seconds = max(0, math.ceil(retry_after))
        headers["Retry-After"] = str(seconds)
        details = dict(details or {})
        details["retryAfterSeconds"] = seconds
    return ApiError(code, reason, text, details, headers)
