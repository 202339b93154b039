"""Every Kubernetes resource kubeclip touches, once: from a :class:`Resource` the client
derives the URL, and the permission it checks against :mod:`kubeclip.cluster.permissions`
(lightkube's model): a call site names a resource and a verb, never a path.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class Resource:
    group: str  # "" for the core API group
    version: str
    plural: str
    namespaced: bool = True
    subresource: str = ""

    @property
    def rbac(self) -> str:
        """The name RBAC and kubeclip's permission table give it (``pods/log``)."""
        return f"{self.plural}/{self.subresource}" if self.subresource else self.plural

    def path(self, namespace: str | None = None, name: str = "") -> str:
        base = f"/api/{self.version}" if not self.group else f"/apis/{self.group}/{self.version}"
        if self.namespaced:
            if not namespace:
                raise ValueError(f"{self.rbac} is namespaced: a namespace is needed")
            base += f"/namespaces/{quote(namespace, safe='')}"
        path = f"{base}/{self.plural}"
        if name:
            path += f"/{quote(name, safe='')}"
        return f"{path}/{self.subresource}" if self.subresource else path


JOBS = Resource("batch", "v1", "jobs")
PODS = Resource("", "v1", "pods")
POD_LOG = Resource("", "v1", "pods", subresource="log")
SECRETS = Resource("", "v1", "secrets")
EVENTS = Resource("", "v1", "events")
NAMESPACES = Resource("", "v1", "namespaces", namespaced=False)
CLAIMS = Resource("", "v1", "persistentvolumeclaims")
ACCESS_REVIEWS = Resource("authorization.k8s.io", "v1", "selfsubjectaccessreviews",
                          namespaced=False)  # fmt: skip


def self_subject_reviews(version: str) -> Resource:
    """SelfSubjectReview moved from v1alpha1 (1.26) through v1beta1 (1.27) to v1 (1.28)."""
    return Resource("authentication.k8s.io", version, "selfsubjectreviews", namespaced=False)
