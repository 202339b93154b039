"""Each agent's slots among a shared engine's runs (``kubeclip serve``), in memory: a run
waits its turn here first, without a request, and only then competes through its Secret
with runs elsewhere."""

from __future__ import annotations

import threading
import time


class Turns:
    """Each agent's slots among the engine's runs: which slot indexes its runs hold, so
    that each tries a slot no sibling holds first. ``acquire`` gives the index of a slot
    none of the engine's other runs holds (the one to try first), or None."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.held: dict[tuple[str, str], set[int]] = {}

    def acquire(self, key: tuple[str, str], slots: int, timeout: float | None) -> int | None:
        end = time.monotonic() + (timeout or 0.0)
        with self.changed:
            while True:
                held = self.held.setdefault(key, set())
                free = next((i for i in range(slots) if i not in held), None)
                if free is not None:
                    held.add(free)
                    return free
                left = end - time.monotonic()
                if left <= 0:
                    return None
                self.changed.wait(left)

    def release(self, key: tuple[str, str], slot: int) -> None:
        with self.changed:
            held = self.held.get(key, set())
            held.discard(slot)
            if not held:  # an agent with no run here costs nothing
                self.held.pop(key, None)
            self.changed.notify_all()
