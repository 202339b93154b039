"""A Kubernetes API emulator for tests: real HTTP/1.1 on 127.0.0.1 that the unmodified
``kubernetes`` Python client talks to, with a simulated Job controller, garbage collector
and kubelet, fault injection and request records. Stdlib only (plus kubernetes-validate).

    from tests.emulator import Emulator, PodScript

    with Emulator(namespaces=["paperclip"]) as emu:
        emu.script = PodScript(log_lines=["hello"], line_interval=0.01)
        path = emu.write_kubeconfig(tmp_path / "kubeconfig")   # context "emulator"
        ...  # run the code under test against it
        assert emu.count("create", "jobs") == 1
        assert emu.get("jobs", "paperclip", "my-job")["status"]["succeeded"] == 1

Knobs: ``emu.time_scale`` (shrinks activeDeadlineSeconds / ttlSecondsAfterFinished),
``emu.kill_grace``, ``emu.gc_delay``, ``emu.bookmark_interval``,
``emu.job_default_propagation``. ``emu.errors`` lists emulator tracebacks (keep it empty).
Fixtures: ``pytest_plugins = ["tests.emulator.fixtures"]`` gives ``emulator`` and
``kubeconfig``.
"""

from ._emulator import DEFAULT_USER, Emulator
from ._errors import ApiError
from ._server import RequestRecord
from .faults import Faults
from .script import PodScript

__all__ = ["DEFAULT_USER", "ApiError", "Emulator", "Faults", "PodScript", "RequestRecord"]
