"""What kubeclip-opencode says to Paperclip about a failure of its own, once, for the
Python relay and the drop-in (the C relay, ``pump.c``, writes the same bytes; a test holds
them to this function): an OpenCode-style error event on stdout, which Paperclip's parser
takes as the run's error. Standard library only (the relay imports it)."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def error_event(message: str, session_id: str | None = None) -> str:
    """The event as one JSON line (without its newline)."""
    import json  # a failure's path only: the relay's start does without json
    event: dict[str, Any] = {
        "type": "error",
        "error": {"name": "KubeclipError", "message": message, "data": {"message": message}},
    }
    if session_id:
        event["sessionID"] = session_id
    return json.dumps(event, ensure_ascii=False)
