"""A thin, typed layer over the official ``kubernetes`` client.

Why raw requests: kubeclip handles raw Kubernetes bodies (TypedDicts, like the
renderer's output), needs ``sinceTime`` on pod logs (absent from the generated
``read_namespaced_pod_log``) and wants one place for retries, error translation and
permission bookkeeping. So every call goes through :meth:`Kube.request`, on top of
the client's own ``ApiClient.call_api`` (auth, TLS, proxies stay the client's).

``kubernetes`` is imported lazily here and nowhere on the render path.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kubeclip.cluster.permissions import describe, is_declared
from kubeclip.cluster.resources import Resource
from kubeclip.cluster.retry import RETRY, RetryPolicy
from kubeclip.errors import Interrupted, KubeclipError, Reason, exit_code

if TYPE_CHECKING:
    from kubernetes.client import ApiClient

SA_DIR = Path("/var/run/secrets/kubernetes.io/serviceaccount")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class ApiError(KubeclipError):
    """The Kubernetes API refused or failed; carries the API's Status object."""

    exit_code = exit_code(Reason.API_ERROR)

    def __init__(self, message: str, status: dict[str, Any] | None = None, code: int = 0):
        super().__init__(message)
        self.status = status or {}
        self.code = code
        self.reason: str = self.status.get("reason", "")


class NotFound(ApiError):
    pass


class Conflict(ApiError):
    pass


class Forbidden(ApiError):
    pass


@dataclass
class Connection:
    api_client: ApiClient
    namespace: str  # the kubeconfig context's or the service account's namespace
    server: str
    in_cluster: bool


def connect(kubeconfig: str | None = None, context: str | None = None) -> Connection:
    """Like kubectl: an explicit kubeconfig, else $KUBECONFIG or ~/.kube/config, else in-cluster."""
    import yaml
    from kubernetes import client, config

    configuration = client.Configuration()
    configuration.retries = False  # kubeclip retries (Kube.request); urllib3 would again, 3x
    default_file = Path(os.path.expanduser("~/.kube/config"))
    use_file = kubeconfig or context or os.environ.get("KUBECONFIG") or default_file.exists()
    namespace = "default"
    where = kubeconfig or os.environ.get("KUBECONFIG") or str(default_file)
    if kubeconfig and not os.path.isfile(kubeconfig):
        raise KubeclipError(f"kubeconfig {kubeconfig}: no such file; give the path of a "
                            "kubeconfig (as kubectl's --kubeconfig)")  # fmt: skip
    plugin = _PluginErrors.install()
    try:
        if use_file or not (SA_DIR / "token").exists():
            config.load_kube_config(  # type: ignore[no-untyped-call]
                config_file=kubeconfig, context=context, client_configuration=configuration
            )
            plugin.raise_if_failed(where)
            contexts, active = config.list_kube_config_contexts(  # type: ignore[no-untyped-call]
                config_file=kubeconfig
            )
            if context:
                active = next((c for c in contexts if c["name"] == context), active)
            namespace = (active or {}).get("context", {}).get("namespace") or "default"
            in_cluster = False
        else:
            config.load_incluster_config(  # type: ignore[no-untyped-call]
                client_configuration=configuration
            )
            namespace = (SA_DIR / "namespace").read_text().strip() or "default"
            in_cluster = True
    except config.ConfigException as e:
        raise KubeclipError(f"cannot load Kubernetes configuration: {e}"
                            f"{_contexts_hint(kubeconfig, context)}") from None  # fmt: skip
    except (ValueError, yaml.YAMLError) as e:  # not YAML, not text (UnicodeDecodeError)
        mark = getattr(e, "problem_mark", None)
        at = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise KubeclipError(f"kubeconfig {where} is not a valid kubeconfig{at}: "
                            f"{getattr(e, 'problem', None) or e}") from None  # fmt: skip
    hook = configuration.refresh_api_key_hook
    if hook is not None:
        configuration.refresh_api_key_hook = _at_most_every(REFRESH_EVERY, hook)
    return Connection(client.ApiClient(configuration), namespace, configuration.host, in_cluster)


REFRESH_EVERY = 1.0  # seconds; a credential is renewed minutes before it expires


def _at_most_every(seconds: float, hook: Callable[[Any], None]) -> Callable[[Any], None]:
    """The client's credential refresh, once a second at most. Why: the client calls it
    before *every* request and it sets the whole configuration again (the host's setter
    reads every proxy variable): a tenth of serve's CPU in a burst of 100 runs. Tokens are
    renewed well before they expire (a kubeconfig's 5 minutes before, a service account's
    file every minute); the lock keeps 100 threads from setting it at once."""
    lock = threading.Lock()
    last = [-seconds]

    def throttled(configuration: Any) -> None:
        with lock:
            now = time.monotonic()
            if now - last[0] >= seconds:
                hook(configuration)  # which installs itself again: put back in its place
                configuration.refresh_api_key_hook = throttled
                last[0] = now

    return throttled


class _PluginErrors(logging.Handler):
    """The kubernetes client reports a failing exec credential plugin only by logging it
    (``logging.error``, which also puts a stderr handler on the root logger, so that every
    library's warnings reach the user's terminal), then goes on without credentials. kubeclip
    prints no library logging (a handler of its own on the root logger keeps the module-level
    functions from adding one) and turns the plugin's failure into one message."""

    _installed: _PluginErrors | None = None

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.failures: list[str] = []

    @classmethod
    def install(cls) -> _PluginErrors:
        if cls._installed is None:
            cls._installed = cls()
            logging.getLogger().addHandler(cls._installed)
        cls._installed.failures.clear()
        return cls._installed

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("exec:"):
            self.failures.append(message[len("exec:"):].strip())

    def raise_if_failed(self, where: str) -> None:
        if self.failures:
            raise KubeclipError(
                f"kubeconfig {where}: the user's credential plugin (users[].user.exec) failed: "
                f"{self.failures[-1]}; run its command yourself to see why (a login that "
                "expired, a tool missing from PATH, e.g. aws, gke-gcloud-auth-plugin, kubelogin)"
            )


def _contexts_hint(kubeconfig: str | None, context: str | None) -> str:
    """For a --context that is not there: the ones that are."""
    if not context:
        return ""
    from kubernetes import config

    try:
        contexts, _ = config.list_kube_config_contexts(config_file=kubeconfig)  # type: ignore[no-untyped-call]
    except Exception:  # only a hint: never the error itself
        return ""
    names = ", ".join(sorted(c["name"] for c in contexts)) or "none"
    return f"; the contexts there: {names}"


@dataclass
class Kube:
    """Raw JSON requests with retries, domain errors and a request counter."""

    api_client: ApiClient
    policy: RetryPolicy = RETRY
    requests: int = 0
    # a pending SIGINT/SIGTERM, asked before each retry: a run that created nothing yet is
    # cancelled at once rather than after every retry of an API that does not answer
    interrupted: Callable[[], str | None] | None = None
    # told once per request that finds the API unreachable, before the retries (so that a
    # user is not left in silence for their ~11 s)
    on_unreachable: Callable[[str], None] | None = None
    last_failure: str = ""

    def request(
        self,
        method: str,
        path: str,
        *,
        verb: str,
        group: str,
        resource: str,
        query: dict[str, Any] | None = None,
        body: Any = None,
        stream: bool = False,
        timeout: float | tuple[float, float | None] | None = None,
        content_type: str | None = None,
        metadata_only: bool = False,
    ) -> Any:
        """One API call. Returns parsed JSON, or the raw urllib3 response when ``stream``.
        ``metadata_only``: the object as PartialObjectMetadata (a Secret's metadata without
        its values).

        Transient failures (429, 5xx, connection errors) are retried with exponential
        backoff and jitter, honouring Retry-After. Other errors raise :class:`ApiError`.
        """
        if not is_declared(group, resource, verb):  # keeps PERMISSIONS honest
            raise AssertionError(f"undeclared permission: {verb} {describe(group, resource)}")
        headers = {"Accept": METADATA_ONLY if metadata_only else "application/json"}
        if body is not None:
            headers["Content-Type"] = content_type or "application/json"
        params = [(k, _param(v)) for k, v in (query or {}).items() if v is not None]
        delay, retries = self.policy.first_delay, self.policy.attempts
        for attempt in range(retries + 1):
            self.requests += 1
            last = attempt == retries
            response = self._send(method, path, params, headers, body, timeout, last)
            if response is None:  # unreachable: retried
                if attempt == 0 and self.on_unreachable is not None:
                    self.on_unreachable(
                        f"the Kubernetes API at {self.api_client.configuration.host} does not "
                        f"answer ({self.last_failure}); trying {retries} more times"
                    )
                self._stop_if_interrupted()
                time.sleep(self.policy.jittered(delay))
                delay = self.policy.next_delay(delay)
                continue
            if not 200 <= response.status < 300:
                status = _status(response.data)
                response.release_conn()
                if response.status in RETRY_STATUSES and not last:
                    self._stop_if_interrupted()
                    time.sleep(self.policy.jittered(delay, response.headers.get("Retry-After")))
                    delay = self.policy.next_delay(delay)
                    continue
                raise _translate(response.status, status, verb, group, resource, path)
            if stream:
                return response
            data = response.data
            response.release_conn()
            return json.loads(data) if data else None
        raise AssertionError("unreachable")  # pragma: no cover

    # --- by resource: the path and the permission derived together (kubeclip.cluster.resources)
    def get(self, res: Resource, name: str, namespace: str | None = None,
            *, metadata_only: bool = False) -> Any:  # fmt: skip
        """One object (``metadata_only``: as PartialObjectMetadata, e.g. a Secret's metadata
        without its values)."""
        return self.request("GET", res.path(namespace, name), verb="get", group=res.group,
                            resource=res.rbac, metadata_only=metadata_only)  # fmt: skip

    def create(self, res: Resource, body: dict[str, Any], namespace: str | None = None) -> Any:
        return self.request("POST", res.path(namespace), verb="create", group=res.group,
                            resource=res.rbac, body=body)  # fmt: skip

    def patch(self, res: Resource, name: str, body: dict[str, Any],
              namespace: str | None = None) -> Any:  # fmt: skip
        """A JSON merge patch."""
        return self.request("PATCH", res.path(namespace, name), verb="patch", group=res.group,
                            resource=res.rbac, body=body,
                            content_type="application/merge-patch+json")  # fmt: skip

    def delete(self, res: Resource, name: str, namespace: str | None = None,
               body: dict[str, Any] | None = None) -> Any:  # fmt: skip
        """``body``: DeleteOptions (propagationPolicy, preconditions)."""
        return self.request("DELETE", res.path(namespace, name), verb="delete", group=res.group,
                            resource=res.rbac, body=body)  # fmt: skip

    def stream(self, res: Resource, namespace: str | None, query: dict[str, Any],
               name: str = "", *, watch: bool = False) -> Any:  # fmt: skip
        """A long-lived response: a watch of ``res`` (``watch``), or a subresource read as
        it is written (a pod's log). The caller reads it and releases it."""
        return self.request("GET", res.path(namespace, name), verb="watch" if watch else "get",
                            group=res.group, resource=res.rbac, stream=True, query=query,
                            timeout=(10, None))  # fmt: skip

    def version(self) -> Any:
        return self.request("GET", "/version", verb="get", group="", resource="/version")

    def _stop_if_interrupted(self) -> None:
        signal_name = self.interrupted() if self.interrupted is not None else None
        if signal_name:
            raise Interrupted(signal_name)

    def _send(
        self,
        method: str,
        path: str,
        params: list[tuple[str, Any]],
        headers: dict[str, str],
        body: Any,
        timeout: float | tuple[float, float | None] | None,
        last: bool,
    ) -> Any:
        """The raw response, or None when the API could not be reached and a retry is
        left (on the last attempt that raises :class:`ApiError`)."""
        from urllib3.exceptions import HTTPError as Urllib3Error

        try:
            # our bodies are plain JSON data: not walked by the client's sanitize (for models)
            method_, url, hdrs, _, _ = self.api_client.param_serialize(
                method=method,
                resource_path=path,
                query_params=params,
                header_params=headers,
                auth_settings=["BearerToken"],
            )
            return self.api_client.call_api(
                method_, url, header_params=hdrs, body=body, _request_timeout=timeout
            ).response
        except (Urllib3Error, ConnectionError, TimeoutError) as e:
            self.last_failure = _why(e)
            if last:
                host, why = self.api_client.configuration.host, self.last_failure
                tries = self.policy.attempts + 1
                raise ApiError(f"cannot reach the Kubernetes API at {host}: {why} (tried "
                               f"{tries} times); is the cluster up, and is this the right "
                               "kubeconfig and context?") from None  # fmt: skip
            return None


METADATA_ONLY = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json"


def _why(error: Exception) -> str:
    """What went wrong with the connection, in a few words (urllib3 nests the cause in a
    MaxRetryError's reason and prints the pool, the URL and the retry state around it)."""
    reason = getattr(error, "reason", None) or error
    text = str(reason)
    for pattern, said in (
        (r"\[Errno -?\d+\] ([^'\")]+)", None),
        (r"CERTIFICATE_VERIFY_FAILED|certificate verify failed", "TLS certificate not trusted "
         "(certificate-authority-data of the kubeconfig's cluster)"),
        (r"timed out", "timed out"),
    ):  # fmt: skip
        found = re.search(pattern, text)
        if found:
            return said or found[1].strip().lower()
    return text.split(": ", 1)[-1][:200]


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _status(body: Any) -> dict[str, Any]:
    try:
        parsed = json.loads(body) if body else {}
    except (ValueError, TypeError):
        return {"message": str(body)[:500]}
    return parsed if isinstance(parsed, dict) else {}


def _translate(
    code: int, status: dict[str, Any], verb: str, group: str, resource: str, path: str
) -> ApiError:
    message = status.get("message") or f"HTTP {code}"
    what = describe(group, resource)
    if code == 403:
        return Forbidden(
            f"forbidden: kubeclip may not {verb} {what} ({message}). Grant it with the Helm "
            "chart (charts/kubeclip) or a Role allowing these verbs; `kubeclip check` "
            "lists every permission it needs",
            status,
            code,
        )
    if code == 404:
        details = status.get("details") or {}
        if details.get("kind") == "namespaces":
            return NotFound(f"namespace {details.get('name')!r} does not exist", status, code)
        return NotFound(message, status, code)
    if code == 409:
        return Conflict(message, status, code)
    if code == 422:
        return ApiError(f"the API rejected the {what}: {message}", status, code)
    return ApiError(f"{verb} {what} failed: {message}", status, code)


def iter_chunks(response: Any, chunk: int = 65536) -> Iterator[bytes]:
    """Raw byte chunks of a streaming response, as soon as they arrive (chunked or not)."""
    if getattr(response, "chunked", False) and hasattr(response, "read_chunked"):
        yield from response.read_chunked(decode_content=True)
        return
    read = getattr(response, "read1", None) or response.read
    while True:
        data = read(chunk)
        if not data:
            return
        yield data
