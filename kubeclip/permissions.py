"""The Kubernetes permissions kubeclip needs: one list, enforced where calls are made.

Every API call of the runner goes through :meth:`kubeclip.kube.Kube.request`, which
refuses a (verb, resource) pair missing here, so this list cannot drift from the code.
The Helm chart's Role is tested against it (no more, no less).
"""

from __future__ import annotations

from typing import NamedTuple


class Permission(NamedTuple):
    group: str  # "" for the core API group
    resource: str  # plural, with "/subresource" where it applies
    verbs: tuple[str, ...]
    why: str


PERMISSIONS: tuple[Permission, ...] = (
    Permission("batch", "jobs", ("create", "get", "delete"), "run, reattach to, cancel agent Jobs"),
    Permission(
        "", "pods", ("get", "list", "watch"), "follow the agent pod; read Paperclip's own pod"
    ),
    Permission("", "pods/log", ("get",), "stream the agent's output"),
    Permission("", "secrets", ("create",), "the per-run Secret (prompt, run API key)"),
    Permission("", "events", ("list", "watch"), "explain a Job whose pod cannot be created"),
    Permission(
        "coordination.k8s.io",
        "leases",
        ("create", "get", "delete"),
        "one active run per agent (the per-agent lock)",
    ),
)

_ALLOWED = {(p.group, p.resource, v) for p in PERMISSIONS for v in p.verbs}


def is_declared(group: str, resource: str, verb: str) -> bool:
    return (group, resource, verb) in _ALLOWED


def describe(group: str, resource: str) -> str:
    """``jobs.batch`` / ``pods/log``: how kubectl and RBAC messages name a resource."""
    return f"{resource}.{group}" if group else resource
