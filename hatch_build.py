"""Builds ``kubeclip-relay`` (kubeclip/paperclip/pump.c) into the wheel, where a C
compiler is found.

Why: the relay Paperclip keeps alive for each agent run costs ~8.5 MiB as CPython and ~1 MiB
as this small C program (see the comment in pump.c). Without a compiler the wheel is pure
Python and the relay copies the frames in Python: slower to nothing, only larger.
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

SOURCE = "kubeclip/paperclip/pump.c"
BINARY = "kubeclip/paperclip/kubeclip-relay"


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or not sys.platform.startswith("linux"):
            return
        mode = os.environ.get("KUBECLIP_BUILD_NATIVE", "auto").strip().lower()
        if mode == "off":
            return
        source = os.path.join(self.root, SOURCE)
        binary = os.path.join(self.root, BINARY)
        cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
        error = "no C compiler (cc, gcc or $CC) found"
        if cc:
            argv = [*cc.split(), "-O2", "-Wall", "-Wextra", "-o", binary, source]
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
