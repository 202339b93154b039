"""pytest fixtures: ``from tests.emulator.fixtures import emulator, kubeconfig`` in a test
module (or a conftest.py) makes them available."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ._emulator import Emulator


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """A fresh emulator with the "paperclip" namespace; stopped after the test."""
    emu = Emulator(namespaces=["paperclip"])
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def kubeconfig(emulator: Emulator, tmp_path: Path) -> Path:
    """A kubeconfig file for ``emulator`` (context "emulator", namespace "paperclip")."""
    return emulator.write_kubeconfig(tmp_path / "kubeconfig")
