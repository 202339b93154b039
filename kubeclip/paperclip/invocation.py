"""One ``opencode run`` as Paperclip started it, gathered where Paperclip runs.

Everything kubeclip needs to know about the run that only the Paperclip container can see
is read here, once: argv, the prompt on stdin, the working directory, the environment and
which of its variables Paperclip added for this run (our environment minus the server's,
``/proc/<ppid>/environ``), which added values are paths that exist here, and the files the
run names (``KUBECLIP_CONFIG``, ``KUBECLIP_POD_FILE``, Paperclip's generated
``$XDG_CONFIG_HOME/opencode/opencode.json``). The result is plain data, so the same run is
executed in this process or by ``kubeclip serve`` in another container, identically.

Stdlib only, and only light modules: the relay (``kubeclip-opencode`` talking to ``serve``)
imports this, and its whole process must stay within a few MiB.

What leaves this process is the environment *Paperclip added* plus the variables the run
is defined by (``PAPERCLIP_*``, ``KUBECLIP_*`` and a few basics); the server's own
environment (database URL, auth secrets) is never sent.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # `typing` itself is ~0.6 MiB the relay does without
if TYPE_CHECKING:
    from typing import Any

# Read by kubeclip besides PAPERCLIP_* / KUBECLIP_* and what Paperclip added.
BASICS = ("HOSTNAME", "HOME", "PATH", "XDG_CONFIG_HOME", "TMPDIR", "TMP", "TEMP", "AGENT_HOME",
          "KUBECONFIG", "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT")  # fmt: skip


def parent_environ() -> dict[str, str] | None:
    """The Paperclip server's environment as it started (we are its child): what it added
    for this run is what our environment has on top. None when it cannot be read."""
    try:
        with open(f"/proc/{os.getppid()}/environ", "rb") as f:
            raw = f.read()
    except OSError:
        return None
    out: dict[str, str] = {}
    for item in raw.split(b"\0"):
        name, eq, value = item.partition(b"=")
        if eq:
            out[os.fsdecode(name)] = os.fsdecode(value)
    return out


def read_file(path: str | None) -> dict[str, Any] | None:
    """A named file as {path, data (latin-1 text of its bytes)} or {path, errno, strerror}."""
    if not path:
        return None
    try:
        with open(path, "rb") as f:
            return {"path": path, "data": f.read().decode("latin-1")}
    except OSError as e:
        return {"path": path, "errno": e.errno or 0, "strerror": e.strerror or str(e)}


def gather(args: list[str]) -> dict[str, Any]:
    """This process's run, as data (see the module docstring)."""
    env = dict(os.environ)
    parent = parent_environ()
    if parent is None:
        named = [n.strip() for n in env.get("KUBECLIP_AGENT_ENV", "").split(",")]
        added = None
        candidates = [n for n in named if n in env]
    else:
        added = sorted(k for k, v in env.items() if parent.get(k) != v)
        candidates = added
    keep = set(candidates) | {k for k in env if k.startswith(("PAPERCLIP_", "KUBECLIP_"))}
    keep |= {k for k in BASICS if k in env}
    paths = {env[n] for n in candidates if env[n].startswith("/")}
    local = sorted(p for p in paths if os.path.exists(p))
    home = env.get("XDG_CONFIG_HOME")
    opencode = os.path.join(home, "opencode", "opencode.json") if home else None
    return {
        "args": list(args),
        "env": {k: env[k] for k in sorted(keep)},
        "added": added,
        "cwd": os.getcwd(),
        "prompt": _prompt(),
        "localPaths": local,
        "files": {
            "config": read_file(env.get("KUBECLIP_CONFIG")),
            "pod": read_file(env.get("KUBECLIP_POD_FILE")),
            "opencode": _optional(read_file(opencode)),
        },
    }


def _prompt() -> str:
    stdin = sys.stdin
    if stdin is None or stdin.isatty():
        return ""
    return stdin.buffer.read().decode("utf-8", "replace")


def _optional(file: dict[str, Any] | None) -> dict[str, Any] | None:
    """A file that may be absent: absent is None, not an error."""
    if file is not None and file.get("errno") == 2:  # ENOENT
        return None
    return file
