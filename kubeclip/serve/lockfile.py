"""The one lock that makes a socket path one serve's: an flock on ``<socket>.lock``."""

from __future__ import annotations

import fcntl
import os
from typing import TextIO


def take_lock(path: str) -> TextIO | None:
    """The lock of a socket path, held for serve's life; None when another serve holds it.
    serve removes the lock file as it leaves (still holding it); a serve that opened it
    before and locks it afterwards holds a file no longer at the path, so it looks again."""
    while True:
        lock = open(path, "w")  # noqa: SIM115 - held for our life
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            return None
        try:
            if os.stat(path).st_ino == os.fstat(lock.fileno()).st_ino:
                return lock
        except FileNotFoundError:
            pass
        lock.close()  # removed by the serve that held it: take the new one
