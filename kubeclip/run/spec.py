"""What a run is: the rendered plan (its ``run`` section is the contract)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from kubeclip.renderer import naming
from kubeclip.renderer.plan import Plan, RunPlan
from kubeclip.renderer.render import Rendered


@dataclass
class RunSpec:
    """What to run: the rendered manifests. Everything else is read from the plan's ``run``
    section (the contract the renderer verified the Job against), never from the config."""

    rendered: Rendered
    detach: bool = False
    # follow a Job another serve created (kubeclip.serve.adopt): never create anything
    adopt: bool = False
    # the same run rendered for another of the agent's slots (its Secret's name); None: the
    # run can use only the slot it was rendered for
    render_slot: Callable[[int], Rendered] | None = None

    @classmethod
    def adopted(cls, run: RunPlan, job: dict[str, Any]) -> RunSpec:
        """A run known from a serve's journal: its ``run`` contract and its Job, no Secret."""
        plan = cast(Plan, {"run": run})
        return cls(Rendered([cast(Any, job)], plan), adopt=True)

    @property
    def run(self) -> RunPlan:
        return self.rendered.plan["run"]

    @property
    def namespace(self) -> str:
        return self.run["namespace"]

    @property
    def job_name(self) -> str:
        return self.run["jobName"]

    @property
    def secret_name(self) -> str:
        """The run Secret's name: the agent's lock for this run's slot."""
        return self.run["secretName"]

    @property
    def container(self) -> str:
        return self.run["container"]

    @property
    def agent_id(self) -> str:
        return self.run["agentId"]

    @property
    def run_id(self) -> str:
        return self.run["runId"]

    @property
    def retain(self) -> bool:
        return self.run["retainJobs"]

    @property
    def timeout(self) -> int:
        return self.run["timeoutSec"]

    @property
    def grace(self) -> int:
        return self.run["graceSec"]

    @property
    def schedule_timeout(self) -> int:
        return self.run["scheduleTimeoutSec"]

    @property
    def idle_timeout(self) -> int:
        return self.run.get("idleTimeoutSec", 0)  # a journal of an older serve has none

    @property
    def max_runs(self) -> int:
        return self.run["maxRunsPerAgent"]

    @property
    def slot(self) -> int:
        """The agent's run slot whose Secret (the lock) this rendering uses."""
        for i in range(self.max_runs):
            if naming.run_secret_name(self.agent_id, i) == self.run["secretName"]:
                return i
        raise AssertionError(f"{self.run['secretName']} is none of the agent's slots")

    def can_reslot(self) -> bool:
        return self.render_slot is not None and self.max_runs > 1 and not self.adopt

    def reslot(self, slot: int) -> None:
        """Use another slot: everyone holding this spec sees the new rendering."""
        assert self.render_slot is not None
        rendered = self.render_slot(slot)
        assert rendered.plan["run"]["jobName"] == self.job_name, "a slot renames no Job"
        self.rendered = rendered

    @property
    def when_busy(self) -> str:
        return self.run["whenBusy"]

    @property
    def selector(self) -> str:
        return ",".join(f"{k}={v}" for k, v in self.run["selector"].items())

    def document(self, kind: str) -> dict[str, Any]:
        for doc in self.rendered.documents:
            if doc.get("kind") == kind:
                return dict(doc)
        raise AssertionError(f"no {kind} rendered")
