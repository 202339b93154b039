"""Facts about the Paperclip workload that an agent Job must share.

:func:`extract_pod_facts` is a pure function of one Kubernetes object (a Pod, a
Deployment, a StatefulSet, ...), so the renderer can take them from a file and the
runner from the live pod, with the same rules.
"""

from __future__ import annotations

import os
import posixpath
from typing import TYPE_CHECKING, Any, TypedDict, cast

from kubeclip.errors import InputError
from kubeclip.renderer.loader import load_documents, read_text

if TYPE_CHECKING:
    from kubeclip.renderer.kube_types import Container, EnvFromSource, EnvVar, Volume, VolumeMount

PAPERCLIP_MOUNT = "/paperclip"
SERVE_SIDECAR = "kubeclip-serve"  # the chart's sidecar container (charts/kubeclip NOTES)
_TEMPLATED_KINDS = ("Deployment", "StatefulSet", "ReplicaSet", "DaemonSet", "Job")


class ClaimMount(TypedDict):
    claimName: str
    subPath: str | None


class SecretVolume(TypedDict):
    volume: Volume
    mounts: list[VolumeMount]


class PodFacts(TypedDict):
    source: str  # e.g. "Deployment paperclip/paperclip, container paperclip"
    namespace: str | None
    container: str
    image: str | None
    imagePullSecrets: list[str]
    dnsPolicy: str | None
    dnsConfig: dict[str, Any] | None
    claim: ClaimMount
    secretVolumes: list[SecretVolume]
    env: list[EnvVar]
    envFrom: list[EnvFromSource]


def load_pod_facts(path: str | os.PathLike[str], file: dict[str, Any] | None = None) -> PodFacts:
    """Read a file holding the Paperclip workload (``kubectl get -o yaml`` output works);
    ``file``: as read elsewhere (see :func:`kubeclip.renderer.loader.read_text`)."""
    source = str(path)
    text = read_text(path, "Paperclip pod spec", file)
    docs = [d for d in load_documents(text, source) if isinstance(d, dict)]
    items: list[dict[str, Any]] = []
    for doc in docs:
        if doc.get("kind") == "List" or doc.get("kind", "").endswith("List"):
            items.extend(i for i in doc.get("items", []) if isinstance(i, dict))
        else:
            items.append(doc)
    workloads = [d for d in items if d.get("kind") in ("Pod", *_TEMPLATED_KINDS)]
    if not workloads:
        raise InputError(
            source, ["holds no Pod, Deployment or StatefulSet; pass the Paperclip workload"]
        )
    if len(workloads) > 1:
        names = ", ".join(_describe(w) for w in workloads)
        raise InputError(source, [f"holds several workloads ({names}); pass only Paperclip's"])
    return extract_pod_facts(workloads[0], source)


def _describe(obj: dict[str, Any]) -> str:
    meta = obj.get("metadata") or {}
    ns = meta.get("namespace")
    name = meta.get("name", "<unnamed>")
    return f"{obj.get('kind')} {ns + '/' if ns else ''}{name}"


def extract_pod_facts(obj: dict[str, Any], source: str = "<pod>") -> PodFacts:
    kind = obj.get("kind")
    meta = obj.get("metadata") or {}
    if kind == "Pod":
        spec = obj.get("spec") or {}
    elif kind in _TEMPLATED_KINDS:
        spec = ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}
    else:
        raise InputError(source, [f"kind {kind!r} is not a Pod, Deployment or StatefulSet"])
    containers = cast("list[Container]", spec.get("containers") or [])
    if not containers:
        raise InputError(source, [f"{_describe(obj)} has no containers"])
    # "paperclip", else the first that is not kubeclip's own serve sidecar
    ours = [c for c in containers if c.get("name") != SERVE_SIDECAR] or containers
    container = next((c for c in ours if c.get("name") == "paperclip"), ours[0])
    cname = container.get("name", "")
    where = f"{_describe(obj)}, container {cname}"
    volumes = {v.get("name"): v for v in cast("list[Volume]", spec.get("volumes") or [])}
    mounts = container.get("volumeMounts") or []

    claim = _paperclip_claim(obj, mounts, volumes, where, source)

    secret_volumes: list[SecretVolume] = []
    for name, volume in volumes.items():
        if "secret" in volume:
            own = [m for m in mounts if m.get("name") == name]
            if own:
                secret_volumes.append(SecretVolume(volume=volume, mounts=own))

    return PodFacts(
        source=where,
        namespace=meta.get("namespace"),
        container=cname,
        image=container.get("image"),
        imagePullSecrets=[s["name"] for s in spec.get("imagePullSecrets") or [] if s.get("name")],
        dnsPolicy=spec.get("dnsPolicy"),
        dnsConfig=spec.get("dnsConfig"),
        claim=claim,
        secretVolumes=secret_volumes,
        env=list(container.get("env") or []),
        envFrom=list(container.get("envFrom") or []),
    )


def _paperclip_claim(
    obj: dict[str, Any],
    mounts: list[VolumeMount],
    volumes: dict[str | None, Volume],
    where: str,
    source: str,
) -> ClaimMount:
    mount = next(
        (m for m in mounts if posixpath.normpath(m.get("mountPath", "")) == PAPERCLIP_MOUNT),
        None,
    )
    shared = (
        "kubeclip needs the shared ReadWriteMany PersistentVolumeClaim mounted at /paperclip: "
        "it is what lets any agent pod resume any session (see charts/kubeclip)"
    )
    if mount is None:
        raise InputError(source, [f"{where} has no volume mounted at {PAPERCLIP_MOUNT}; {shared}"])
    name = mount.get("name")
    if mount.get("readOnly"):
        raise InputError(source, [f"{where} mounts {PAPERCLIP_MOUNT} read-only; {shared}"])
    volume = volumes.get(name)
    if volume is None:
        for tpl in (obj.get("spec") or {}).get("volumeClaimTemplates") or []:
            if (tpl.get("metadata") or {}).get("name") == name:
                raise InputError(
                    source,
                    [
                        f"{where} mounts {PAPERCLIP_MOUNT} from the per-replica claim template "
                        f"{name!r}; Jobs cannot share a StatefulSet replica's claim; {shared}"
                    ],
                )
        raise InputError(
            source, [f"{where} mounts {PAPERCLIP_MOUNT} from undefined volume {name!r}"]
        )
    pvc = volume.get("persistentVolumeClaim")
    if not pvc or not pvc.get("claimName"):
        kinds = ", ".join(k for k in volume if k != "name") or "no source"
        raise InputError(
            source, [f"{where} mounts {PAPERCLIP_MOUNT} from volume {name!r} ({kinds}); {shared}"]
        )
    return ClaimMount(claimName=pvc["claimName"], subPath=mount.get("subPath") or None)
