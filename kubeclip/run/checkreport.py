"""What ``kubeclip check`` found: pass / warn / fail with a hint each, as a table for a
person or in Paperclip's testEnvironment shape for the adapter."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["pass", "warn", "fail"]
# Paperclip's testEnvironment levels for kubeclip's statuses
LEVEL: dict[Status, Literal["info", "warn", "error"]] = {
    "pass": "info", "warn": "warn", "fail": "error",
}  # fmt: skip
CHART_HINT = "install or upgrade the chart: helm upgrade --install kubeclip charts/kubeclip"


@dataclass
class Check:
    code: str
    status: Status
    message: str
    hint: str | None = None

    def to_json(self) -> dict[str, Any]:
        body = {"code": self.code, "level": LEVEL[self.status], "message": self.message}
        if self.hint:
            body["hint"] = self.hint
        return body


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)

    def add(self, code: str, status: Status, message: str, hint: str | None = None) -> Check:
        check = Check(code, status, message, hint)
        self.checks.append(check)
        return check

    @property
    def status(self) -> Status:
        statuses = {c.status for c in self.checks}
        return "fail" if "fail" in statuses else "warn" if "warn" in statuses else "pass"

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "checks": [c.to_json() for c in self.checks],
            "testedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }

    def table(self) -> str:
        width = max([len(c.code) for c in self.checks] + [5])
        lines = [f"{'STATUS':6}  {'CHECK':{width}}  MESSAGE"]
        for c in self.checks:
            lines.append(f"{c.status:6}  {c.code:{width}}  {c.message}")
            if c.hint and c.status != "pass":
                lines.append(f"{'':6}  {'':{width}}  hint: {c.hint}")
        lines.append(f"\nresult: {self.status}")
        return "\n".join(lines) + "\n"
