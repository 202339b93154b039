"""The emulator's state: objects, resourceVersions, watch history, logs, and the apiserver
semantics of create/get/list/update/patch/delete. Every method expects ``self.lock`` to be
held by the caller (it is re-entrant)."""

from __future__ import annotations

import base64
import bisect
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from . import _errors as err
from ._resources import BY_KIND, BY_PLURAL, ResourceInfo
from ._util import (
    JsonObj,
    deep,
    merge_patch,
    new_uid,
    random_suffix,
    rfc3339,
    rfc3339_micro,
)
from ._validation import check_kind, validate_object

Key = tuple[str, str, str]  # (plural, namespace or "", name)

STATUS_SUBRESOURCE = frozenset({"jobs", "pods", "namespaces", "persistentvolumeclaims"})
TERMINAL_PHASES = frozenset({"Succeeded", "Failed"})
JOB_TRACKING_LABELS = (
    "batch.kubernetes.io/controller-uid",
    "batch.kubernetes.io/job-name",
    "controller-uid",
    "job-name",
)
JOB_DELETE_WARNING = (
    '299 - "child pods are preserved by default when jobs are deleted; set '
    "propagationPolicy=Background to remove them or set propagationPolicy=Orphan to "
    'suppress this warning"'
)


@dataclass(frozen=True)
class WatchEvent:
    rv: int
    plural: str
    namespace: str
    type: str  # ADDED | MODIFIED | DELETED
    obj: JsonObj  # never mutated once stored
    prev: JsonObj | None


@dataclass(frozen=True)
class LogLine:
    ts_ns: int
    data: bytes  # without the trailing newline


@dataclass
class Response:
    """What an API operation answers: a body, a status code, and extra headers."""

    body: JsonObj
    code: int = 200
    headers: dict[str, str] = field(default_factory=dict)


def meta(obj: JsonObj) -> JsonObj:
    m = obj.setdefault("metadata", {})
    if not isinstance(m, dict):
        raise err.bad_request("metadata must be an object")
    return m


def key_of(info: ResourceInfo, obj: JsonObj) -> Key:
    m = obj["metadata"]
    return (info.plural, m.get("namespace", "") if info.namespaced else "", m["name"])


def _strip_for_compare(obj: JsonObj) -> JsonObj:
    out = deep(obj)
    out.get("metadata", {}).pop("resourceVersion", None)
    return out


def _spec_part(obj: JsonObj) -> JsonObj:
    return {k: v for k, v in obj.items() if k not in ("metadata", "status", "kind", "apiVersion")}


class Cluster:
    def __init__(self, *, user: str, validate: bool, history_limit: int = 200_000) -> None:
        self.lock = threading.RLock()
        self.cond = threading.Condition(self.lock)
        self.user = user
        self.validate = validate
        self.objects: dict[Key, JsonObj] = {}
        self.by_uid: dict[str, Key] = {}
        self.rv = 0
        self.history: list[WatchEvent] = []
        self.history_limit = history_limit
        self.floor = 0  # the oldest resourceVersion a watch may start from
        self.logs: dict[str, dict[str, list[LogLine]]] = {}  # pod uid -> container -> lines
        self.stopping = False
        self.dirty = True
        self.watch_generation = 0
        self.abrupt_drop = False
        self.deleting_since: dict[str, float] = {}  # uid -> monotonic time of deletion request
        self.job_default_propagation = "Orphan"
        # Hooks set by the controllers (called with the lock held).
        self.listeners: list[Callable[[WatchEvent], None]] = []
        self.on_pod_created: Callable[[JsonObj], None] | None = None
        self.on_pod_deleting: Callable[[str, int], bool] | None = None

    # -- storage primitives -----------------------------------------------------------------

    def _store(self, info: ResourceInfo, obj: JsonObj, etype: str) -> JsonObj:
        self.rv += 1
        m = obj["metadata"]
        m["resourceVersion"] = str(self.rv)
        key = key_of(info, obj)
        prev = self.objects.get(key)
        if etype == "DELETED":
            self.objects.pop(key, None)
            self.by_uid.pop(m.get("uid", ""), None)
            self.deleting_since.pop(m.get("uid", ""), None)
            if info.plural == "pods":
                self.logs.pop(m.get("uid", ""), None)
        else:
            self.objects[key] = obj
            self.by_uid[m["uid"]] = key
        event = WatchEvent(self.rv, info.plural, key[1], etype, obj, prev)
        self.history.append(event)
        if len(self.history) > self.history_limit:
            drop = len(self.history) - self.history_limit // 2
            self.floor = self.history[drop - 1].rv
            del self.history[:drop]
        for listener in self.listeners:
            listener(event)
        self.touch()
        return obj

    def touch(self) -> None:
        self.dirty = True
        self.cond.notify_all()

    def events_after(self, rv: int) -> list[WatchEvent]:
        idx = bisect.bisect_right(self.history, rv, key=lambda e: e.rv)
        return self.history[idx:]

    def expire_history(self) -> None:
        self.history.clear()
        self.floor = self.rv

    def find(self, info: ResourceInfo, namespace: str | None, name: str) -> JsonObj | None:
        return self.objects.get((info.plural, namespace or "" if info.namespaced else "", name))

    def by_uid_obj(self, uid: str) -> tuple[ResourceInfo, JsonObj] | None:
        key = self.by_uid.get(uid)
        if key is None:
            return None
        return BY_PLURAL[key[0]], self.objects[key]

    def iter_objects(self, plural: str, namespace: str | None = None) -> Iterable[JsonObj]:
        for (p, ns, _), obj in list(self.objects.items()):
            if p == plural and (namespace is None or ns == namespace):
                yield obj

    def namespace_exists(self, namespace: str) -> bool:
        return ("namespaces", "", namespace) in self.objects

    # -- reads ------------------------------------------------------------------------------

    def get(self, info: ResourceInfo, namespace: str | None, name: str) -> JsonObj:
        obj = self.find(info, namespace, name)
        if obj is None:
            raise err.not_found(info, name)
        return deep(obj)

    def list_objects(
        self, info: ResourceInfo, namespace: str | None, match: Callable[[JsonObj], bool]
    ) -> JsonObj:
        """All matching objects (kubeclip never pages a list)."""
        items = sorted(
            (o for o in self.iter_objects(info.plural, namespace) if match(o)),
            key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]),
        )
        list_meta: JsonObj = {"resourceVersion": str(self.rv)}
        out_items = []
        for o in items:
            item = deep(o)
            item.pop("kind", None)
            item.pop("apiVersion", None)
            out_items.append(item)
        return {
            "kind": f"{info.kind}List",
            "apiVersion": info.api_version,
            "metadata": list_meta,
            "items": out_items,
        }

    # -- create -----------------------------------------------------------------------------

    def create(
        self,
        info: ResourceInfo,
        namespace: str | None,
        body: Any,
        *,
        seed: bool = False,
    ) -> JsonObj:
        if not isinstance(body, dict):
            raise err.bad_request("the body of the request must be a JSON object")
        obj: JsonObj = deep(body)
        check_kind(info, obj)
        m = meta(obj)
        if info.namespaced:
            ns = namespace or m.get("namespace") or ""
            if namespace and m.get("namespace") not in (None, "", namespace):
                raise err.bad_request(
                    "the namespace of the provided object does not match "
                    "the namespace sent on the request"
                )
            if not ns:
                raise err.bad_request("a namespace is required")
            m["namespace"] = ns
            if not self.namespace_exists(ns) and not (seed and info.plural == "namespaces"):
                raise err.namespace_not_found(ns)
        else:
            m.pop("namespace", None)
        if not m.get("name"):
            if m.get("generateName"):
                m["name"] = m["generateName"] + random_suffix()
            else:
                raise err.invalid(
                    info,
                    "",
                    [
                        (
                            "FieldValueRequired",
                            "metadata.name",
                            "Required value: name or generateName is required",
                        )
                    ],
                )
        name = m["name"]
        if key_of(info, obj) in self.objects:
            raise err.already_exists(info, name)
        if not seed or not m.get("uid"):
            m["uid"] = new_uid()
        if not seed or not m.get("creationTimestamp"):
            m["creationTimestamp"] = rfc3339()
        m.setdefault("generation", 1)
        if not seed:
            for k in (
                "resourceVersion",
                "deletionTimestamp",
                "deletionGracePeriodSeconds",
                "selfLink",
                "managedFields",
            ):
                m.pop(k, None)
            m["generation"] = 1
            self._prepare_create(info, obj)
            if self.validate:
                validate_object(info, obj)
        self._store(info, obj, "ADDED")
        if info.plural == "pods" and not seed and self.on_pod_created is not None:
            self.on_pod_created(obj)
        return deep(obj)

    def _prepare_create(self, info: ResourceInfo, obj: JsonObj) -> None:
        if info.kind == "Secret":
            _fold_string_data(obj)
            obj.setdefault("type", "Opaque")
        elif info.kind == "Job":
            _default_job(obj)
        elif info.kind == "Pod":
            _default_pod_spec(obj.setdefault("spec", {}))
            obj["status"] = {"phase": "Pending", "qosClass": _qos_class(obj["spec"])}
        elif info.kind == "Namespace":
            obj["status"] = {"phase": "Active"}
            obj.setdefault("spec", {"finalizers": ["kubernetes"]})
            meta(obj).setdefault("labels", {})["kubernetes.io/metadata.name"] = obj["metadata"][
                "name"
            ]
        elif info.kind == "PersistentVolumeClaim":
            spec = obj.get("spec") or {}
            obj["status"] = {
                "phase": "Bound",
                "accessModes": spec.get("accessModes", ["ReadWriteOnce"]),
                "capacity": (spec.get("resources") or {}).get("requests", {}),
            }

    # -- replace (the controllers' writes) -----------------------------------------------

    def replace(self, info: ResourceInfo, cur: JsonObj, new: JsonObj) -> JsonObj:
        """Store ``new`` over ``cur`` (a test seeding an object again, or a client's patch:
        kubeclip only wipes a run Secret's values; the server refuses PUT)."""
        result = deep(new)
        m = meta(result)
        cm = cur["metadata"]
        for k in ("uid", "creationTimestamp", "deletionTimestamp", "namespace", "name"):
            if k in cm:
                m[k] = cm[k]
            else:
                m.pop(k, None)
        if info.kind == "Secret":
            _fold_string_data(result)
        m["generation"] = int(cm.get("generation", 1)) + (_spec_part(result) != _spec_part(cur))
        m["resourceVersion"] = cm["resourceVersion"]
        if _strip_for_compare(result) == _strip_for_compare(cur):
            return deep(cur)  # a no-op write does not bump the resourceVersion
        if self._released(info, m):
            self._store(info, result, "DELETED")
            return deep(result)
        self._store(info, result, "MODIFIED")
        return deep(result)

    def patch(self, info: ResourceInfo, ns: str | None, name: str, patch: Any) -> JsonObj:
        """A client's JSON merge patch, applied as the apiserver does: another uid in the
        patch's metadata is an invalid change of an immutable field (422, as a real
        apiserver answers), another resourceVersion a conflict (409)."""
        cur = self.find(info, ns, name)
        if cur is None:
            raise err.not_found(info, name)
        if not isinstance(patch, dict):
            raise err.bad_request("the patch must be a JSON object")
        m, cm = patch.get("metadata") or {}, cur["metadata"]
        if m.get("uid") and m["uid"] != cm["uid"]:
            raise err.invalid(info, name, [
                ("FieldValueInvalid", "metadata.uid",
                 f'Invalid value: "{m["uid"]}": field is immutable')])  # fmt: skip
        if m.get("resourceVersion") and m["resourceVersion"] != cm["resourceVersion"]:
            raise err.conflict(info, name)
        return self.replace(info, cur, merge_patch(deep(cur), patch))

    def _released(self, info: ResourceInfo, m: JsonObj) -> bool:
        """Whether an object being deleted has lost its last finalizer and must go now.
        Pods the kubelet is still killing go when the kubelet says so."""
        if not m.get("deletionTimestamp") or m.get("finalizers"):
            return False
        return not (info.plural == "pods" and m.get("uid") in self.deleting_since)

    def modify(self, uid: str, mutate: Callable[[JsonObj], None]) -> JsonObj | None:
        """Internal (controller) write by uid; returns the stored object or None if gone."""
        found = self.by_uid_obj(uid)
        if found is None:
            return None
        info, cur = found
        new = deep(cur)
        mutate(new)
        if _strip_for_compare(new) == _strip_for_compare(cur):
            return cur
        if self._released(info, new["metadata"]):
            return self._store(info, new, "DELETED")
        return self._store(info, new, "MODIFIED")

    def modify_existing(self, uid: str, mutate: Callable[[JsonObj], None]) -> JsonObj:
        obj = self.modify(uid, mutate)
        if obj is None:
            raise err.ApiError(500, "InternalError", f"object {uid} vanished")
        return deep(obj)

    # -- delete -----------------------------------------------------------------------------

    def delete(
        self,
        info: ResourceInfo,
        namespace: str | None,
        name: str,
        options: JsonObj,
    ) -> Response:
        cur = self.find(info, namespace, name)
        if cur is None:
            raise err.not_found(info, name)
        cm = cur["metadata"]
        pre = options.get("preconditions") or {}
        if pre.get("uid") and pre["uid"] != cm["uid"]:
            raise err.precondition_failed(
                info,
                name,
                f"Precondition failed: UID in precondition: {pre['uid']}, "
                f"UID in object meta: {cm['uid']}",
            )
        if pre.get("resourceVersion") and pre["resourceVersion"] != cm["resourceVersion"]:
            raise err.precondition_failed(
                info,
                name,
                "Precondition failed: ResourceVersion in precondition: "
                f"{pre['resourceVersion']}, ResourceVersion in object meta: "
                f"{cm['resourceVersion']}",
            )
        headers: dict[str, str] = {}
        policy = options.get("propagationPolicy")
        if policy is None and options.get("orphanDependents") is not None:
            policy = "Orphan" if options["orphanDependents"] else "Background"
        if policy is None:
            policy = self.job_default_propagation if info.kind == "Job" else "Background"
            if info.kind == "Job" and policy == "Orphan":
                headers["Warning"] = JOB_DELETE_WARNING
        if policy not in ("Orphan", "Background", "Foreground"):
            raise err.invalid(
                info,
                name,
                [
                    (
                        "FieldValueNotSupported",
                        "propagationPolicy",
                        f'Unsupported value: "{policy}": supported values: "Foreground", '
                        '"Background", "Orphan", "nil"',
                    )
                ],
            )
        grace = options.get("gracePeriodSeconds")
        if info.plural == "pods":
            return Response(self.delete_pod(cur, grace), 200, headers)
        if cm.get("deletionTimestamp"):
            return Response(deep(cur), 200, headers)  # already being deleted
        finalizers = list(cm.get("finalizers") or [])
        if policy == "Foreground" and "foregroundDeletion" not in finalizers:
            finalizers.append("foregroundDeletion")
        if policy == "Orphan" and "orphan" not in finalizers and self._has_dependents(cm["uid"]):
            finalizers.append("orphan")
        if finalizers:

            def mark(o: JsonObj) -> None:
                o["metadata"]["deletionTimestamp"] = rfc3339()
                o["metadata"]["deletionGracePeriodSeconds"] = 0
                o["metadata"]["finalizers"] = finalizers

            self.deleting_since[cm["uid"]] = time.monotonic()
            return Response(self.modify_existing(cm["uid"], mark), 200, headers)
        self.remove(info, cur)
        status = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Success",
            "details": {
                "name": name,
                **({"group": info.group} if info.group else {}),
                "kind": info.plural,
                "uid": cm["uid"],
            },
        }
        return Response(status, 200, headers)

    def delete_pod(self, pod: JsonObj, grace: int | None, exit_code: int = 143) -> JsonObj:
        """Graceful pod deletion: a pod the kubelet is running gets a deletionTimestamp and
        is killed; anything else goes at once."""
        pm = pod["metadata"]
        uid = pm["uid"]
        if grace is None:
            grace = int((pod.get("spec") or {}).get("terminationGracePeriodSeconds", 30))
        running = (
            grace != 0 and self.on_pod_deleting is not None and self.on_pod_deleting(uid, exit_code)
        )
        if running:
            if pm.get("deletionTimestamp"):
                return deep(pod)

            def mark(o: JsonObj) -> None:
                o["metadata"]["deletionTimestamp"] = rfc3339(time.time_ns() + grace * 10**9)
                o["metadata"]["deletionGracePeriodSeconds"] = grace

            self.deleting_since[uid] = time.monotonic()
            return self.modify_existing(uid, mark)
        if pm.get("finalizers"):

            def mark_final(o: JsonObj) -> None:
                o["metadata"].setdefault("deletionTimestamp", rfc3339())
                o["metadata"].setdefault("deletionGracePeriodSeconds", 0)

            return self.modify_existing(uid, mark_final)
        final = deep(pod)
        final["metadata"].setdefault("deletionTimestamp", rfc3339())
        final["metadata"].setdefault("deletionGracePeriodSeconds", 0)
        self._store(BY_PLURAL["pods"], final, "DELETED")
        return deep(final)

    def remove(self, info: ResourceInfo, obj: JsonObj) -> None:
        if self.find(info, obj["metadata"].get("namespace"), obj["metadata"]["name"]) is None:
            return
        self._store(info, deep(obj), "DELETED")

    def _has_dependents(self, uid: str) -> bool:
        return any(uid in owner_uids(o) for o in self.objects.values())

    def dependents(self, uid: str) -> list[tuple[ResourceInfo, JsonObj]]:
        out = []
        for (plural, _, _), o in list(self.objects.items()):
            if uid in owner_uids(o):
                out.append((BY_PLURAL[plural], o))
        return out

    # -- events -----------------------------------------------------------------------------

    def record_event(
        self,
        involved: JsonObj,
        etype: str,
        reason: str,
        message: str,
        component: str,
        host: str | None = None,
    ) -> None:
        im = involved["metadata"]
        ns = im.get("namespace") or "default"
        if not self.namespace_exists(ns):
            return
        for ev in self.iter_objects("events", ns):
            io = ev.get("involvedObject") or {}
            if (
                io.get("uid") == im.get("uid")
                and ev.get("reason") == reason
                and ev.get("message") == message
            ):

                def bump(o: JsonObj) -> None:
                    o["count"] = int(o.get("count", 1)) + 1
                    o["lastTimestamp"] = rfc3339()

                self.modify(ev["metadata"]["uid"], bump)
                return
        now = rfc3339()
        source: JsonObj = {"component": component}
        if host:
            source["host"] = host
        event: JsonObj = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {
                "name": f"{im['name']}.{time.time_ns():x}",
                "namespace": ns,
            },
            "involvedObject": {
                "kind": involved.get("kind"),
                "namespace": ns,
                "name": im["name"],
                "uid": im.get("uid"),
                "apiVersion": involved.get("apiVersion"),
                "resourceVersion": im.get("resourceVersion"),
            },
            "reason": reason,
            "message": message,
            "source": source,
            "firstTimestamp": now,
            "lastTimestamp": now,
            "count": 1,
            "type": etype,
            "eventTime": None,
            "reportingComponent": component,
            "reportingInstance": host or "",
        }
        if event["metadata"]["name"] in {
            o["metadata"]["name"] for o in self.iter_objects("events", ns)
        }:
            event["metadata"]["name"] += random_suffix()
        event["metadata"]["uid"] = new_uid()
        event["metadata"]["creationTimestamp"] = now
        event["metadata"]["generation"] = 1
        self._store(BY_PLURAL["events"], event, "ADDED")

    # -- logs -------------------------------------------------------------------------------

    def append_log(self, pod_uid: str, container: str, data: bytes) -> None:
        lines = self.logs.setdefault(pod_uid, {}).setdefault(container, [])
        lines.append(LogLine(time.time_ns(), data))
        self.cond.notify_all()


def owner_uids(obj: JsonObj) -> list[str]:
    return [r.get("uid", "") for r in (obj.get("metadata") or {}).get("ownerReferences") or []]


def info_for_object(obj: JsonObj) -> ResourceInfo:
    key = (obj.get("apiVersion", ""), obj.get("kind", ""))
    if key not in BY_KIND:
        raise KeyError(f"the emulator does not serve {key[0]} {key[1]}")
    return BY_KIND[key]


def _fold_string_data(obj: JsonObj) -> None:
    string_data = obj.pop("stringData", None)
    if string_data:
        data = obj.setdefault("data", {}) or {}
        obj["data"] = data
        for k, v in string_data.items():
            data[k] = base64.b64encode(str(v).encode("utf-8")).decode("ascii")


def _image_pull_policy(image: str) -> str:
    last = image.rsplit("/", 1)[-1]
    if "@" in last:
        return "IfNotPresent"
    if ":" not in last or last.endswith(":latest"):
        return "Always"
    return "IfNotPresent"


def _default_pod_spec(spec: JsonObj) -> None:
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("securityContext", {})
    for group in ("initContainers", "containers"):
        for c in spec.get(group) or []:
            if not isinstance(c, dict):
                continue
            c.setdefault("terminationMessagePath", "/dev/termination-log")
            c.setdefault("terminationMessagePolicy", "File")
            if isinstance(c.get("image"), str):
                c.setdefault("imagePullPolicy", _image_pull_policy(c["image"]))
            c.setdefault("resources", {})


def _qos_class(spec: JsonObj) -> str:
    containers = spec.get("containers") or []
    if not any((c.get("resources") or {}) for c in containers if isinstance(c, dict)):
        return "BestEffort"
    for c in containers:
        res = c.get("resources") or {}
        req, lim = res.get("requests") or {}, res.get("limits") or {}
        if not lim.get("cpu") or not lim.get("memory"):
            return "Burstable"
        if any(req.get(k, lim[k]) != lim[k] for k in ("cpu", "memory")):
            return "Burstable"
    return "Guaranteed"


def _default_job(job: JsonObj) -> None:
    m = job["metadata"]
    spec = job.setdefault("spec", {})
    template = spec.setdefault("template", {})
    tmeta = template.setdefault("metadata", {})
    tlabels = tmeta.setdefault("labels", {})
    if not m.get("labels") and tlabels:
        m["labels"] = deep(tlabels)
    uid = m["uid"]
    if not spec.get("manualSelector"):
        spec["selector"] = {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    tlabels.update(
        {
            "batch.kubernetes.io/controller-uid": uid,
            "batch.kubernetes.io/job-name": m["name"],
            "controller-uid": uid,
            "job-name": m["name"],
        }
    )
    spec.setdefault("parallelism", 1)
    spec.setdefault("completions", 1)
    spec.setdefault("backoffLimit", 6)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    spec.setdefault("podReplacementPolicy", "TerminatingOrFailed")
    pod_spec = template.setdefault("spec", {})
    if isinstance(pod_spec, dict):
        _default_pod_spec_for_job(pod_spec)
    job["status"] = {}


def _default_pod_spec_for_job(spec: JsonObj) -> None:
    policy = spec.get("restartPolicy")
    _default_pod_spec(spec)
    if policy is None:
        spec.pop("restartPolicy", None)  # Jobs have no default: validation requires one


def micro_now() -> str:
    return rfc3339_micro()
