"""The run context: which Paperclip run this is (schema/run-context.schema.json)."""

from __future__ import annotations

from typing import Any

from kubeclip.errors import InputError
from kubeclip.renderer.loader import load_mapping, read_text
from kubeclip.renderer.validation import validate

SCHEMA = "run-context"

RunContext = dict[str, Any]
"""Validated run context. Kept as a plain mapping: ``context`` is Paperclip's open bag."""


def load_run_context(path: str, prompt_file: str | None = None) -> RunContext:
    run = load_mapping(path, "run context")
    return parse_run_context(run, path, read_text(prompt_file, "prompt") if prompt_file else None)


def parse_run_context(run: dict[str, Any], source: str, prompt: str | None = None) -> RunContext:
    validate(SCHEMA, run, source)
    if prompt is not None:
        run = {**run, "prompt": prompt}
    if not run.get("prompt"):
        raise InputError(
            source, ["prompt: is missing; put it in the run context or use --prompt-file"]
        )
    return run


def workspace(run: RunContext) -> dict[str, Any]:
    return (run.get("context") or {}).get("paperclipWorkspace") or {}
