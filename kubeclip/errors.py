"""One error root that separates messages for the user from bugs.

Anything raised as a :class:`KubeclipError` is an expected failure caused by input,
templates or the environment: the CLI prints ``str(error)`` and exits with
``error.exit_code``. Any other exception is a bug in kubeclip (exit 1, traceback).
"""

from __future__ import annotations


class KubeclipError(Exception):
    """An error whose message is meant for the user."""

    exit_code = 2


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

    exit_code = 75


class RefusedObject(KubeclipError):
    """An object kubeclip would use exists and is not this run's: never adopt it."""

    exit_code = 6


class UsageError(KubeclipError):
    """A command used the wrong way (a flag, an argument, an environment variable)."""

    exit_code = 2
