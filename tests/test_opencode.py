"""OpenCode JSONL -> Paperclip's AdapterExecutionResult, on recorded-style transcripts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kubeclip.paperclip.opencode import OpenCodeOutput, error_line

TRANSCRIPTS = Path(__file__).resolve().parent / "transcripts"
WS = {
    "cwd": "/paperclip/ws/a",
    "workspaceId": "ws-1",
    "repoUrl": "https://x/r.git",
    "repoRef": "main",
}


def parse(name: str, exit_code: int = 0, chunk: int = 0) -> tuple[OpenCodeOutput, dict[str, Any]]:
    data = (TRANSCRIPTS / f"{name}.jsonl").read_bytes()
    out = OpenCodeOutput()
    if chunk:
        for i in range(0, len(data), chunk):
            out.feed_bytes(data[i : i + chunk])
    else:
        out.feed_bytes(data)
    out.close()
    return out, out.result_fields(exit_code, "anthropic/claude-sonnet-4-5", WS)


def test_success() -> None:
    _, r = parse("success")
    assert r["sessionId"] == "ses_1d63d5485ffeA1"
    assert r["sessionParams"] == {"sessionId": "ses_1d63d5485ffeA1", **WS}
    assert r["usage"] == {"inputTokens": 2700, "outputTokens": 160, "cachedInputTokens": 1400}
    assert r["costUsd"] == 0.0168
    assert r["summary"] == (
        "I'll look at the failing test in ISS-7 first.\n"
        "Fixed the rounding: invoices now round half-even. Tests pass."
    )
    assert r["provider"] == "anthropic" and r["model"] == "anthropic/claude-sonnet-4-5"
    assert r["clearSession"] is False and "errorMessage" not in r and "exitCode" not in r


def test_any_chunking_gives_the_same_result() -> None:
    whole = parse("success")[1]
    for chunk in (1, 7, 64, 4096):
        assert parse("success", chunk=chunk)[1] == whole


def test_resume_keeps_the_session() -> None:
    _, r = parse("resume")
    assert r["sessionId"] == "ses_1d63d5485ffeA1" and r["clearSession"] is False
    assert r["usage"]["outputTokens"] == 45


def test_tool_error_is_recorded_but_not_fatal() -> None:
    _, r = parse("tool-error")
    assert r["toolErrors"] == [{"tool": "read", "error": "File not found: /paperclip/missing.ts"}]
    assert "errorMessage" not in r and "exitCode" not in r


def test_provider_error_fails_the_run_even_with_exit_0() -> None:
    _, r = parse("provider-error", exit_code=0)
    assert r["exitCode"] == 1
    assert r["errorMessage"] == "AnthropicError: 401 invalid x-api-key"
    assert r["errorCode"] == "opencode_error" and r["clearSession"] is False


def test_unknown_session_asks_to_clear_it() -> None:
    out, r = parse("unknown-session", exit_code=1)
    assert out.unknown_session and r["clearSession"] is True
    assert r["sessionId"] is None and r["sessionParams"] is None
    assert r["errorCode"] == "session_not_found"


def test_step_limit_asks_to_clear_the_session() -> None:
    out, r = parse("step-limit", exit_code=0)
    assert out.step_limit and r["clearSession"] is True and r["errorCode"] == "step_limit"
    assert r["usage"]["outputTokens"] == 400  # usage before the limit still counts


def test_truncated_stream_keeps_what_is_complete() -> None:
    out, r = parse("truncated")
    assert out.plain_lines == 2  # the npm warning and the cut last line
    assert r["summary"] == "Working on it"
    assert r["usage"]["inputTokens"] == 700


def test_a_replayed_step_is_counted_once() -> None:
    lines = (TRANSCRIPTS / "success.jsonl").read_bytes().splitlines(keepends=True)
    out = OpenCodeOutput()
    for line in [*lines, lines[3], lines[6]]:  # a reconnect replaying both step_finish lines
        out.feed_bytes(line)
    assert out.usage.inputTokens == 2700 and round(out.cost_usd, 6) == 0.0168


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(), st.binary().map(lambda b: b.decode("latin-1")),
                          st.recursive(st.none() | st.integers() | st.text(),
                                       lambda c: st.lists(c) | st.dictionaries(st.text(), c))
                          .map(json.dumps))))  # fmt: skip
def test_garbage_never_crashes(lines: list[str]) -> None:
    out = OpenCodeOutput()
    for line in lines:
        out.feed_line(line)
    out.close()
    json.dumps(out.result_fields(0, None, None))


def test_error_line_is_what_paperclip_parses() -> None:
    event = json.loads(error_line("the pod was evicted", "ses_x"))
    assert event["type"] == "error" and event["sessionID"] == "ses_x"
    assert event["error"]["data"]["message"] == "the pod was evicted"
    out = OpenCodeOutput()
    out.feed_line(error_line("boom"))
    assert out.errors == ["boom"]
