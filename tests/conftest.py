"""Shared fixtures. ``emu``: a fresh Kubernetes API emulator (tests/emulator) with the
"paperclip" namespace, served over HTTP on 127.0.0.1 and stopped after the test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.emulator import Emulator


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(namespaces=["paperclip"]) as emulator:
        yield emulator
