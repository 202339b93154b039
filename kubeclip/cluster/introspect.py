"""Live self-introspection: when kubeclip runs inside the Paperclip pod, it reads its own
Pod and derives the same facts the renderer takes from a file (a pure function of it).

Cached per process, keyed by API server + pod, so a long-lived caller asks once.
"""

from __future__ import annotations

import os

from kubeclip.cluster.kube import SA_DIR, Connection, Kube, NotFound
from kubeclip.cluster.resources import PODS
from kubeclip.errors import InputError
from kubeclip.renderer.podfacts import PodFacts, extract_pod_facts

_CACHE: dict[tuple[str, str, str], PodFacts] = {}


def self_pod_ref(explicit: str | None, connection: Connection) -> tuple[str, str]:
    """``[NAMESPACE/]NAME`` from a flag, else $KUBECLIP_POD_NAME or $HOSTNAME (in a pod,
    the pod's name) and the service account's namespace."""
    ref = explicit or os.environ.get("KUBECLIP_POD_NAME")
    namespace = connection.namespace
    if not ref and connection.in_cluster:
        ref = os.environ.get("HOSTNAME")
        ns_file = SA_DIR / "namespace"
        if ns_file.exists():
            namespace = ns_file.read_text().strip()
    if not ref:
        raise InputError(
            "--pod",
            [
                "no Paperclip pod to introspect: pass --pod FILE (e.g. kubectl get deploy "
                "paperclip -o yaml > paperclip.yaml) or --from-pod [NAMESPACE/]NAME"
            ],
        )
    if "/" in ref:
        namespace, ref = ref.split("/", 1)
    return namespace, ref


def live_pod_facts(kube: Kube, connection: Connection, namespace: str, name: str) -> PodFacts:
    key = (connection.server, namespace, name)
    if key not in _CACHE:
        try:
            pod = kube.get(PODS, name, namespace)
        except NotFound:
            raise InputError(
                "--from-pod", [f"pod {namespace}/{name} not found; is this the Paperclip pod?"]
            ) from None
        _CACHE[key] = extract_pod_facts(pod, f"pod {namespace}/{name}")
    return _CACHE[key]
