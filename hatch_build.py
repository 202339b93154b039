"""Builds ``kubeclip-relay`` (kubeclip/paperclip/pump.c and front.c) into the wheel, where
a C compiler is found, and installs it as ``kubeclip-opencode`` too (the Python relay then
is ``kubeclip-opencode-python``, which the C program hands anything unusual to).

Why: the relay Paperclip keeps alive for each agent run costs ~8.5 MiB as CPython and ~1 MiB
as this small C program (see the comment in pump.c), and its start ~11 ms of CPU as CPython
against well under 1 ms in C (front.c: a heartbeat starts 100 at once). Without a compiler
the wheel is pure Python and the relay stays in Python: slower to start, larger, the same.
``KUBECLIP_BUILD_NATIVE=off`` builds without it; ``=require`` fails the build without it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SOURCES = ("kubeclip/paperclip/pump.c", "kubeclip/paperclip/front.c")
PYTHON_RELAY = "bin/kubeclip-opencode"
BINARY = "kubeclip/paperclip/kubeclip-relay"
# kubeclip-agent (the drop-in's general name) is the same program: a copy, as one built file
# installs under one name
AGENT_PYTHON = "bin/kubeclip-agent"
AGENT_BINARY = "kubeclip/paperclip/kubeclip-agent-start"


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or not sys.platform.startswith("linux"):
            return
        mode = os.environ.get("KUBECLIP_BUILD_NATIVE", "auto").strip().lower()
        if mode == "off":
            return
        sources = [os.path.join(self.root, source) for source in SOURCES]
        binary = os.path.join(self.root, BINARY)
        cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
        error = "no C compiler (cc, gcc or $CC) found"
        if cc:
            argv = [*cc.split(), "-O2", "-Wall", "-Wextra", "-o", binary, *sources]
            done = subprocess.run(argv, capture_output=True, text=True)
            error = "" if done.returncode == 0 else f"{' '.join(argv)}: {done.stderr.strip()}"
        if error:
            if mode == "require":
                raise RuntimeError(f"kubeclip-relay could not be built: {error}")
            print(f"kubeclip: building without kubeclip-relay ({error}); the relay "
                  "stays in Python", file=sys.stderr)  # fmt: skip
            return
        build_data["pure_python"] = False
        # a program, not an extension: any Python 3, this platform only
        build_data["tag"] = "py3-none-" + sysconfig.get_platform().replace("-", "_").replace(
            ".", "_"
        )
        if version != "editable":
            build_data["force_include"][binary] = BINARY
        # Paperclip's command starts in C; the same relay in CPython is installed beside it
        build_data["shared_scripts"][binary] = "kubeclip-opencode"
        build_data["shared_scripts"][PYTHON_RELAY] = "kubeclip-opencode-python"
        agent = os.path.join(self.root, AGENT_BINARY)
        shutil.copy2(binary, agent)
        build_data["shared_scripts"][agent] = "kubeclip-agent"
        build_data["shared_scripts"][AGENT_PYTHON] = "kubeclip-agent-python"
