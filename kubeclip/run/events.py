"""What the run's background readers tell its main loop, one typed event per fact.

Why typed: the loop's branches are then checked by mypy (a misspelt tag was a silent
``continue`` when these were string-tagged tuples), and a shared engine that feeds
several runs from one watch (:mod:`kubeclip.run.watches`) builds the same events.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class PodSeen:
    """A pod of the run's Job was added or changed (or is looked at again on a timer)."""

    pod: dict[str, Any]


@dataclass(frozen=True, slots=True)
class PodDeleted:
    """A pod of the run's Job is gone from the API."""

    pod: dict[str, Any]


@dataclass(frozen=True, slots=True)
class JobEvent:
    """A Kubernetes Event about the Job (watched only while no pod appears)."""

    reason: str | None
    message: str


@dataclass(frozen=True, slots=True)
class LogsDone:
    """The pod's log stream ended."""


@dataclass(frozen=True, slots=True)
class ReaderFailed:
    """A background reader died; the main loop re-raises its error."""

    error: BaseException


@dataclass(frozen=True, slots=True)
class Woken:
    """Look again now (a cancel): the main loop otherwise sleeps up to a tick."""


Event = PodSeen | PodDeleted | JobEvent | LogsDone | ReaderFailed | Woken
