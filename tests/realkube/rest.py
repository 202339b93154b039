"""A tiny stdlib HTTPS client for the test tier's own plumbing (node stand-in, fixtures).

Deliberately not the ``kubernetes`` client: kubeclip is what is tested through that one, and
the harness must keep working while the apiserver restarts (the outage tests), so every call
here is one short-lived connection with its own timeout.
"""

from __future__ import annotations

import http.client
import json
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit


class HttpError(Exception):
    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}: {body[:300]}")
        self.status = status
        self.body = body


@dataclass
class Rest:
    server: str  # https://127.0.0.1:PORT
    ca_file: str
    cert_file: str | None = None
    key_file: str | None = None
    token: str | None = None

    def _context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=self.ca_file)
        if self.cert_file:
            ctx.load_cert_chain(self.cert_file, self.key_file)
        return ctx

    def _conn(self, timeout: float | None) -> http.client.HTTPSConnection:
        parts = urlsplit(self.server)
        return http.client.HTTPSConnection(
            parts.hostname or "127.0.0.1", parts.port, context=self._context(), timeout=timeout
        )

    def _headers(self, content_type: str | None) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if content_type:
            headers["Content-Type"] = content_type
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        query: dict[str, Any] | None = None,
        content_type: str = "application/json",
        timeout: float = 10.0,
        raw_text: bool = False,
    ) -> Any:
        url = path + ("?" + urlencode(query) if query else "")
        conn = self._conn(timeout)
        try:
            data = json.dumps(body).encode() if body is not None else None
            conn.request(
                method, url, body=data, headers=self._headers(content_type if data else None)
            )
            response = conn.getresponse()
            raw = response.read()
        finally:
            conn.close()
        if not 200 <= response.status < 300:
            raise HttpError(response.status, raw.decode("utf-8", "replace"))
        if raw_text:
            return raw.decode("utf-8", "replace")
        return json.loads(raw) if raw else None

    def text(self, path: str, **query: Any) -> str:
        """A plain-text answer, e.g. a pod's log."""
        text: str = self.request("GET", path, query=query or None, raw_text=True)
        return text

    def get(self, path: str, **query: Any) -> Any:
        return self.request("GET", path, query=query or None)

    def post(self, path: str, body: Any) -> Any:
        return self.request("POST", path, body)

    def delete(self, path: str, body: Any = None) -> Any:
        return self.request("DELETE", path, body)

    def merge_patch(self, path: str, body: Any) -> Any:
        return self.request("PATCH", path, body, content_type="application/merge-patch+json")

    def watch(self, path: str, timeout: float = 300.0, **query: Any) -> Iterator[dict[str, Any]]:
        """Watch events as dicts until the server closes the stream."""
        query = {**query, "watch": "true", "timeoutSeconds": int(timeout)}
        conn = self._conn(timeout + 10)
        try:
            conn.request("GET", path + "?" + urlencode(query), headers=self._headers(None))
            response = conn.getresponse()
            if response.status != 200:
                raise HttpError(response.status, response.read().decode("utf-8", "replace"))
            while True:
                line = response.readline()
                if not line:
                    return
                if line.strip():
                    yield json.loads(line)
        finally:
            conn.close()

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            try:
                conn = self._conn(2.0)
                conn.request("GET", "/readyz", headers=self._headers(None))
                response = conn.getresponse()
                response.read()
                conn.close()
                if response.status == 200:
                    return
                last = HttpError(response.status, "not ready")
            except OSError as e:
                last = e
            time.sleep(0.2)
        raise TimeoutError(f"apiserver at {self.server} not ready after {timeout}s: {last}")
