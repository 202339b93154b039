"""TypedDicts for the raw Kubernetes bodies kubeclip reads and writes (kopf style).

Only the fields kubeclip touches are typed; everything is ``total=False`` because the
API omits empty fields.
"""

from __future__ import annotations

from typing import Any, TypedDict


class KeySelector(TypedDict, total=False):
    name: str
    key: str
    optional: bool


class EnvVarSource(TypedDict, total=False):
    secretKeyRef: KeySelector
    configMapKeyRef: KeySelector
    fieldRef: dict[str, Any]
    resourceFieldRef: dict[str, Any]


class EnvVar(TypedDict, total=False):
    name: str
    value: str
    valueFrom: EnvVarSource


class EnvFromSource(TypedDict, total=False):
    prefix: str
    secretRef: dict[str, Any]
    configMapRef: dict[str, Any]


class VolumeMount(TypedDict, total=False):
    name: str
    mountPath: str
    subPath: str
    readOnly: bool


class KeyToPath(TypedDict, total=False):
    key: str
    path: str
    mode: int


class Volume(TypedDict, total=False):
    name: str
    persistentVolumeClaim: dict[str, Any]
    secret: dict[str, Any]
    emptyDir: dict[str, Any]


class Toleration(TypedDict, total=False):
    key: str
    operator: str
    value: str
    effect: str
    tolerationSeconds: int


class Container(TypedDict, total=False):
    name: str
    image: str
    env: list[EnvVar]
    envFrom: list[EnvFromSource]
    volumeMounts: list[VolumeMount]


class ObjectMeta(TypedDict, total=False):
    name: str
    namespace: str
    labels: dict[str, str]
    annotations: dict[str, str]
    uid: str


class Manifest(TypedDict, total=False):
    """Any Kubernetes object as rendered: apiVersion, kind, metadata and the rest."""

    apiVersion: str
    kind: str
    metadata: ObjectMeta
    spec: dict[str, Any]
    stringData: dict[str, str]
    data: dict[str, str]
    type: str
