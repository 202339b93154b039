"""OpenCode's output -> Paperclip's AdapterExecutionResult, read from what the real binary
printed (tests/captures, OpenCode 1.18.34 against the stub model)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kubeclip.paperclip.opencode import OpenCodeOutput, error_line, strip_ansi
from tests.realagent.captures import Capture, load

WS = {
    "cwd": "/paperclip/ws/a",
    "workspaceId": "ws-1",
    "repoUrl": "https://x/r.git",
    "repoRef": "main",
}
ONE_STEP = {"inputTokens": 1000, "outputTokens": 60, "cachedInputTokens": 200}  # the stub's


def parse(capture: Capture | str, chunk: int = 0) -> tuple[OpenCodeOutput, dict[str, Any]]:
    cap = load(capture) if isinstance(capture, str) else capture
    out = OpenCodeOutput()
    for data, feed in ((cap.stdout, out.feed_bytes), (cap.stderr, out.feed_stderr)):
        for i in range(0, len(data), chunk or max(1, len(data))):
            feed(data[i : i + (chunk or len(data))])
    out.close()
    return out, out.result_fields(cap.exit_code, "stub/ok", WS)


def test_a_real_session_id_usage_cost_and_summary() -> None:
    _, r = parse("success")
    session = r["sessionId"]
    assert session.startswith("ses_") and len(session) == 30
    assert r["sessionParams"] == {"sessionId": session, **WS}
    # OpenCode's input excludes the cached tokens, its output the reasoning ones
    assert r["usage"] == ONE_STEP
    assert r["costUsd"] == 0.00396  # 1000 x $3 + 200 x $0.30 + 60 x $15 per million
    assert r["summary"] == "hello from the stub model (58 characters read)."
    assert r["provider"] == "stub" and r["clearSession"] is False
    assert "errorMessage" not in r and "exitCode" not in r


def test_any_chunking_gives_the_same_result() -> None:
    for name in ("success", "tool-use", "unknown-session", "provider-error-401"):
        whole = parse(name)[1]
        for chunk in (1, 7, 64, 4096):
            assert parse(name, chunk=chunk)[1] == whole, (name, chunk)


def test_each_step_counts_and_texts_join_with_a_blank_line() -> None:
    _, r = parse("tool-use")
    assert r["usage"] == {k: 2 * v for k, v in ONE_STEP.items()}
    assert round(r["costUsd"], 10) == 0.00792
    assert r["summary"] == "The tool ran; done."
    assert r["toolErrors"] == []


def test_resume_keeps_the_session_it_was_given() -> None:
    cap = load("resume")
    _, r = parse(cap)
    assert r["sessionId"] == cap.session_arg and r["clearSession"] is False


def test_a_failed_tool_call_is_recorded_but_not_fatal() -> None:
    _, r = parse("tool-error")
    assert [e["tool"] for e in r["toolErrors"]] == ["read"]
    assert r["toolErrors"][0]["error"]
    assert "errorMessage" not in r and "exitCode" not in r and r["summary"]


def test_a_provider_error_fails_the_run_with_the_providers_message() -> None:
    cap = load("provider-error-401")
    assert cap.exit_code == 1 and b"step_start" not in cap.stdout  # as the real binary does it
    _, r = parse(cap)
    assert r["errorMessage"] == "Incorrect API key provided: sk-stub***"
    assert r["errorCode"] == "opencode_error" and r["clearSession"] is False
    assert r["sessionId"].startswith("ses_")  # the session exists: it may be resumed


def test_a_5xx_after_the_retries_is_an_error_too() -> None:
    _, r = parse("provider-error-500")
    assert r["errorMessage"] == "The stub model is down" and r["clearSession"] is False


def test_an_unknown_model_is_not_an_unknown_session() -> None:
    for name in ("unknown-model", "unknown-model-print-logs"):
        out, r = parse(name)
        assert r["errorMessage"] == "Unexpected server error. Check server logs for details."
        assert not out.says_unknown_session and r["clearSession"] is False, name
    # the cause is only in --print-logs' stderr, where Paperclip's rule matches it
    assert b"ProviderModelNotFoundError" in load("unknown-model-print-logs").stderr


def test_an_unknown_session_said_on_stderr_only_clears_it() -> None:
    cap = load("unknown-session")
    assert cap.stdout == b"" and cap.exit_code == 1 and b"\x1b[" in cap.stderr
    out, r = parse(cap)
    assert out.unknown_session(1) and r["clearSession"] is True
    assert r["sessionId"] is None and r["sessionParams"] is None
    assert r["errorCode"] == "session_not_found"
    assert r["errorMessage"] == "Error: Session not found"  # no escape codes


def test_an_unknown_session_is_found_among_printed_logs() -> None:
    out, r = parse("unknown-session-print-logs")
    assert out.unknown_session(1) and r["clearSession"] is True


def test_a_run_that_succeeded_never_clears_its_session() -> None:
    out = OpenCodeOutput()
    out.feed_stderr(b"note: session not found in the cache, created a new one\n")
    out.feed_bytes(load("success").stdout)
    out.close()
    assert out.says_unknown_session and not out.unknown_session(0)
    assert out.result_fields(0, None, WS)["clearSession"] is False


def test_a_step_limit_is_an_ordinary_successful_run() -> None:
    cap = load("step-limit")
    assert cap.exit_code == 0 and cap.stderr == b""
    _, r = parse(cap)
    assert r["summary"] == "Stopping here: the step limit was reached."
    assert r["clearSession"] is False and "errorMessage" not in r


def test_sigterm_loses_the_part_being_streamed() -> None:
    cap = load("sigterm-mid-part")
    assert cap.exit_code is None and cap.signal == "SIGTERM"
    assert cap.stdout.endswith(b"}\n")  # nothing after the last complete event
    out, r = parse(cap)
    assert r["sessionId"].startswith("ses_") and r["summary"] == "" and out.plain_lines == 0


def test_a_cut_stream_keeps_what_is_complete() -> None:
    data = load("tool-use").stdout
    cut = data[: data.rindex(b'"type":"text"') + 20]  # the text part's line cut short
    out = OpenCodeOutput()
    out.feed_bytes(b"npm warn: something unrelated\n" + cut)
    out.close()
    assert out.plain_lines == 2 and out.summary == ""
    assert out.usage.inputTokens == 1000  # the complete first step


def test_a_replayed_step_is_counted_once() -> None:
    lines = load("tool-use").stdout.splitlines(keepends=True)
    steps = [line for line in lines if b'"step_finish"' in line]
    out = OpenCodeOutput()
    for line in [*lines, *steps]:  # a reconnect replaying both step_finish lines
        out.feed_bytes(line)
    assert out.usage.inputTokens == 2000 and round(out.cost_usd, 6) == 0.00792


def test_stderr_in_any_chunks_and_escape_codes() -> None:
    err = load("unknown-session").stderr
    out = OpenCodeOutput()
    for byte in err:
        out.feed_stderr(bytes([byte]))
    out.close()
    assert out.first_stderr_line == "Error: Session not found" and out.says_unknown_session
    assert strip_ansi("\x1b]0;title\x07\x1b[31mred\x1b[0m") == "red"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(), st.binary().map(lambda b: b.decode("latin-1")),
                          st.recursive(st.none() | st.integers() | st.text(),
                                       lambda c: st.lists(c) | st.dictionaries(st.text(), c))
                          .map(json.dumps))))  # fmt: skip
def test_garbage_never_crashes(lines: list[str]) -> None:
    out = OpenCodeOutput()
    for line in lines:
        out.feed_line(line)
        out.feed_stderr(line.encode("utf-8", "replace"))
    out.close()
    json.dumps(out.result_fields(0, None, None))


def test_error_line_is_what_paperclip_parses() -> None:
    event = json.loads(error_line("the pod was evicted", "ses_x"))
    assert event["type"] == "error" and event["sessionID"] == "ses_x"
    assert event["error"]["data"]["message"] == "the pod was evicted"
    out = OpenCodeOutput()
    out.feed_line(error_line("boom"))
    assert out.errors == ["boom"]


def test_an_error_event_with_exit_0_is_a_failed_run() -> None:
    out = OpenCodeOutput()
    out.feed_bytes(load("provider-error-401").stdout)
    out.close()
    r = out.result_fields(0, None, WS)
    assert r["exitCode"] == 1 and r["errorMessage"] == "Incorrect API key provided: sk-stub***"
