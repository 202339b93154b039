"""One error root that separates messages for the user from bugs.

Anything raised as a :class:`KubeclipError` is an expected failure caused by input,
templates or the environment: the CLI prints ``str(error)`` and exits with
``error.exit_code``. Any other exception is a bug in kubeclip (exit 1, traceback).
"""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """How a run (or a command) ended: the ``reason`` of ``--result`` JSON."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    OOM_KILLED = "oom_killed"
    INVALID_INPUT = "invalid_input"
    API_ERROR = "api_error"
    IMAGE_PULL_FAILED = "image_pull_failed"
    UNSCHEDULABLE = "unschedulable"
    CREATE_FAILED = "create_failed"
    EVICTED = "evicted"
    POD_LOST = "pod_lost"
    AGENT_BUSY = "agent_busy"
    DETACHED = "detached"
    TIMED_OUT = "timed_out"
    IDLE_TIMEOUT = "idle_timeout"
    CANCELLED = "cancelled"


# The one exit-code table (the CLI, results and the README's table derive from it; a test
# holds the README to it). None: the agent's own exit code.
EXIT_CODES: dict[Reason, int | None] = {
    Reason.SUCCEEDED: None,
    Reason.FAILED: None,
    Reason.OOM_KILLED: None,  # the container's 137
    Reason.INVALID_INPUT: 2,
    Reason.API_ERROR: 3,
    Reason.IMAGE_PULL_FAILED: 4,
    Reason.UNSCHEDULABLE: 5,
    Reason.CREATE_FAILED: 6,  # admission rejected the pod, bad container config, init failed
    Reason.EVICTED: 7,
    Reason.POD_LOST: 7,  # pod deleted by someone else
    Reason.AGENT_BUSY: 75,  # every slot of this agent is taken (EX_TEMPFAIL)
    Reason.DETACHED: 0,
    Reason.TIMED_OUT: 124,  # as timeout(1)
    Reason.IDLE_TIMEOUT: 124,  # no output for idleTimeoutSec
    Reason.CANCELLED: 130,  # 143 when the signal was SIGTERM
}


def exit_code(reason: Reason) -> int:
    code = EXIT_CODES[reason]
    assert code is not None, reason
    return code


class KubeclipError(Exception):
    """An error whose message is meant for the user."""

    exit_code = exit_code(Reason.INVALID_INPUT)


class InputError(KubeclipError):
    """Invalid user input (config, pod spec, run context, flags). Nothing is applied."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        lines = [f"{source}: {p}" for p in problems]
        super().__init__("\n".join(lines))

    @classmethod
    def merged(cls, errors: list[InputError]) -> InputError:
        """Several inputs were bad: report them all in one go."""
        if len(errors) == 1:
            return errors[0]
        merged = cls("input", [])
        merged.problems = [f"{e.source}: {p}" for e in errors for p in e.problems]
        merged.args = ("\n".join(str(e) for e in errors),)
        return merged


class TemplateError(KubeclipError):
    """A template failed to load, render, or produce valid YAML. Reported with file and line."""

    def __init__(self, template: str, line: int | None, message: str) -> None:
        self.template = template
        self.line = line
        where = f"{template}:{line}" if line else template
        super().__init__(f"{where}: {message}")


class ManifestError(KubeclipError):
    """The rendered manifest breaks an invariant kubeclip guarantees (e.g. a leaked secret)."""


class AgentBusy(KubeclipError):
    """Every run slot of the agent is taken (and concurrency.whenBusy is fail)."""

    exit_code = exit_code(Reason.AGENT_BUSY)


class RefusedObject(KubeclipError):
    """An object kubeclip would use exists and is not this run's: never adopt it."""

    exit_code = exit_code(Reason.CREATE_FAILED)


class Interrupted(KubeclipError):
    """SIGINT/SIGTERM while kubeclip was still retrying an API it could not reach: nothing
    was created, the run is cancelled at once instead of after the retries."""

    def __init__(self, signal_name: str) -> None:
        super().__init__(f"cancelled by {signal_name} while the Kubernetes API was unreachable")
        self.signal = signal_name
        self.exit_code = 143 if signal_name == "SIGTERM" else exit_code(Reason.CANCELLED)


class UsageError(KubeclipError):
    """A command used the wrong way (a flag, an argument, an environment variable)."""

    exit_code = exit_code(Reason.INVALID_INPUT)
