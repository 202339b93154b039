#!/usr/bin/env python3
"""Build the real node tier's container images as docker-archive tarballs, offline.

Why: no container registry is reachable from these machines, so every image a pod of the
real tier runs is built here from files this machine already has, then imported into the
tier's containerd (``ctr -n k8s.io images import``). The tarballs are deterministic (fixed
mtimes, sorted entries), and cached under a stamp of their inputs: an unchanged input set is
not rebuilt.

Images (all in one archive, ``agent-images.tar``, sharing layers):
- ``PAUSE``: Kubernetes' own ``build/pause/linux/pause.c`` from the same source tree as the
  kubelet, compiled statically with musl (the sandbox's only process);
- ``AGENT``: what kubeclip's pod script needs (Debian's static busybox: ``sh``, ``mkfifo``,
  ``sed``, ``gzip``...), Debian's python3 with its standard library and the shared libraries
  it loads, and the tier's fake ``opencode`` (``tests/realkube/bin``) on PATH. It runs as
  uid 1000 like Paperclip's image (``node``), under the tag kubeclip's tests give the
  Paperclip workload;
  A second layer holds the **real OpenCode** (``scripts/get-opencode.sh``: the pinned
  ``opencode-linux-x64`` from npm) at /opt/opencode/bin/opencode with the libraries it
  loads, and ``tests/realagent`` (the stub model server and the launcher that starts it in
  the pod's own network namespace, then execs the real binary) under /opt/kubeclip-stub: a
  config with ``command: /opt/kubeclip-stub/bin/opencode`` runs the real agent;
- ``CLAUDE_AGENT``: ``AGENT`` plus a layer with the **real Claude Code**
  (``scripts/get-claude.sh``: the pinned ``@anthropic-ai/claude-code-linux-x64``, a native
  binary) at /opt/claude/bin/claude, and the launcher under its name
  (/opt/kubeclip-stub/bin/claude): the image a user builds for Claude Code agents;
- ``CODEX_AGENT``: ``AGENT`` plus the **real Codex** (``scripts/get-codex.sh``: the static
  musl binary of the pinned ``@openai/codex`` linux-x64 package) at /opt/codex/bin/codex and
  the launcher under its name (/opt/kubeclip-stub/bin/codex);
- ``ROOT_AGENT``: the base files with no USER: an image that runs as root, which the
  restricted profile (``runAsNonRoot``) must refuse.

Usage: node_images.py --pause-src FILE --out DIR   (prints the archive's path)
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAKE_BIN = ROOT / "tests" / "realkube" / "bin"
REAL_AGENT = ROOT / "tests" / "realagent"
GET_OPENCODE = ROOT / "scripts" / "get-opencode.sh"
GET_CLAUDE = ROOT / "scripts" / "get-claude.sh"
GET_CODEX = ROOT / "scripts" / "get-codex.sh"
RECIPE = "4"  # bump when the layout below changes

PAUSE = "registry.k8s.io/pause:3.4.1"  # the name the kubelet 1.20 / containerd 1.6 expect
AGENT = "ghcr.io/paperclipai/paperclip:2026.916.2"
ROOT_AGENT = "kubeclip.test/agent-as-root:1"
CLAUDE_AGENT = "kubeclip.test/agent-claude:1"
CODEX_AGENT = "kubeclip.test/agent-codex:1"
PYTHON = Path("/usr/bin/python3.11")
PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class Layer:
    """A tar layer written deterministically: root-owned unless told, mtime 0, sorted."""

    def __init__(self) -> None:
        self.entries: dict[str, tuple[str, bytes | str, int, int]] = {}

    def dir(self, path: str, mode: int = 0o755) -> None:
        parts = path.strip("/").split("/")
        for i in range(1, len(parts) + 1):
            sub = "/".join(parts[:i])
            if sub not in self.entries:
                self.entries[sub] = ("dir", b"", 0o755, 0)
        self.entries[path.strip("/")] = ("dir", b"", mode, 0)

    def file(self, path: str, data: bytes, mode: int = 0o644) -> None:
        self.dir(os.path.dirname(path.strip("/")) or ".")
        self.entries[path.strip("/")] = ("file", data, mode, 0)

    def link(self, path: str, target: str) -> None:
        self.dir(os.path.dirname(path.strip("/")) or ".")
        self.entries[path.strip("/")] = ("sym", target, 0o777, 0)

    def copy(self, host: Path, path: str | None = None) -> None:
        """A host file (followed through symlinks) at the same path, or at ``path``."""
        data = host.read_bytes()
        mode = host.stat().st_mode & 0o777
        self.file(path or str(host), data, mode)

    def tar(self) -> bytes:
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
            for name in sorted(self.entries):
                if name in (".", ""):
                    continue
                kind, data, mode, _ = self.entries[name]
                info = tarfile.TarInfo(name)
                info.mtime, info.mode, info.uid, info.gid = 0, mode, 0, 0
                if kind == "dir":
                    info.type = tarfile.DIRTYPE
                    t.addfile(info)
                elif kind == "sym":
                    info.type, info.linkname = tarfile.SYMTYPE, str(data)
                    t.addfile(info)
                else:
                    assert isinstance(data, bytes)
                    info.size = len(data)
                    t.addfile(info, io.BytesIO(data))
        return buf.getvalue()


def shared_libraries(binaries: list[Path]) -> set[Path]:
    """Every shared library the binaries load, as ldd resolves it (the loader included)."""
    libs: set[Path] = set()
    for binary in binaries:
        out = subprocess.run(["ldd", str(binary)], capture_output=True, text=True).stdout
        for line in out.splitlines():
            m = re.search(r"(/\S+) \(0x", line)
            if m:
                libs.add(Path(m.group(1)))
    return libs


def base_layer() -> Layer:
    layer = Layer()
    for d in ("bin", "sbin", "usr/bin", "usr/sbin", "usr/local/bin", "etc", "var", "home/node"):
        layer.dir(d)
    layer.dir("tmp", 0o1777)
    layer.dir("var/tmp", 0o1777)
    layer.entries["home/node"] = ("dir", b"", 0o755, 0)
    passwd = b"root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n"
    layer.file("etc/passwd", passwd)
    layer.file("etc/group", b"root:x:0:\nnode:x:1000:\n")
    # busybox: sh, mkfifo, sed, gzip, sleep... each applet a link to the one static binary
    layer.copy(Path("/bin/busybox"), "bin/busybox")
    applets = subprocess.run(["/bin/busybox", "--list"], capture_output=True, text=True,
                             check=True).stdout.split()  # fmt: skip
    for applet in applets:
        if applet != "busybox":
            layer.link(f"bin/{applet}", "busybox")
    # python3 with its standard library and what it and its extension modules load
    version = f"python{PYTHON.name.removeprefix('python')}"
    stdlib = Path("/usr/lib") / version
    modules: list[Path] = [PYTHON]
    for path in sorted(stdlib.rglob("*")):
        rel = path.relative_to(stdlib)
        if rel.parts and rel.parts[0] in ("test", "idlelib", "tkinter", "turtledemo", "ensurepip"):
            continue
        if "__pycache__" in rel.parts or path.is_dir():
            continue
        if path.is_file():
            layer.copy(path)
            if path.suffix == ".so":
                modules.append(path)
    for lib in shared_libraries(modules):
        layer.copy(lib.resolve(), str(lib))
    layer.copy(PYTHON, f"usr/bin/{PYTHON.name}")
    layer.link("usr/bin/python3", PYTHON.name)
    for fake in sorted(FAKE_BIN.iterdir()):
        if fake.is_file():
            layer.file(f"usr/local/bin/{fake.name}", fake.read_bytes(), 0o755)
    return layer


def opencode_layer(binary: Path) -> Layer:
    """The real binary, what it loads that the base lacks, and the stub model beside it."""
    layer = Layer()
    layer.file("opt/opencode/bin/opencode", binary.read_bytes(), 0o755)
    for lib in shared_libraries([binary]):
        layer.copy(lib.resolve(), str(lib))
    for name in ("stub_model.py", "stub-config.json"):
        layer.file(f"opt/kubeclip-stub/{name}", (REAL_AGENT / name).read_bytes(), 0o644)
    layer.file("opt/kubeclip-stub/bin/opencode", (REAL_AGENT / "bin" / "opencode").read_bytes(),
               0o755)  # fmt: skip
    return layer


def cli_layer(cli: str, binary: Path) -> Layer:
    """A real CLI (Claude Code, Codex) and what it loads; the launcher (a link) under its
    name."""
    layer = Layer()
    layer.file(f"opt/{cli}/bin/{cli}", binary.read_bytes(), 0o755)
    for lib in shared_libraries([binary]):
        layer.copy(lib.resolve(), str(lib))
    layer.link(f"opt/kubeclip-stub/bin/{cli}", "opencode")
    return layer


def fetched(script: Path) -> Path:
    """What one of the project's fetch scripts installed (its last stdout line)."""
    proc = subprocess.run([str(script)], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"node_images: scripts/{script.name} failed: {proc.stderr.strip()[-400:]}")
    return Path(proc.stdout.strip().splitlines()[-1])


def pause_layer(pause_src: Path, work: Path) -> Layer:
    binary = work / "pause"
    subprocess.run(["musl-gcc", "-Os", "-static", "-Wall", "-Werror", "-o", str(binary),
                    "-DVERSION=v3.4.1-kubeclip", str(pause_src)], check=True)  # fmt: skip
    subprocess.run(["strip", str(binary)], check=True)
    layer = Layer()
    layer.file("pause", binary.read_bytes(), 0o755)
    return layer


def config(diff_ids: list[str], **container: object) -> bytes:
    doc = {
        "architecture": "amd64",
        "os": "linux",
        "created": "1970-01-01T00:00:00Z",
        "config": {"Env": [PATH_ENV], **container},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [
            {"created": "1970-01-01T00:00:00Z", "created_by": "kubeclip node_images.py"}
            for _ in diff_ids
        ],
    }
    return json.dumps(doc, sort_keys=True).encode()


def archive(out: Path, images: list[tuple[str, list[bytes], dict[str, object]]]) -> None:
    """A `docker save` archive: manifest.json, one config and one tar per layer."""
    files: dict[str, bytes] = {}
    manifest = []
    for tag, layers, container in images:
        names, diff_ids = [], []
        for layer in layers:
            digest = hashlib.sha256(layer).hexdigest()
            files[f"{digest}/layer.tar"] = layer
            names.append(f"{digest}/layer.tar")
            diff_ids.append(f"sha256:{digest}")
        cfg = config(diff_ids, **container)
        cfg_name = f"{hashlib.sha256(cfg).hexdigest()}.json"
        files[cfg_name] = cfg
        manifest.append({"Config": cfg_name, "RepoTags": [tag], "Layers": names})
    files["manifest.json"] = json.dumps(manifest).encode()
    tmp = out.with_suffix(".tmp")
    with tarfile.open(tmp, "w") as t:
        for name in sorted(files):
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(files[name]), 0
            t.addfile(info, io.BytesIO(files[name]))
    tmp.replace(out)


def stamp(pause_src: Path, *binaries: Path) -> str:
    h = hashlib.sha256(RECIPE.encode())
    for path in [pause_src, PYTHON, Path("/bin/busybox"), Path(__file__),
                 *sorted(FAKE_BIN.iterdir()), REAL_AGENT / "stub_model.py",
                 REAL_AGENT / "stub-config.json", REAL_AGENT / "bin" / "opencode"]:  # fmt: skip
        h.update(str(path).encode() + b"\0" + path.read_bytes())
    for binary in binaries:  # the version is in the path
        h.update(f"{binary}\0{binary.stat().st_size}".encode())
    return h.hexdigest()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pause-src", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    for need in (PYTHON, Path("/bin/busybox"), args.pause_src):
        if not need.exists():
            sys.exit(f"node_images: {need} is missing (python3.11, busybox-static, the source)")
    if shutil.which("musl-gcc") is None:
        sys.exit("node_images: musl-gcc is missing (Debian: musl-tools)")
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / "agent-images.tar"
    opencode, claude, codex = fetched(GET_OPENCODE), fetched(GET_CLAUDE), fetched(GET_CODEX)
    want = stamp(args.pause_src, opencode, claude, codex)
    stamp_file = args.out / "agent-images.stamp"
    if target.exists() and stamp_file.exists() and stamp_file.read_text() == want:
        print(target)
        return 0
    with tempfile.TemporaryDirectory() as work:
        pause = pause_layer(args.pause_src, Path(work)).tar()
        base = base_layer().tar()
    real = opencode_layer(opencode).tar()
    user: dict[str, object] = {"User": "1000:1000", "WorkingDir": "/home/node", "Cmd": ["/bin/sh"]}
    archive(target, [
        (PAUSE, [pause], {"Entrypoint": ["/pause"], "User": "65535:65535"}),
        (AGENT, [base, real], user),
        (CLAUDE_AGENT, [base, real, cli_layer("claude", claude).tar()], user),
        (CODEX_AGENT, [base, real, cli_layer("codex", codex).tar()], user),
        (ROOT_AGENT, [base], {"WorkingDir": "/", "Cmd": ["/bin/sh"]}),
    ])  # fmt: skip
    stamp_file.write_text(want)
    print(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
