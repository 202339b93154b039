"""The ``serve``, ``ps`` and ``logs`` commands."""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
from typing import Any

from kubeclip.errors import UsageError
from kubeclip.paperclip import protocol
from kubeclip.serve.session import find_archive, log_dir, read_archive


def serve_command(args: argparse.Namespace) -> int:
    if args.command == "serve":
        from kubeclip.serve.server import Serve

        path = args.socket or protocol.default_socket()
        uids = {os.getuid(), *args.allow_uid}
        return Serve(path, args.log_dir, args.idle_exit, uids, args.keep_logs).serve_forever()
    if args.command == "ps":
        return _ps(args)
    return _logs(args)


def _ask(path: str, kind: bytes, payload: bytes) -> tuple[socket.socket, protocol.FrameReader]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
    except OSError as e:
        sock.close()
        raise UsageError(f"no kubeclip serve at {path}: {e.strerror}; start one with `kubeclip "
                         f"serve --socket {path}` (a relay starts its own on first use)"
                         ) from None  # fmt: skip
    sock.sendall(protocol.frame(kind, payload))
    return sock, protocol.FrameReader(sock)


def _ps(args: argparse.Namespace) -> int:
    sock, reader = _ask(args.socket or protocol.default_socket(), protocol.QUERY, b"")
    with sock:
        got = reader.read()
    rows: list[dict[str, Any]] = json.loads(got[1]) if got else []
    if args.output == "json":
        print(json.dumps(rows, indent=2))
        return 0
    columns = ("RUN", "AGENT", "TASK", "PHASE", "AGE", "POD", "NODE")
    table = [columns]
    for r in sorted(rows, key=lambda r: (r["agent"], -r["age"])):
        table.append((r["run"], r["agent"], r["task"] or "-", r["phase"], _age(r["age"]),
                      r["pod"] or "-", r["node"] or "-"))  # fmt: skip
    widths = [max(len(str(row[i])) for row in table) for i in range(len(columns))]
    for row in table:
        print("   ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    return 0


def _age(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    return f"{seconds // 3600}h"


def _logs(args: argparse.Namespace) -> int:
    """From serve when it runs (live with -f), else from the archive on disk."""
    path = args.socket or protocol.default_socket()
    if args.log_dir is None and os.path.exists(path):
        try:
            sock, reader = _ask(path, protocol.LOGS,
                                json.dumps({"run": args.run, "follow": args.follow}).encode())
        except UsageError:
            pass
        else:
            with sock:
                return _copy(reader)
    archive = find_archive(args.log_dir or log_dir(), args.run)
    for kind, data in read_archive(archive):
        (sys.stdout if kind == protocol.STDOUT else sys.stderr).buffer.write(data)
    return 0


def _copy(reader: protocol.FrameReader) -> int:
    while (got := reader.read()) is not None:
        kind, payload = got
        if kind == protocol.STDOUT:
            sys.stdout.buffer.write(payload)
            sys.stdout.buffer.flush()
        elif kind == protocol.STDERR:
            sys.stderr.buffer.write(payload)
            sys.stderr.buffer.flush()
        elif kind == protocol.EXIT:
            return int(payload.split()[0] or b"0")
    return 0
