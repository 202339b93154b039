"""Reading a child's first stdout line without losing what follows it.

``Popen.communicate()`` reads the pipe itself, past the buffer of ``proc.stdout``: after a
``proc.stdout.readline()``, whatever that read had buffered beyond its line is lost to the
test (seen twice: a real kubelet delivers a run's lines in bursts). This reads the pipe a
byte at a time, so nothing is held back.
"""

from __future__ import annotations

import os
import subprocess


def first_line(proc: subprocess.Popen[bytes]) -> bytes:
    assert proc.stdout is not None
    line = b""
    while not line.endswith(b"\n"):
        byte = os.read(proc.stdout.fileno(), 1)
        if not byte:
            break
        line += byte
    return line
