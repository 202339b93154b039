"""The API resources the emulator serves, and discovery documents for them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ResourceInfo:
    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    verbs: tuple[str, ...]
    subresources: tuple[str, ...] = ()
    short_names: tuple[str, ...] = field(default=())

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def qualified(self) -> str:
        """How the apiserver names the resource in messages: ``jobs.batch``, ``pods``."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def qualified_kind(self) -> str:
        """How Invalid errors name the kind: ``Job.batch``, ``Pod``."""
        return f"{self.kind}.{self.group}" if self.group else self.kind


_RW = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")

RESOURCES: tuple[ResourceInfo, ...] = (
    ResourceInfo("", "v1", "namespaces", "Namespace", False, _RW, ("status",), ("ns",)),
    ResourceInfo("", "v1", "pods", "Pod", True, _RW, ("log", "status"), ("po",)),
    ResourceInfo("", "v1", "secrets", "Secret", True, _RW),
    ResourceInfo("", "v1", "configmaps", "ConfigMap", True, _RW, (), ("cm",)),
    ResourceInfo(
        "",
        "v1",
        "persistentvolumeclaims",
        "PersistentVolumeClaim",
        True,
        _RW,
        ("status",),
        ("pvc",),
    ),
    ResourceInfo("", "v1", "events", "Event", True, _RW, (), ("ev",)),
    ResourceInfo("", "v1", "serviceaccounts", "ServiceAccount", True, _RW, (), ("sa",)),
    ResourceInfo("batch", "v1", "jobs", "Job", True, _RW, ("status",)),
    ResourceInfo("coordination.k8s.io", "v1", "leases", "Lease", True, _RW),
    ResourceInfo(
        "authorization.k8s.io",
        "v1",
        "selfsubjectaccessreviews",
        "SelfSubjectAccessReview",
        False,
        ("create",),
    ),
    ResourceInfo(
        "authentication.k8s.io",
        "v1",
        "selfsubjectreviews",
        "SelfSubjectReview",
        False,
        ("create",),
    ),
)

BY_GV_PLURAL: dict[tuple[str, str, str], ResourceInfo] = {
    (r.group, r.version, r.plural): r for r in RESOURCES
}
BY_PLURAL: dict[str, ResourceInfo] = {r.plural: r for r in RESOURCES}
BY_KIND: dict[tuple[str, str], ResourceInfo] = {(r.api_version, r.kind): r for r in RESOURCES}

# Resources for which every write is validated against the OpenAPI schema.
VALIDATED_KINDS = frozenset({"Job", "Pod", "Secret", "Lease", "ConfigMap"})


def resource_for(name: str) -> ResourceInfo:
    """Look a resource up by plural (``jobs``), qualified (``jobs.batch``) or kind (``Job``)."""
    plural = name.split(".", 1)[0].split("/", 1)[0]
    if plural in BY_PLURAL:
        return BY_PLURAL[plural]
    for info in RESOURCES:
        if info.kind.lower() == plural.lower():
            return info
    raise KeyError(f"the emulator does not serve resource {name!r}")


def groups() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for r in RESOURCES:
        if r.group:
            versions = out.setdefault(r.group, [])
            if r.version not in versions:
                versions.append(r.version)
    return out


def api_versions() -> dict[str, Any]:
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [
            {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}
        ],
    }


def api_group_list() -> dict[str, Any]:
    items = []
    for group, versions in groups().items():
        gvs = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
        items.append({"name": group, "versions": gvs, "preferredVersion": gvs[0]})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": items}


def api_group(group: str) -> dict[str, Any] | None:
    versions = groups().get(group)
    if versions is None:
        return None
    gvs = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
    return {
        "kind": "APIGroup",
        "apiVersion": "v1",
        "name": group,
        "versions": gvs,
        "preferredVersion": gvs[0],
    }


def api_resource_list(group: str, version: str) -> dict[str, Any] | None:
    resources: list[dict[str, Any]] = []
    for r in RESOURCES:
        if r.group != group or r.version != version:
            continue
        entry: dict[str, Any] = {
            "name": r.plural,
            "singularName": r.kind.lower(),
            "namespaced": r.namespaced,
            "kind": r.kind,
            "verbs": list(r.verbs),
        }
        if r.short_names:
            entry["shortNames"] = list(r.short_names)
        resources.append(entry)
        for sub in r.subresources:
            sub_verbs = ["get"] if sub == "log" else ["get", "patch", "update"]
            resources.append(
                {
                    "name": f"{r.plural}/{sub}",
                    "singularName": "",
                    "namespaced": r.namespaced,
                    "kind": r.kind,
                    "verbs": sub_verbs,
                }
            )
    if not resources:
        return None
    gv = f"{group}/{version}" if group else version
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": gv,
        "resources": resources,
    }


VERSION_INFO: dict[str, str] = {
    "major": "1",
    "minor": "30",
    "gitVersion": "v1.30.0-kubeclip-emulator",
    "gitCommit": "0000000000000000000000000000000000000000",
    "gitTreeState": "clean",
    "buildDate": "2024-04-17T00:00:00Z",
    "goVersion": "go1.22.2",
    "compiler": "gc",
    "platform": "linux/amd64",
}
