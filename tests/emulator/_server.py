"""The HTTP side: routing, verbs, faults, request records, watches and log streams."""

from __future__ import annotations

import json
import socket
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

from . import _errors as err
from . import _resources as res
from ._cluster import TERMINAL_PHASES, LogLine, Response, WatchEvent
from ._resources import BY_GV_PLURAL, ResourceInfo
from ._selectors import make_filter
from ._util import JsonObj, deep, dumps, parse_time_seconds, rfc3339_nano

if TYPE_CHECKING:
    from ._emulator import Emulator


@dataclass(frozen=True)
class RequestRecord:
    """One request as the emulator saw it (recorded when its status was sent)."""

    method: str
    path: str
    query: dict[str, str]
    status: int
    watch: bool
    verb: str
    resource: str
    namespace: str | None = None
    name: str | None = None
    body: Any = None
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    time: float = 0.0


@dataclass
class Route:
    info: ResourceInfo | None = None
    namespace: str | None = None
    name: str | None = None
    sub: str | None = None
    discovery: JsonObj | None = None


class StreamCut(Exception):
    """Close the connection without finishing the chunked body."""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body are separate writes: without TCP_NODELAY, Nagle plus the client's
    # delayed ACK add ~40 ms to every request.
    disable_nagle_algorithm = True
    server: EmulatorHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.server.api.handle(self)

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_GET


class EmulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], api: Api) -> None:
        self.api = api
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self.open_streams = 0  # chunked responses not finished yet (stop lets them end)
        self.streams_cond = threading.Condition()
        super().__init__(address, Handler)

    def stream_opened(self) -> None:
        with self.streams_cond:
            self.open_streams += 1

    def stream_closed(self) -> None:
        with self.streams_cond:
            self.open_streams -= 1
            self.streams_cond.notify_all()

    def wait_streams_ended(self, timeout: float) -> None:
        """Streams end by themselves once the cluster is stopping; closing the connections
        before they wrote their last chunk would cut them (a client sees a broken stream)."""
        with self.streams_cond:
            self.streams_cond.wait_for(lambda: self.open_streams <= 0, timeout)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Hang up on every client (keep-alive connections included)."""
        with self._connections_lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _truthy(value: str | None) -> bool:
    return value is not None and value.lower() in ("true", "1")


class Exchange:
    """One request/response on a handler, with helpers to answer it."""

    def __init__(self, api: Api, h: Handler) -> None:
        self.api = api
        self.h = h
        parts = urlsplit(h.path)
        self.path = unquote(parts.path)
        self.query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        self.method = h.command
        self.content_type = h.headers.get("Content-Type")
        self.raw = self._read_body()
        self.verb = ""
        self.resource = ""
        self.namespace: str | None = None
        self.name: str | None = None
        self.watch = False
        self.recorded = False
        self.chunked = False
        self.stream_closed = False

    def _read_body(self) -> bytes:
        h = self.h
        if (h.headers.get("Transfer-Encoding") or "").lower() == "chunked":
            out = b""
            while True:
                size = int(h.rfile.readline().strip().split(b";")[0] or b"0", 16)
                if size == 0:
                    h.rfile.readline()
                    return out
                out += h.rfile.read(size)
                h.rfile.readline()
        length = int(h.headers.get("Content-Length") or 0)
        return h.rfile.read(length) if length else b""

    def body_json(self) -> Any:
        if not self.raw:
            return None
        try:
            return json.loads(self.raw)
        except ValueError as exc:
            raise err.bad_request(f"error decoding request body: {exc}") from exc

    def record(self, status: int) -> None:
        if self.recorded:
            return
        self.recorded = True
        body: Any = None
        if self.raw:
            try:
                body = json.loads(self.raw)
            except ValueError:
                body = self.raw.decode("utf-8", "replace")
        self.api.record(
            RequestRecord(
                method=self.method,
                path=self.path,
                query=dict(self.query),
                status=status,
                watch=self.watch,
                verb=self.verb,
                resource=self.resource,
                namespace=self.namespace,
                name=self.name,
                body=body,
                content_type=self.content_type,
                headers=dict(self.h.headers.items()),
                time=time.time(),
            )
        )

    def _common_headers(self, extra: dict[str, str] | None) -> None:
        self.h.send_header("Audit-Id", str(uuid.uuid4()))
        self.h.send_header("Cache-Control", "no-cache, private")
        for k, v in (extra or {}).items():
            self.h.send_header(k, v)

    def send(
        self,
        code: int,
        payload: bytes,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.record(code)
        h = self.h
        h.send_response(code)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(payload)))
        self._common_headers(headers)
        h.end_headers()
        if self.method != "HEAD":
            h.wfile.write(payload)
        h.wfile.flush()

    def send_json(self, code: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        self.send(code, dumps(obj), headers=headers)

    def send_error(self, e: err.ApiError) -> None:
        self.send_json(e.code, e.status(), e.headers)

    def start_stream(self, content_type: str) -> None:
        self.record(200)
        h = self.h
        h.send_response(200)
        h.send_header("Content-Type", content_type)
        h.send_header("Transfer-Encoding", "chunked")
        self._common_headers(None)
        h.end_headers()
        h.wfile.flush()
        self.chunked = True
        self.h.server.stream_opened()

    def chunk(self, data: bytes) -> None:
        if data:
            self.h.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.h.wfile.flush()

    def end_stream(self) -> None:
        try:
            self.h.wfile.write(b"0\r\n\r\n")
            self.h.wfile.flush()
        finally:
            self.close_stream()

    def close_stream(self) -> None:
        if self.chunked and not self.stream_closed:
            self.stream_closed = True
            self.h.server.stream_closed()

    def cut(self) -> None:
        self.close_stream()
        self.h.wfile.flush()
        self.h.close_connection = True


class Api:
    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.cluster = emu.cluster
        self.bookmark_interval = 1.0
        self.errors: list[str] = []

    def record(self, rec: RequestRecord) -> None:
        with self.cluster.lock:
            self.emu._requests.append(rec)

    # -- entry ------------------------------------------------------------------------------

    def handle(self, h: Handler) -> None:
        try:
            ex = Exchange(self, h)
        except (ValueError, OSError):
            h.close_connection = True
            return
        try:
            self._handle(ex)
        except err.ApiError as e:
            if ex.chunked:
                h.close_connection = True
            else:
                ex.send_error(e)
        except StreamCut:
            ex.cut()
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            h.close_connection = True
        except Exception:
            text = traceback.format_exc()
            self.errors.append(text)
            if ex.chunked:
                h.close_connection = True
            else:
                ex.send_error(
                    err.ApiError(500, "InternalError", f"Internal error occurred: {text}")
                )
        finally:
            ex.close_stream()

    def _route(self, ex: Ex) -> Route:
        parts = [p for p in ex.path.split("/") if p]
        if ex.path.rstrip("/") == "/version":
            return Route(discovery=dict(res.VERSION_INFO))
        if parts == ["api"]:
            return Route(discovery=res.api_versions())
        if parts == ["apis"]:
            return Route(discovery=res.api_group_list())
        if len(parts) >= 2 and parts[0] == "api":
            group, version, rest = "", parts[1], parts[2:]
        elif len(parts) >= 2 and parts[0] == "apis":
            group = parts[1]
            if len(parts) == 2:
                doc = res.api_group(group)
                if doc is None:
                    raise err.resource_not_found()
                return Route(discovery=doc)
            version, rest = parts[2], parts[3:]
        else:
            raise err.resource_not_found()
        if not rest:
            doc = res.api_resource_list(group, version)
            if doc is None:
                raise err.resource_not_found()
            return Route(discovery=doc)
        namespace = None
        if rest[0] == "namespaces" and len(rest) >= 3 and (group, version, rest[2]) in BY_GV_PLURAL:
            namespace, rest = rest[1], rest[2:]
        info = BY_GV_PLURAL.get((group, version, rest[0]))
        if info is None or len(rest) > 3:
            raise err.resource_not_found()
        if namespace is not None and not info.namespaced:
            raise err.resource_not_found()
        name = rest[1] if len(rest) > 1 else None
        sub = rest[2] if len(rest) > 2 else None
        if sub is not None and sub not in info.subresources:
            raise err.resource_not_found()
        return Route(info, namespace, name, sub)

    def _handle(self, ex: Ex) -> None:
        route = self._route(ex)
        if route.discovery is not None:
            ex.verb = "get"
            if ex.method not in ("GET", "HEAD"):
                raise err.method_not_allowed(None, ex.method)
            with self.cluster.lock:
                failure = self.emu.faults.take_failure("get", "")
            if failure is not None:
                raise failure
            ex.send_json(200, route.discovery)
            return
        info = route.info
        assert info is not None
        ex.namespace, ex.name = route.namespace, route.name
        ex.watch = ex.method == "GET" and _truthy(ex.query.get("watch"))
        ex.verb = {
            "GET": "watch" if ex.watch else ("get" if route.name else "list"),
            "HEAD": "get",
            "POST": "create",
            "PUT": "update",
            "PATCH": "patch",
            "DELETE": "delete" if route.name else "deletecollection",
        }.get(ex.method, ex.method.lower())
        ex.resource = f"{info.plural}/{route.sub}" if route.sub else info.plural
        if ex.verb not in info.verbs and not route.sub:
            raise err.method_not_allowed(info, ex.verb)
        if ex.verb in ("update", "deletecollection") or (
            ex.verb == "patch" and info.plural != "secrets"
        ):
            # kubeclip never sends these; the emulator models only what it uses (a merge
            # patch wiping a run Secret's values)
            raise err.method_not_allowed(info, ex.verb)
        if route.sub == "log" and ex.verb != "get":
            raise err.method_not_allowed(info, ex.verb)
        if info.namespaced and route.namespace is None and ex.verb not in ("list", "watch"):
            raise err.resource_not_found()
        with self.cluster.lock:
            faults = self.emu.faults
            if faults.is_denied(ex.verb, ex.resource, route.namespace):
                raise err.forbidden(
                    self.cluster.user, ex.verb, info, route.sub, route.namespace, route.name
                )
            failure = faults.take_failure(ex.verb, ex.resource)
            if failure is not None:
                raise failure
            if ex.verb == "create" and faults.take_create_conflict(info.plural):
                body = ex.body_json()
                name = ((body or {}).get("metadata") or {}).get("name") or "unknown"
                raise err.already_exists(info, name)
        if info.plural in ("selfsubjectaccessreviews", "selfsubjectreviews"):
            self._review(ex, info)
        elif route.sub == "log":
            assert route.name is not None and route.namespace is not None
            self._logs(ex, route.namespace, route.name)
        elif ex.verb == "watch":
            self._watch(ex, info, route.namespace)
        else:
            self._crud(ex, info, route)

    # -- plain verbs -------------------------------------------------------------------------

    def _crud(self, ex: Ex, info: ResourceInfo, route: Route) -> None:
        c = self.cluster
        ns, name = route.namespace, route.name
        resp: Response
        with c.lock:
            if ex.verb == "get":
                assert name is not None
                resp = Response(c.get(info, ns, name))
            elif ex.verb == "list":
                match = make_filter(
                    ex.query.get("labelSelector"), ex.query.get("fieldSelector"), info.plural
                )
                resp = Response(c.list_objects(info, ns, match))
            elif ex.verb == "create":
                if name is not None:
                    raise err.method_not_allowed(info, "create")
                resp = Response(c.create(info, ns, ex.body_json()), 201)
            elif ex.verb == "delete":
                assert name is not None
                resp = c.delete(info, ns, name, self._delete_options(ex))
            elif ex.verb == "patch":
                assert name is not None
                if (ex.content_type or "").split(";")[0] != "application/merge-patch+json":
                    raise err.ApiError(415, "UnsupportedMediaType",
                                       "the body of the request was in an unknown format - "
                                       "accepted media types include: "
                                       "application/merge-patch+json")  # fmt: skip
                resp = Response(c.patch(info, ns, name, ex.body_json()))
            else:
                raise err.method_not_allowed(info, ex.verb)
        ex.send_json(resp.code, resp.body, resp.headers)

    def _delete_options(self, ex: Ex) -> JsonObj:
        body = ex.body_json()
        opts: JsonObj = dict(body) if isinstance(body, dict) else {}
        if "propagationPolicy" in ex.query:
            opts["propagationPolicy"] = ex.query["propagationPolicy"]
        if "gracePeriodSeconds" in ex.query:
            opts["gracePeriodSeconds"] = int(ex.query["gracePeriodSeconds"])
        if "orphanDependents" in ex.query:
            opts["orphanDependents"] = _truthy(ex.query["orphanDependents"])
        return opts

    def _review(self, ex: Ex, info: ResourceInfo) -> None:
        body = ex.body_json()
        if not isinstance(body, dict):
            raise err.bad_request("the body of the request must be a JSON object")
        out: JsonObj = deep(body)
        out.setdefault("apiVersion", info.api_version)
        out.setdefault("kind", info.kind)
        out.setdefault("metadata", {})["creationTimestamp"] = None
        user = self.cluster.user
        if info.plural == "selfsubjectreviews":
            out["status"] = {
                "userInfo": {
                    "username": user,
                    "uid": str(uuid.uuid5(uuid.NAMESPACE_URL, user)),
                    "groups": ["system:serviceaccounts", "system:authenticated"]
                    + (
                        [f"system:serviceaccounts:{user.split(':')[2]}"]
                        if user.startswith("system:serviceaccount:")
                        else []
                    ),
                }
            }
            ex.send_json(201, out)
            return
        spec = out.get("spec") or {}
        attrs = spec.get("resourceAttributes")
        allowed = True
        reason = ""
        if isinstance(attrs, dict):
            resource = attrs.get("resource", "")
            if attrs.get("subresource"):
                resource += "/" + attrs["subresource"]
            with self.cluster.lock:
                allowed = not self.emu.faults.is_denied(
                    attrs.get("verb", ""), resource, attrs.get("namespace") or None
                )
            if allowed:
                reason = "emulator: allowed"
        out["status"] = {"allowed": allowed}
        if reason:
            out["status"]["reason"] = reason
        ex.send_json(201, out)

    # -- watch -------------------------------------------------------------------------------

    def _watch(self, ex: Ex, info: ResourceInfo, namespace: str | None) -> None:
        c = self.cluster
        q = ex.query
        match = make_filter(q.get("labelSelector"), q.get("fieldSelector"), info.plural)
        timeout = float(q["timeoutSeconds"]) if q.get("timeoutSeconds") else None
        bookmarks = _truthy(q.get("allowWatchBookmarks"))
        rv_param = q.get("resourceVersion")
        initial: list[JsonObj] = []
        gone: err.ApiError | None = None
        with c.lock:
            generation = c.watch_generation
            if rv_param in (None, "", "0") or _truthy(q.get("sendInitialEvents")):
                for obj in sorted(
                    c.iter_objects(info.plural, namespace),
                    key=lambda o: int(o["metadata"]["resourceVersion"]),
                ):
                    if match(obj):
                        initial.append({"type": "ADDED", "object": deep(obj)})
                pos = c.rv
                if _truthy(q.get("sendInitialEvents")) and bookmarks:
                    initial.append(self._bookmark(info, pos, initial_end=True))
            else:
                try:
                    pos = int(rv_param)
                except ValueError as exc:
                    raise err.bad_request(f"invalid resource version: {rv_param}") from exc
                if pos < c.floor:
                    gone = err.gone(pos, c.floor + 1)
        ex.start_stream("application/json")
        if gone is not None:
            ex.chunk(dumps({"type": "ERROR", "object": gone.status()}) + b"\n")
            ex.end_stream()
            return
        for event in initial:
            ex.chunk(dumps(event) + b"\n")
        start = time.monotonic()
        deadline = start + timeout if timeout is not None else None
        next_bookmark = start + self.bookmark_interval
        while True:
            out: list[JsonObj] = []
            with c.lock:
                while True:
                    if c.stopping:
                        ex.end_stream()
                        return
                    if c.watch_generation != generation:
                        if c.abrupt_drop:
                            raise StreamCut
                        ex.end_stream()
                        return
                    events = c.events_after(pos)
                    if events:
                        pos = events[-1].rv
                        out = [
                            e
                            for e in (self._transform(ev, info, namespace, match) for ev in events)
                            if e is not None
                        ]
                        if out:
                            break
                    now = time.monotonic()
                    if deadline is not None and now >= deadline:
                        ex.end_stream()
                        return
                    if bookmarks and now >= next_bookmark:
                        out = [self._bookmark(info, pos)]
                        next_bookmark = now + self.bookmark_interval
                        break
                    wait = 1.0
                    if deadline is not None:
                        wait = min(wait, deadline - now)
                    if bookmarks:
                        wait = min(wait, next_bookmark - now)
                    c.cond.wait(max(wait, 0.001))
            ex.chunk(b"".join(dumps(e) + b"\n" for e in out))

    @staticmethod
    def _bookmark(info: ResourceInfo, rv: int, initial_end: bool = False) -> JsonObj:
        m: JsonObj = {"resourceVersion": str(rv)}
        if initial_end:
            m["annotations"] = {"k8s.io/initial-events-end": "true"}
        return {
            "type": "BOOKMARK",
            "object": {"kind": info.kind, "apiVersion": info.api_version, "metadata": m},
        }

    @staticmethod
    def _transform(
        ev: WatchEvent, info: ResourceInfo, namespace: str | None, match: Callable[[JsonObj], bool]
    ) -> JsonObj | None:
        if ev.plural != info.plural or (namespace is not None and ev.namespace != namespace):
            return None
        now_match = match(ev.obj)
        was_match = ev.prev is not None and match(ev.prev)
        etype: str | None
        if ev.type == "ADDED":
            etype = "ADDED" if now_match else None
        elif ev.type == "DELETED":
            etype = "DELETED" if (now_match or was_match) else None
        elif now_match and was_match:
            etype = "MODIFIED"
        elif now_match:
            etype = "ADDED"
        elif was_match:
            etype = "DELETED"
        else:
            etype = None
        if etype is None:
            return None
        return {"type": etype, "object": deep(ev.obj)}

    # -- logs --------------------------------------------------------------------------------

    def _logs(self, ex: Ex, namespace: str, name: str) -> None:
        c = self.cluster
        q = ex.query
        follow = _truthy(q.get("follow"))
        stamps = _truthy(q.get("timestamps"))
        since_ns: int | None = None
        if q.get("sinceSeconds"):
            since_ns = time.time_ns() - int(q["sinceSeconds"]) * 1_000_000_000
        if q.get("sinceTime"):
            try:
                since_ns = parse_time_seconds(q["sinceTime"]) * 1_000_000_000
            except ValueError as exc:
                raise err.bad_request(f"invalid sinceTime {q['sinceTime']!r}") from exc
        tail = int(q["tailLines"]) if q.get("tailLines") else None
        limit = int(q["limitBytes"]) if q.get("limitBytes") else None
        with c.lock:
            pod = c.get(res.BY_PLURAL["pods"], namespace, name)
            container = self._log_container(pod, q.get("container"))
            if _truthy(q.get("previous")):
                raise err.bad_request(
                    f'previous terminated container "{container}" in pod "{name}" not found'
                )
            uid = pod["metadata"]["uid"]
            lines: list[LogLine] = c.logs.setdefault(uid, {}).setdefault(container, [])
            selected = [ln for ln in lines if since_ns is None or ln.ts_ns >= since_ns]
            if tail is not None:
                selected = selected[-tail:] if tail > 0 else []
            idx = len(lines)
        if not follow:
            data = b"".join(self._log_bytes(ln, stamps) for ln in selected)
            if limit is not None:
                data = data[:limit]
            ex.send(200, data, "text/plain")
            return
        ex.start_stream("text/plain")
        sent_bytes = 0
        state: dict[str, int] = {"sent": 0, "gen": -1, "base": 0}

        def emit(batch: list[LogLine]) -> bool:
            """Send lines; False when the stream must end (limitBytes)."""
            nonlocal sent_bytes
            for ln in batch:
                data = self._log_bytes(ln, stamps)
                with c.lock:
                    cut = self.emu.faults.log_cut()
                    if cut is not None and state["gen"] != cut.generation:
                        state["gen"], state["base"] = cut.generation, state["sent"]
                    due = cut is not None and state["sent"] - state["base"] >= cut.after_lines
                    if due and cut is not None and self.emu.faults.consume_cut(cut):
                        if cut.mid_line:
                            ex.chunk(data[: max(1, (len(data) - 1) // 2)])
                        raise StreamCut
                if limit is not None and sent_bytes + len(data) > limit:
                    ex.chunk(data[: limit - sent_bytes])
                    return False
                ex.chunk(data)
                sent_bytes += len(data)
                state["sent"] += 1
                with c.lock:
                    cut = self.emu.faults.log_cut()
                    if (
                        cut is not None
                        and not cut.mid_line
                        and state["gen"] == cut.generation
                        and state["sent"] - state["base"] >= cut.after_lines
                        and self.emu.faults.consume_cut(cut)
                    ):
                        raise StreamCut
            return True

        if not emit(selected):
            ex.end_stream()
            return
        with c.lock:
            cut = self.emu.faults.log_cut()
            if (
                cut is not None
                and cut.after_lines == 0
                and not cut.mid_line
                and self.emu.faults.consume_cut(cut)
            ):
                raise StreamCut
        while True:
            with c.lock:
                while True:
                    batch = lines[idx:]
                    idx = len(lines)
                    finished = c.stopping or self._container_done(uid, container)
                    if batch or finished:
                        break
                    c.cond.wait(1.0)
            if batch and not emit(batch):
                ex.end_stream()
                return
            if finished and not batch:
                ex.end_stream()
                return

    def _container_done(self, uid: str, container: str) -> bool:
        found = self.cluster.by_uid_obj(uid)
        if found is None:
            return True
        status = found[1].get("status") or {}
        if status.get("phase") in TERMINAL_PHASES:
            return True
        for cs in (status.get("containerStatuses") or []) + (
            status.get("initContainerStatuses") or []
        ):
            if cs.get("name") == container:
                return "terminated" in (cs.get("state") or {})
        return False

    @staticmethod
    def _log_bytes(ln: LogLine, stamps: bool) -> bytes:
        if stamps:
            return rfc3339_nano(ln.ts_ns).encode() + b" " + ln.data + b"\n"
        return ln.data + b"\n"

    @staticmethod
    def _log_container(pod: JsonObj, requested: str | None) -> str:
        name = pod["metadata"]["name"]
        spec = pod.get("spec") or {}
        names = [c.get("name") for c in spec.get("containers") or []]
        init_names = [c.get("name") for c in spec.get("initContainers") or []]
        if requested:
            if requested not in names and requested not in init_names:
                raise err.bad_request(f"container {requested} is not valid for pod {name}")
            container = requested
        elif len(names) == 1:
            container = str(names[0])
        else:
            msg = (
                f"a container name must be specified for pod {name}, choose one of: "
                f"[{' '.join(str(n) for n in names)}]"
            )
            if init_names:
                msg += f" or one of the init containers: [{' '.join(str(n) for n in init_names)}]"
            raise err.bad_request(msg)
        status = pod.get("status") or {}
        if not spec.get("nodeName"):
            raise err.bad_request(f"pod {name} does not have a host assigned")
        for cs in (status.get("containerStatuses") or []) + (
            status.get("initContainerStatuses") or []
        ):
            if cs.get("name") != container:
                continue
            waiting = (cs.get("state") or {}).get("waiting")
            if waiting is not None:
                reason = waiting.get("reason", "")
                if reason == "ErrImagePull":
                    detail = "image can't be pulled"
                elif reason == "ImagePullBackOff":
                    detail = "trying and failing to pull image"
                else:
                    detail = reason
                raise err.bad_request(
                    f'container "{container}" in pod "{name}" is waiting to start: {detail}'
                )
            return container
        raise err.bad_request(
            f'container "{container}" in pod "{name}" is waiting to start: ContainerCreating'
        )


Ex = Exchange
