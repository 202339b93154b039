"""The Kubernetes permissions kubeclip needs: one list, enforced where calls are made.

Every API call names a resource of :mod:`kubeclip.cluster.resources` and a verb
(:meth:`kubeclip.cluster.kube.Kube.get`, ``create``, ``patch``, ``delete``, ``stream``); the
client derives the path from the resource and refuses a (verb, resource) pair missing here,
so this list cannot drift from the code. The Helm
chart's Role is tested against it (no more, no less), and ``kubeclip check`` asks the
API, with SelfSubjectAccessReviews, whether each one is granted.
"""

from __future__ import annotations

from typing import NamedTuple


class Permission(NamedTuple):
    group: str  # "" for the core API group
    resource: str  # plural, with "/subresource" where it applies
    verbs: tuple[str, ...]
    why: str
    # Cluster-scoped review APIs every authenticated user may call (system:basic-user):
    # the chart need not grant them, and they are not part of its Role.
    default_granted: bool = False


PERMISSIONS: tuple[Permission, ...] = (
    Permission("batch", "jobs", ("create", "get", "delete"), "run, reattach, cancel agent Jobs"),
    Permission("", "pods", ("get", "watch"), "follow the agent pod; read Paperclip's pod"),
    Permission("", "pods/log", ("get",), "stream the agent's output"),
    Permission(
        "",
        "secrets",
        ("create", "get", "patch", "delete"),
        "the run Secret, also the per-agent lock (values wiped once the agent runs); check "
        "pull secrets",
    ),
    Permission("", "events", ("watch",), "explain a Job whose pod cannot be created"),
    Permission("", "namespaces", ("get",), "check: the Jobs' namespace exists"),
    Permission("", "persistentvolumeclaims", ("get",), "check: the /paperclip claim is RWX"),
    Permission("", "/version", ("get",), "check: the API is reachable", default_granted=True),
    Permission(
        "authorization.k8s.io",
        "selfsubjectaccessreviews",
        ("create",),
        "check: which permissions are granted",
        default_granted=True,
    ),
    Permission(
        "authentication.k8s.io",
        "selfsubjectreviews",
        ("create",),
        "check: who kubeclip runs as",
        default_granted=True,
    ),
)

_ALLOWED = {(p.group, p.resource, v) for p in PERMISSIONS for v in p.verbs}


def is_declared(group: str, resource: str, verb: str) -> bool:
    return (group, resource, verb) in _ALLOWED


def describe(group: str, resource: str) -> str:
    """``jobs.batch`` / ``pods/log``: how kubectl and RBAC messages name a resource."""
    return f"{resource}.{group}" if group else resource


def role_rules() -> list[dict[str, list[str]]]:
    """The namespaced Role rules that grant exactly what kubeclip needs."""
    return [
        {"apiGroups": [p.group], "resources": [p.resource], "verbs": list(p.verbs)}
        for p in PERMISSIONS
        if not p.default_granted
    ]
