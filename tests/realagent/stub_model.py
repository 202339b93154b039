#!/usr/bin/python3
"""A stub model server: OpenAI-compatible Chat Completions, Anthropic's Messages API and
OpenAI's Responses API, for the real agent CLIs (OpenCode through the first; Claude Code,
``ANTHROPIC_BASE_URL``, through ``POST /v1/messages``; Codex, a ``model_providers`` entry
with this ``base_url``, through ``POST /v1/responses``).

Why: the real ``opencode`` (and the other CLIs) must run in the tests exactly as users run
them; only the model behind them is ours. It listens on 127.0.0.1 only and never calls
anywhere. Standard library only, one file: it also runs inside the real tier's agent image.

The **model name picks the scenario** (``stub/<scenario>``, or ``stub-<scenario>`` for a
CLI that takes bare model names), so any launcher that passes a
model (Paperclip's adapters, ``kubeclip run``, the drop-in) drives it without other wiring:

- ``ok``: one streamed text reply (``hello …`` so Paperclip's hello probe passes);
- ``tools``: a ``bash`` tool call (``echo tool-output``), then a text reply;
- ``tool-error``: a ``read`` of a file that does not exist, then a text reply;
- ``big``: a ``write`` tool call of 1 MiB (the event carries it whole), then a text reply;
- ``loop``: a tool call on every turn until OpenCode says its step limit is reached;
- ``slow``: a text reply streamed one word per 0.5 s for ~60 s (signals mid-part);
- ``pause`` (Messages API): ``ok``'s reply after 8 s of silence (something happens mid-run);
- ``e401``: HTTP 401 (a bad key); ``e500``: HTTP 500 on every request;
- ``key`` (Responses API): ``ok``, for a request that carries :data:`KEY` as its bearer
  token only, else HTTP 401 (which variable a CLI takes its key from);
- ``hang``: accepts the request and never answers.

Every streamed reply ends with a usage chunk holding cached and reasoning tokens, so the
parsers' usage and cost arithmetic is exercised. Title-generation requests (a system prompt
asking for a title) get a short title whatever the scenario, except the error ones.

Usage: stub_model.py [--port N] [--port-file F]   (N=0: any free port, written to F)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BIG = 1024 * 1024
KEY = "sk-kubeclip-test-key-0123456789abcdef"  # the one key the ``key`` scenario accepts
USAGE = {
    "prompt_tokens": 1200,
    "completion_tokens": 60,
    "total_tokens": 1260,
    "prompt_tokens_details": {"cached_tokens": 200},
    "completion_tokens_details": {"reasoning_tokens": 12},
}
TOOL_CALLS = {
    "tools": ("bash", {"command": "echo tool-output", "description": "Print a marker"}),
    "tool-error": ("read", {"filePath": "missing-file.txt"}),
    "big": ("write", {"filePath": "big.txt", "content": "x" * BIG}),
    "loop": ("bash", {"command": "echo again", "description": "Loop"}),
}


def _last_role(messages: list[dict[str, Any]]) -> str:
    return str(messages[-1].get("role", "")) if messages else ""


def _text_of(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(c.get("text", "")) for c in content if isinstance(c, dict))
    return ""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        if os.environ.get("STUB_MODEL_LOG"):
            sys.stderr.write("stub-model: " + format % args + "\n")

    def do_GET(self) -> None:  # /v1/models
        self._json(200, {"object": "list", "data": [
            {"id": s, "object": "model"} for s in ("ok", "tools", "tool-error", "big", "loop",
                                                    "slow", "e401", "e500", "hang")]})  # fmt: skip

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            self._json(400, {"error": {"message": "bad json", "type": "invalid_request_error"}})
            return
        model = str(body.get("model", "ok")).rsplit("/", 1)[-1].removeprefix("stub-")
        if os.environ.get("STUB_MODEL_DUMP"):  # what the CLI sent, for writing new scenarios
            with open(os.environ["STUB_MODEL_DUMP"], "a") as dump:
                dump.write(json.dumps(body) + "\n")
        if self.path.split("?")[0].rstrip("/").endswith("/messages"):
            _anthropic(self, body, model)
            return
        if self.path.split("?")[0].rstrip("/").endswith("/responses"):
            _responses(self, body, model)
            return
        messages = body.get("messages") or []
        system = " ".join(_text_of(m) for m in messages if m.get("role") == "system")
        if model == "e401":
            self._json(401, {"error": {"message": "Incorrect API key provided: sk-stub***",
                                       "type": "invalid_request_error",
                                       "code": "invalid_api_key"}})  # fmt: skip
            return
        if model == "e500":
            self._json(500, {"error": {"message": "The stub model is down",
                                       "type": "server_error"}})  # fmt: skip
            return
        if model == "hang":
            time.sleep(3600)
            return
        if "title" in system.lower() and not body.get("tools"):
            self._reply(body, text="Stub title")
            return
        if any("MAXIMUM STEPS REACHED" in _text_of(m) for m in messages):  # as a model obeys
            self._reply(body, text="Stopping here: the step limit was reached.")
            return
        if model in TOOL_CALLS and (_last_role(messages) != "tool" or model == "loop"):
            name, args = TOOL_CALLS[model]
            self._reply(body, tool=(name, args))
            return
        if model == "slow":
            self._reply(body, text=" ".join(f"word{i}" for i in range(120)), pace=0.5)
            return
        if _last_role(messages) == "tool":
            # a model reads a tool's result before it answers: the real OpenCode drops what it
            # has not yet written to a full stdout pipe when it exits (docs/opencode.md, "OpenCode
            # output"), so an instant answer after a 1 MiB event would test that, not us
            time.sleep(1.0 if model == "big" else 0.0)
            self._reply(body, text="The tool ran; done.")
            return
        prompt = _text_of(messages[-1]) if messages else ""
        self._reply(body, text=f"hello from the stub model ({len(prompt)} characters read).")

    # --- answers -------------------------------------------------------------------------
    def _json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _stream(self) -> None:
        """An SSE answer: its headers now, its events as they come, closed at the end."""
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("cache-control", "no-cache")
        self.send_header("connection", "close")
        self.end_headers()
        self.close_connection = True

    def _reply(self, body: dict[str, Any], text: str = "", tool: tuple[str, dict[str, Any]]
               | None = None, pace: float = 0.0) -> None:  # fmt: skip
        model = str(body.get("model", ""))
        if not body.get("stream"):
            message: dict[str, Any] = {"role": "assistant", "content": text or None}
            if tool:
                message["tool_calls"] = [{"id": "call_stub_1", "type": "function", "function": {
                    "name": tool[0], "arguments": json.dumps(tool[1])}}]  # fmt: skip
            self._json(200, {"id": "chatcmpl-stub", "object": "chat.completion", "created": 0,
                             "model": model, "usage": USAGE, "choices": [{
                                 "index": 0, "message": message,
                                 "finish_reason": "tool_calls" if tool else "stop"}]})  # fmt: skip
            return
        self._stream()

        def chunk(delta: dict[str, Any] | None, finish: str | None = None,
                  usage: dict[str, Any] | None = None) -> None:  # fmt: skip
            event: dict[str, Any] = {"id": "chatcmpl-stub", "object": "chat.completion.chunk",
                                     "created": 0, "model": model,
                                     "choices": [] if delta is None else [{
                                         "index": 0, "delta": delta,
                                         "finish_reason": finish}]}  # fmt: skip
            if usage:
                event["usage"] = usage
            self.wfile.write(b"data: " + json.dumps(event).encode() + b"\n\n")
            self.wfile.flush()

        try:
            chunk({"role": "assistant", "content": ""})
            if tool:
                chunk({"tool_calls": [{"index": 0, "id": "call_stub_1", "type": "function",
                                       "function": {"name": tool[0], "arguments": ""}}]})
                chunk({"tool_calls": [{"index": 0, "function": {
                    "arguments": json.dumps(tool[1])}}]})  # fmt: skip
                chunk({}, "tool_calls")
            else:
                words = text.split(" ")
                step = 1 if pace else max(1, len(words) // 3)
                for i in range(0, len(words), step):
                    piece = " ".join(words[i : i + step])
                    chunk({"content": piece if i == 0 else " " + piece})
                    if pace:
                        time.sleep(pace)
                chunk({}, "stop")
            chunk(None, usage=USAGE)
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass


# --- Anthropic's Messages API (Claude Code) ---------------------------------------------
ANTHROPIC_USAGE = {"input_tokens": 1000, "cache_creation_input_tokens": 100,
                   "cache_read_input_tokens": 200, "output_tokens": 60}  # fmt: skip
ANTHROPIC_TOOLS = {"tools": ("Bash", {"command": "echo tool-output",
                                      "description": "Print a marker"})}  # fmt: skip


def _anthropic(h: Handler, body: dict[str, Any], scenario: str) -> None:
    """``POST /v1/messages``: the scenario's answer, streamed (SSE) when asked, as the
    Anthropic API streams: message_start, content blocks and their deltas, message_delta
    with the stop reason and usage, message_stop."""
    if scenario == "e401":
        h._json(401, {"type": "error", "error": {"type": "authentication_error",
                                                 "message": "invalid x-api-key"}})  # fmt: skip
        return
    if scenario == "e500":
        h._json(500, {"type": "error", "error": {"type": "api_error",
                                                 "message": "The stub model is down"}})  # fmt: skip
        return
    if scenario == "hang":
        time.sleep(3600)
        return
    if scenario == "pause":
        time.sleep(8)
    messages = body.get("messages") or []
    last = messages[-1].get("content") if messages else ""
    tool_result = isinstance(last, list) and any(
        isinstance(b, dict) and b.get("type") == "tool_result" for b in last)  # fmt: skip
    if scenario in ANTHROPIC_TOOLS and not tool_result:
        name, args = ANTHROPIC_TOOLS[scenario]
        block: dict[str, Any] = {"type": "tool_use", "id": "toolu_stub_1", "name": name,
                                 "input": args}  # fmt: skip
        stop = "tool_use"
    else:
        text = ("The tool ran; done." if tool_result else
                f"hello from the stub model ({len(_text_of(messages[-1]) if messages else '')}"
                " characters read).")  # fmt: skip
        if scenario == "slow":
            text = " ".join(f"word{i}" for i in range(120))
        block, stop = {"type": "text", "text": text}, "end_turn"
    model = str(body.get("model", ""))
    message = {"id": "msg_stub", "type": "message", "role": "assistant", "model": model,
               "content": [block], "stop_reason": stop, "stop_sequence": None,
               "usage": ANTHROPIC_USAGE}  # fmt: skip
    if not body.get("stream"):
        h._json(200, message)
        return
    h._stream()

    def event(kind: str, data: dict[str, Any]) -> None:
        h.wfile.write(f"event: {kind}\ndata: {json.dumps({'type': kind, **data})}\n\n".encode())
        h.wfile.flush()

    try:
        event("message_start", {"message": {**message, "content": [], "stop_reason": None,
                                            "usage": {**ANTHROPIC_USAGE, "output_tokens": 1}}})
        if block["type"] == "tool_use":
            event("content_block_start", {"index": 0, "content_block": {**block, "input": {}}})
            event("content_block_delta", {"index": 0, "delta": {
                "type": "input_json_delta", "partial_json": json.dumps(block["input"])}})
        else:
            event("content_block_start", {"index": 0, "content_block": {"type": "text",
                                                                         "text": ""}})
            words = block["text"].split(" ")
            step = 1 if scenario == "slow" else max(1, len(words) // 3)
            for i in range(0, len(words), step):
                piece = " ".join(words[i : i + step])
                event("content_block_delta", {"index": 0, "delta": {
                    "type": "text_delta", "text": piece if i == 0 else " " + piece}})
                if scenario == "slow":
                    time.sleep(0.5)
        event("content_block_stop", {"index": 0})
        event("message_delta", {"delta": {"stop_reason": stop, "stop_sequence": None},
                                "usage": {"output_tokens": ANTHROPIC_USAGE["output_tokens"]}})
        event("message_stop", {})
    except (BrokenPipeError, ConnectionResetError):
        pass


# --- OpenAI's Responses API (Codex) ------------------------------------------------------
RESPONSES_USAGE = {"input_tokens": 1200, "input_tokens_details": {"cached_tokens": 200},
                   "output_tokens": 60, "output_tokens_details": {"reasoning_tokens": 12},
                   "total_tokens": 1260}  # fmt: skip
SHELLS = {"exec_command": {"cmd": "echo tool-output"},  # whichever shell tool Codex offers
          "shell_command": {"command": "echo tool-output"},
          "shell": {"command": ["bash", "-lc", "echo tool-output"]}}  # fmt: skip


def _responses(h: Handler, body: dict[str, Any], scenario: str) -> None:
    """``POST /v1/responses``, streamed as the Responses API streams: response.created, the
    output item (text deltas first), response.completed with usage. Codex sends the whole
    history each time: a ``function_call_output`` last means the tool ran."""
    if scenario == "hang":
        time.sleep(3600)
        return
    if scenario == "e401" or (
        scenario == "key" and h.headers.get("Authorization") != f"Bearer {KEY}"
    ):
        h._json(401, {"error": {"message": "Incorrect API key provided: sk-stub***",
                                "type": "invalid_request_error", "code": "invalid_api_key"}})
        return
    if scenario == "e500":
        h._json(500, {"error": {"message": "The stub model is down", "type": "server_error"}})
        return
    if scenario == "pause":
        time.sleep(8)
    items = [i for i in body.get("input") or [] if isinstance(i, dict)]
    ran = bool(items) and items[-1].get("type") == "function_call_output"
    offered = [t.get("name") for t in body.get("tools") or [] if isinstance(t, dict)]
    shell = next((name for name in SHELLS if name in offered), None)
    if scenario == "tools" and not ran and shell:
        item: dict[str, Any] = {"type": "function_call", "id": "fc_stub_1", "name": shell,
                                "call_id": "call_stub_1",
                                "arguments": json.dumps(SHELLS[shell])}  # fmt: skip
    else:
        users = [i for i in items if i.get("role") == "user"]
        text = ("The tool ran; done." if ran else
                f"hello from the stub model ({len(_text_of(users[-1]) if users else '')}"
                " characters read).")  # fmt: skip
        if scenario == "slow":
            text = " ".join(f"word{i}" for i in range(120))
        item = {"type": "message", "id": "msg_stub_1", "role": "assistant",
                "content": [{"type": "output_text", "text": text}]}  # fmt: skip
    h._stream()

    def event(kind: str, data: dict[str, Any]) -> None:
        h.wfile.write(f"event: {kind}\ndata: {json.dumps({'type': kind, **data})}\n\n".encode())
        h.wfile.flush()

    try:
        event("response.created", {"response": {"id": "resp_stub"}})
        if item["type"] == "message":
            event("response.output_item.added", {"output_index": 0,
                                                 "item": {**item, "content": []}})
            words = item["content"][0]["text"].split(" ")
            for i, word in enumerate(words):
                event("response.output_text.delta", {"item_id": item["id"], "output_index": 0,
                                                     "content_index": 0,
                                                     "delta": word if i == 0 else " " + word})
                if scenario == "slow":
                    time.sleep(0.5)
        event("response.output_item.done", {"output_index": 0, "item": item})
        event("response.completed", {"response": {"id": "resp_stub",
                                                  "usage": RESPONSES_USAGE}})  # fmt: skip
    except (BrokenPipeError, ConnectionResetError):
        pass


def serve(port: int = 0) -> ThreadingHTTPServer:
    """A running server on 127.0.0.1 (its port: ``server.server_address[1]``)."""
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    args = parser.parse_args()
    server = serve(args.port)
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(server.server_address[1]))
        os.replace(tmp, args.port_file)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
