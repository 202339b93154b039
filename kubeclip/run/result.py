"""The outcome of a run: one reason, one exit code, one line for a human.

Exit codes: the agent's own when its container ran to the end; otherwise a code per
kind of infrastructure failure, so scripts can tell "the agent failed" from "the
cluster could not run it". The ``reason`` in ``--result`` JSON disambiguates always.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any

from kubeclip.errors import EXIT_CODES, Reason


@dataclass
class RunResult:
    reason: Reason
    message: str
    exitCode: int | None = None
    timedOut: bool = False
    cancelled: bool = False
    jobName: str | None = None
    namespace: str | None = None
    podName: str | None = None
    startedAt: str | None = None
    finishedAt: str | None = None
    signal: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # filled by output parsers

    def process_exit_code(self) -> int:
        code = EXIT_CODES[self.reason]
        if self.reason is Reason.CANCELLED and self.signal == "SIGTERM":
            return 143
        if code is None:
            return self.exitCode if self.exitCode is not None else 1
        return code

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        extra = data.pop("extra")
        return {**data, **extra}

    def dumps(self) -> str:
        """Always valid JSON: a number JSON cannot spell (inf, NaN) becomes null."""
        return json.dumps(_finite(self.to_json()), sort_keys=True, allow_nan=False)

    def line(self) -> str:
        where = f" (job {self.namespace}/{self.jobName})" if self.jobName else ""
        return f"kubeclip: {self.reason}: {self.message}{where}"


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value
