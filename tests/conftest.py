"""Shared fixtures. ``emu``: a fresh Kubernetes API emulator (tests/emulator) with the
"paperclip" namespace, served over HTTP on 127.0.0.1 and stopped after the test."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings

from tests.emulator import Emulator

# CI (CI=true) explores the same examples every run, so a landing never depends on luck;
# developers keep random exploration, which is what finds new bugs.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(namespaces=["paperclip"]) as emulator:
        yield emulator
