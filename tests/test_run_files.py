"""The run's files (a prompt bundle, an MCP config): in the run Secret only, placed where
the pod copies them from, refused when they could escape or collide."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from kubeclip.errors import InputError
from kubeclip.renderer.render import render
from tests.test_plan import RUN, plan


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


TOKEN = "Bearer mcp-run-token-5c0ffee5"
FILES: list[dict[str, Any]] = [
    {"path": "bundle/agent-instructions.md", "data": b64("You are Coder.\n")},
    {"path": "bundle/.claude/skills/paperclip/run.sh", "data": b64("#!/bin/sh\n"),
     "executable": True},
    {"path": "mcp.json", "data": b64('{"headers":{"Authorization":"' + TOKEN + '"}}'),
     "credential": True},
]  # fmt: skip


def with_files(files: list[dict[str, Any]], reveal: bool = False) -> Any:
    return plan({"runtime": "claude", "model": "sonnet"}, {**RUN, "files": files}, reveal=reveal)


def test_files_are_in_the_secret_volume_with_modes_and_named_to_the_pod() -> None:
    p = with_files(FILES, reveal=True)
    volume = next(v for v in p["job"]["volumes"] if v["name"] == "kubeclip-run")
    items = {i["path"]: i for i in volume["secret"]["items"]}
    assert items["files/bundle/.claude/skills/paperclip/run.sh"]["mode"] == 0o550
    assert items["files/mcp.json"]["mode"] == 0o440
    key = items["files/mcp.json"]["key"]
    assert base64.b64decode(p["secret"]["data"][key]).decode().endswith(TOKEN + '"}}')
    env = {e["name"]: e for e in p["job"]["env"]}
    assert env["KUBECLIP_FILES"]["value"] == "/var/run/kubeclip/files"


def test_a_credential_file_never_reaches_the_job_and_is_redacted_for_review() -> None:
    p = with_files(FILES)
    assert TOKEN in "".join(p["secretValues"])
    docs = render(p).documents
    text = repr(docs)
    assert TOKEN not in text and "mcp-run-token" not in text


def test_no_files_means_no_copy_and_no_variable() -> None:
    p = plan({"runtime": "claude", "model": "sonnet"})
    assert "KUBECLIP_FILES" not in {e["name"] for e in p["job"]["env"]}


@pytest.mark.parametrize("path", ["bundle/../../etc/passwd", "./x", "a/./b", "a/.."])
def test_a_path_that_could_leave_the_files_directory_is_refused(path: str) -> None:
    with pytest.raises(InputError, match="not a new relative path"):
        with_files([{"path": path, "data": b64("x")}])


def test_a_path_given_twice_or_as_file_and_directory_is_refused() -> None:
    with pytest.raises(InputError, match="not a new relative path"):
        with_files([{"path": "a", "data": b64("x")}, {"path": "a", "data": b64("y")}])
    with pytest.raises(InputError, match="is a file and a directory"):
        with_files([{"path": "a", "data": b64("x")}, {"path": "a/b", "data": b64("y")}])


def test_data_that_is_not_base64_and_too_much_data_are_refused() -> None:
    with pytest.raises(InputError, match="not base64"):
        with_files([{"path": "a", "data": "not base64!"}])
    big = b64("x" * 400_000)
    with pytest.raises(InputError, match="at most 512 KiB"):
        with_files([{"path": "a", "data": big}, {"path": "b", "data": big}])
