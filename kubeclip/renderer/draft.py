"""What a plan's stages hand each other, as values: the run's :class:`Inputs` (read by
every stage, decided by none), the :class:`Review` (what a reviewer is told, the user's
mistakes) and the :class:`Draft` (the Job's env and the run Secret, the one place a value
enters the env: every literal is judged, and a credential goes to the Secret), then what
the stages decide: the run's :class:`Identity`, its :class:`Mounts`, its :class:`Command`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, NoReturn

from kubeclip.errors import InputError
from kubeclip.renderer import credentials, naming
from kubeclip.renderer.config import AgentConfig
from kubeclip.renderer.plan import BUILTIN_ENV_DENY, REDACTED, k8s_escape
from kubeclip.renderer.podfacts import PodFacts
from kubeclip.renderer.runcontext import RunContext, workspace
from kubeclip.renderer.runtimes import RUNTIMES, AgentRuntime

if TYPE_CHECKING:
    from kubeclip.renderer.kube_types import (
        EnvFromSource,
        EnvVar,
        EnvVarSource,
        Volume,
        VolumeMount,
    )


@dataclass(frozen=True)
class Inputs:
    """What every stage may read; nothing in it is decided by a stage."""

    config: AgentConfig
    facts: PodFacts
    run: RunContext
    source: str  # what errors name: the config's file
    reveal: bool  # the Secret's values, or REDACTED (a review)
    attempt: int
    namespace: str
    slot: int
    nonce: str | None

    @cached_property
    def ctx(self) -> dict[str, Any]:
        return self.run.get("context") or {}

    @cached_property
    def ws(self) -> dict[str, Any]:
        return workspace(self.run)

    @cached_property
    def runtime(self) -> AgentRuntime:
        return RUNTIMES[self.config["runtime"]]

    @cached_property  # read for every inherited variable
    def deny(self) -> tuple[str, ...]:
        return (*BUILTIN_ENV_DENY, *self.config["inherit"]["envDeny"])


@dataclass
class Review:
    """What a reviewer is told, and the user's mistakes, gathered over every stage."""

    source: str
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # not inherited
    problems: list[str] = field(default_factory=list)

    def fail(self, path: str, message: str) -> NoReturn:
        raise InputError(self.source, [*self.problems, f"{path}: {message}"])

    def problem(self, path: str, message: str) -> None:
        """A mistake that stops no later stage: reported with all the others at the end
        (:meth:`raise_problems`), so a config is fixed in one go, not one error per run."""
        self.problems.append(f"{path}: {message}")

    def raise_problems(self) -> None:
        if self.problems:
            raise InputError(self.source, self.problems)


class Draft:
    """The Job's env being merged (in precedence order) and the run Secret's contents."""

    def __init__(self, inputs: Inputs, review: Review, job_name: str, secret_name: str) -> None:
        self.review, self.job_name, self.secret_name = review, job_name, secret_name
        self.reveal = inputs.reveal
        secret_env = inputs.config["secretEnv"]
        self.is_secret = credentials.judge(secret_env["always"], secret_env["never"])
        self.env: dict[str, EnvVar] = {}
        self.string_data: dict[str, str] = {}
        self.data: dict[str, str] = {}  # base64 (a compressed prompt)
        self.secret_values: list[str] = []

    def to_secret(self, key: str, value: str) -> EnvVarSource:
        key = naming.run_secret_key(self.job_name, key)
        if len(key) > 253:  # a Secret key's limit; only a variable name of ~185+ characters
            self.review.fail("env", f"the run Secret's key {key[:60]}… is longer than 253 "
                             "characters: shorten that variable's name")  # fmt: skip
        self.secret_values.append(value)
        self.string_data[key] = value if self.reveal else REDACTED
        return {"secretKeyRef": {"name": self.secret_name, "key": key}}

    def put(self, name: str, value: str | None = None, source: EnvVarSource | None = None) -> None:
        var: EnvVar = {"name": name}
        if source is not None:
            var["valueFrom"] = source
        else:
            var["value"] = k8s_escape(value or "")
        self.env[name] = var

    def put_literal(self, name: str, value: str) -> bool:
        """A literal value: into the run Secret when it is a credential. True if it was."""
        if self.is_secret(name, value):
            self.put(name, source=self.to_secret(f"env.{name}", value))
            return True
        self.put(name, value)
        return False



@dataclass(frozen=True)
class Identity:
    """Who and what the run is: its names, labels (selected on) and annotations (the raw
    ids, which labels cannot always hold)."""

    agent_id: str
    run_id: str
    name: str  # the Job's
    secret_name: str  # the agent slot's run Secret
    image: str
    labels: dict[str, str]
    ids: dict[str, str]


@dataclass(frozen=True)
class Mounts:
    volumes: list[Volume]
    mounts: list[VolumeMount]
    inherited: list[str]  # inherited secret volumes, for the reviewer


@dataclass(frozen=True)
class Command:
    argv: list[str]
    cwd: str
    session: str | None  # the session resumed


@dataclass(frozen=True)
class Pod:
    """The pod's own decisions: its mounts, its command, the envFrom it inherits."""

    mounts: Mounts
    command: Command
    env_from: list[EnvFromSource]
