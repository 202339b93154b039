"""One agent CLI run (``opencode run …``, ``claude --print …``) as Paperclip started it,
gathered where Paperclip runs.

Everything kubeclip needs to know about the run that only the Paperclip container can see
is read here, once: argv, the prompt on stdin, the working directory, the environment and
which of its variables Paperclip added for this run (our environment minus the server's,
``/proc/<ppid>/environ``), which added values are paths that exist here, and the files the
run names (``KUBECLIP_CONFIG``, ``KUBECLIP_POD_FILE``, Paperclip's generated
``$XDG_CONFIG_HOME/opencode/opencode.json``, the paths claude_local's argv names). The
result is plain data, so the same run is executed in this process or by ``kubeclip serve``
in another container, identically.

Stdlib only, and only light modules: the relay (``kubeclip-opencode`` talking to ``serve``)
imports this, and its whole process must stay within a few MiB.

Where a C compiler was found at install, ``kubeclip-opencode`` is a C program
(``front.c``) that makes the same selection and sends it as raw bytes; :func:`from_raw`
turns those into the very dict :func:`gather` returns (a test holds the two together).

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
    for this run is what our environment has on top. None when it cannot be read.

    A shell between the server and us passes our environment on (codex_local runs its
    Test-environment probe as ``sh -c '…; "$0" "$@"' codex …``): a parent shell whose
    environment holds all of ours is skipped, else nothing would look added."""
    pid = os.getppid()
    ours = {k: v for k, v in os.environ.items() if k not in _SHELL_OWN}
    for _ in range(4):
        env = _environ_of(pid)
        if env is None or not _is_shell(pid) or any(env.get(k) != v for k, v in ours.items()):
            return env
        pid = _parent_of(pid)
        if pid <= 1:
            return env
    return _environ_of(pid)


_SHELL_OWN = frozenset({"PWD", "OLDPWD", "SHLVL", "_"})  # what a shell sets for its children


def _environ_of(pid: int) -> dict[str, str] | None:
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            raw = f.read()
    except OSError:
        return None
    out: dict[str, str] = {}
    for item in raw.split(b"\0"):
        name, eq, value = item.partition(b"=")
        if eq:
            out[os.fsdecode(name)] = os.fsdecode(value)
    return out


def _is_shell(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/comm", "rb") as f:
            return f.read().strip() in (b"sh", b"dash", b"bash")
    except OSError:
        return False


def _parent_of(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return int(f.read().rpartition(b")")[2].split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def read_file(path: str | None) -> dict[str, Any] | None:
    """A named file as {path, data (latin-1 text of its bytes)} or {path, errno, strerror}."""
    if not path:
        return None
    try:
        with open(path, "rb") as f:
            return {"path": path, "data": f.read().decode("latin-1")}
    except OSError as e:
        return {"path": path, "errno": e.errno or 0, "strerror": e.strerror or str(e)}


# The flags whose value is a local path the CLI reads, per runtime (claude_local: its prompt
# bundle, whose skills are symlinks into the adapter's node_modules, the instructions file
# and the MCP config): read here, where they exist, and carried into the pod.
FILE_FLAGS = {"claude": ("--add-dir", "--append-system-prompt-file", "--mcp-config")}
MAX_FILES, MAX_BYTES, MAX_DEPTH = 512, 512 * 1024, 16


def run_runtime(args: list[str]) -> str | None:
    """The runtime whose Paperclip adapter wrote this argv, if it is a run: OpenCode's
    starts with ``run``, Codex's with ``exec --json`` (after ``--search``, which codex_local
    puts first), Claude Code's carries ``--print``/``-p`` (Codex's ``-p`` is a profile)."""
    if args[:1] == ["run"]:
        return "opencode"
    if args[:2] == ["exec", "--json"] or args[:3] == ["--search", "exec", "--json"]:
        return "codex"
    if "--print" in args or "-p" in args:
        return "claude"
    return None


def named_files(args: list[str]) -> dict[str, Any]:
    """Every path the run's argv names for its CLI to read: path -> :func:`read_tree`."""
    flags = FILE_FLAGS.get(run_runtime(args) or "", ())
    out: dict[str, Any] = {}
    for i, arg in enumerate(args):
        name, eq, value = arg.partition("=")
        if name in flags:
            path = value if eq else (args[i + 1] if i + 1 < len(args) else "")
            if path and path not in out:
                out[path] = read_tree(path)
    return out


def read_tree(path: str) -> dict[str, Any]:
    """A file, or a directory's files with symlinks followed (a skill linked into
    node_modules is carried as what it links to): {path, kind, entries: [{rel, data
    (latin-1), exec}]}, or {path, error} when unreadable or too big to carry."""
    too_big = {"path": path, "error": f"more than {MAX_FILES} files or {MAX_BYTES // 1024} "
               "KiB: too much to carry into the agent pod"}  # fmt: skip
    entries: list[dict[str, Any]] = []
    size = 0
    try:
        if not os.path.isdir(path):
            with open(path, "rb") as f:
                data = f.read(MAX_BYTES + 1)
            if len(data) > MAX_BYTES:
                return too_big
            entry = {"rel": "", "data": data.decode("latin-1"), "exec": os.access(path, os.X_OK)}
            return {"path": path, "kind": "file", "entries": [entry]}
        for root, dirs, files in os.walk(path, followlinks=True):
            depth = root[len(path):].count(os.sep)
            dirs[:] = sorted(dirs) if depth < MAX_DEPTH else []  # a link loop ends here
            for name in sorted(files):
                full = os.path.join(root, name)
                with open(full, "rb") as f:
                    data = f.read(MAX_BYTES + 1)
                size += len(data)
                if len(entries) >= MAX_FILES or size > MAX_BYTES:
                    return too_big
                rel, exe = os.path.relpath(full, path), os.access(full, os.X_OK)
                entries.append({"rel": rel, "exec": exe, "data": data.decode("latin-1")})
    except OSError as e:
        return {"path": path, "error": f"cannot read it: {e.strerror or e}"}
    return {"path": path, "kind": "dir", "entries": entries}


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
            "named": named_files(args),
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


RAW_MAGIC = b"KCG1"


def from_raw(data: bytes) -> dict[str, Any]:
    """The invocation ``front.c`` gathered as raw bytes, as :func:`gather` would have made it
    in that process: names, values and paths decoded as ``os.environ`` decodes them (the
    file system encoding, surrogateescape), the prompt as UTF-8 with replacement, a file's
    bytes as latin-1. Raises ValueError on a record that is not one."""
    raw = _RawReader(data)
    args = [os.fsdecode(a) for a in raw.items()]
    env: dict[str, str] = {}
    for entry in raw.items():
        name, _, value = entry.partition(b"=")
        env.setdefault(os.fsdecode(name), os.fsdecode(value))
    added = sorted({os.fsdecode(n) for n in raw.items()})
    local = sorted({os.fsdecode(p) for p in raw.items()})
    cwd = os.fsdecode(raw.item())
    prompt = raw.item().decode("utf-8", "replace")
    config, pod, opencode = raw.file(), raw.file(), raw.file()
    if raw.at != len(data):
        raise ValueError("trailing bytes after the invocation")
    return {
        "args": args,
        "env": {k: env[k] for k in sorted(env)},
        "added": added,
        "cwd": cwd,
        "prompt": prompt,
        "localPaths": local,
        "files": {"config": config, "pod": pod, "opencode": _optional(opencode), "named": {}},
    }


class _RawReader:
    """front.c's record: "KCG1", then length-prefixed (4 bytes, big-endian) fields."""

    def __init__(self, data: bytes) -> None:
        if data[:4] != RAW_MAGIC:
            raise ValueError("not a kubeclip invocation record")
        self.data, self.at = data, 4

    def _take(self, n: int) -> bytes:
        if self.at + n > len(self.data):
            raise ValueError("the invocation record ends early")
        self.at += n
        return self.data[self.at - n : self.at]

    def _u32(self) -> int:
        return int.from_bytes(self._take(4), "big")

    def item(self) -> bytes:
        return self._take(self._u32())

    def items(self) -> list[bytes]:
        return [self.item() for _ in range(self._u32())]

    def file(self) -> dict[str, Any] | None:
        kind = self._take(1)
        if kind == b"\0":
            return None
        path = os.fsdecode(self.item())
        if kind == b"\1":
            return {"path": path, "data": self.item().decode("latin-1")}
        errno = self._u32()
        return {"path": path, "errno": errno, "strerror": os.fsdecode(self.item())}
