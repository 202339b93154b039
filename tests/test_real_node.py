"""What only a real node shows (tests/realkube/realnode.py: the kubelet 1.20, containerd 1.6 and
runc 1.1 from Debian, images built here): the restricted profile as the agent sees it from
inside, OOM kills of the agent and of its children, the wiped Secret as the kubelet refreshes
the volume, SIGTERM and the grace period, a missing Secret, a root image under
``runAsNonRoot``, a read-only root filesystem and a workspace that does not exist yet.

Each test here passed on our own simulated kubelet or was never written for it; what the real
one does instead is in each docstring.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.realkube.cluster import NAMESPACE, RealCluster
from tests.test_real_run import LONG_RUN, Agent, scenario

ROOT_IMAGE = "kubeclip.test/agent-as-root:1"  # scripts/node_images.py: no USER


@pytest.fixture
def agent(real: RealCluster, tmp_path: Path) -> Agent:
    return Agent(real, tmp_path)


def _templates(tmp: Path, override: dict[str, Any]) -> str:
    d = tmp / "templates"
    d.mkdir(exist_ok=True)
    (d / "job.override.yaml").write_text(yaml.safe_dump(override))
    return str(d)


def _container_override(**security: Any) -> dict[str, Any]:
    """The agent container as the bundled template has it, with another securityContext
    (lists are replaced whole by an override)."""
    fields = ("image", "imagePullPolicy", "command", "env", "envFrom", "resources",
              "volumeMounts")  # fmt: skip
    container: dict[str, Any] = {"name": "{{ job.container }}"}
    container.update({f: f"{{{{ job.{f} }}}}" for f in fields})
    container["securityContext"] = {
        "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}, **security,
    }  # fmt: skip
    return {"spec": {"template": {"spec": {"containers": [container]}}}}


PROC_STATUS = scenario("""
    import json, os
    status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines())
    keys = ("Uid", "Gid", "Groups", "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb",
            "NoNewPrivs", "Seccomp")
    seen = {k: status[k].split() for k in keys}
    seen["root_writable"] = os.access("/", os.W_OK)
    seen["pwd"] = [os.environ.get("PWD"), os.getcwd()]
    seen["root_mount"] = next(l.split()[3] for l in open("/proc/self/mounts")
                              if l.split()[1] == "/")
    print(json.dumps(seen), flush=True)
    import sys; sys.stderr.write("to stderr\\n")
""")


def test_the_agent_runs_under_the_restricted_profile_as_it_sees_it_from_inside(
    agent: Agent,
) -> None:
    """The default render, on a real node: uid/gid 1000, fsGroup 1000 as a supplementary
    group, no capability in any set, no new privileges, seccomp filtering (RuntimeDefault)."""
    done = agent.run(PROC_STATUS)
    assert done.code == 0, done.err
    seen = json.loads(done.out)
    assert seen["Uid"] == ["1000"] * 4 and seen["Gid"] == ["1000"] * 4, seen
    assert "1000" in seen["Groups"], seen
    for caps in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
        assert seen[caps] == ["0000000000000000"], (caps, seen)
    assert seen["NoNewPrivs"] == ["1"] and seen["Seccomp"] == ["2"], seen
    assert seen["root_writable"] is False
    assert seen["pwd"] == [agent.cwd, agent.cwd]
    assert "to stderr" in done.err


def test_a_read_only_root_filesystem_set_by_the_template_holds(agent: Agent) -> None:
    """The template's readOnlyRootFilesystem is kept by runc; with a scratch directory at
    /tmp (where the pod script makes its FIFO) the agent's streams are still apart."""
    templates = _templates(agent.tmp, _container_override(readOnlyRootFilesystem=True))
    done = agent.run(PROC_STATUS, "--templates", templates, scratchDirs=["/tmp"])
    assert done.code == 0, done.err
    seen = json.loads(done.out)
    assert seen["root_mount"].split(",")[0] == "ro", seen
    assert "to stderr" in done.err and b"to stderr" not in done.out


def test_a_workspace_that_does_not_exist_yet_is_the_agents_to_write_in(
    real: RealCluster, agent: Agent
) -> None:
    """runc creates a missing workingDir as root before it switches to the pod's user: the
    agent then cannot write in its own workspace, and a root-owned directory is left on the
    shared volume. The pod script makes it as the pod's user instead."""
    agent.cwd = f"/paperclip/workspaces/new/{agent.id}"
    done = agent.run(scenario("open('notes.md', 'w').write('x'); print('wrote')"))
    assert done.code == 0, done.err
    made = real.pv_dir / "workspaces" / "new" / agent.id
    assert (made / "notes.md").read_text() == "x"
    assert (made.stat().st_uid, made.parent.stat().st_uid) == (1000, 1000)


OOM_LIMITS = {"requests": {"cpu": "10m", "memory": "32Mi"}, "limits": {"memory": "64Mi"}}


def test_an_agent_killed_for_memory_is_oom_killed(agent: Agent) -> None:
    agent.config["resources"] = OOM_LIMITS
    done = agent.run(scenario("""
        print("allocating", flush=True)
        hog = [bytearray(8 << 20) for _ in range(64)]
        print("survived", flush=True)
    """))
    result = agent.result()
    assert (done.code, result["reason"], result["exitCode"]) == (137, "oom_killed", 137), done.err
    assert done.out == b"allocating\n"
    assert "resources.limits.memory" in result["message"]
    assert agent.leftovers() == {}


def test_a_child_killed_for_memory_is_said_and_the_agent_keeps_its_own_exit(
    agent: Agent,
) -> None:
    """A real kubelet reports the container OOMKilled whichever process the kernel chose: a
    child of the agent (a tool, a test suite) killed while the agent exits 0 leaves the pod
    Succeeded, exit 0, reason OOMKilled. The run follows the agent's exit and says what
    happened; it never claims the agent was killed, and never stays silent."""
    agent.config["resources"] = OOM_LIMITS
    hog = "import sys; hog = [bytearray(8 << 20) for _ in range(64)]"
    done = agent.run(scenario(f"""
        import subprocess, sys
        code = subprocess.run([sys.executable, "-c", {hog!r}]).returncode
        print("child ended with", code, flush=True)
    """))
    result = agent.result()
    assert (done.code, result["reason"], result["exitCode"]) == (0, "succeeded", 0), done.err
    assert done.out == b"child ended with -9\n"
    assert "a process in the pod was killed for lack of memory (OOMKilled)" in result["message"]
    assert "OOMKilled" in done.err.splitlines()[-1]  # the result line, on stderr


def test_a_child_oom_with_a_failing_agent_is_failed_not_oom_killed(agent: Agent) -> None:
    agent.config["resources"] = OOM_LIMITS
    hog = "hog = [bytearray(8 << 20) for _ in range(64)]"
    done = agent.run(scenario(f"""
        import subprocess, sys
        sys.exit(subprocess.run([sys.executable, "-c", {hog!r}]).returncode and 3)
    """))
    result = agent.result()
    assert (done.code, result["reason"], result["exitCode"]) == (3, "failed", 3), done.err
    assert "OOMKilled" in result["message"]


def test_the_wiped_secret_leaves_the_running_agent_its_files(
    real: RealCluster, agent: Agent
) -> None:
    """Once the agent runs its Secret's values are wiped. A real kubelet refreshes the pod's
    Secret volume while it runs: it reports a FailedMount (the keys the pod names are gone)
    and leaves the files already in the pod as they were."""
    prompt = scenario("""
        import hashlib, os, time
        path = os.environ["KUBECLIP_PROMPT_FILE"]
        first = hashlib.sha256(open(path, "rb").read()).hexdigest()
        print("read", flush=True)
        time.sleep(25)
        again = hashlib.sha256(open(path, "rb").read()).hexdigest()
        print("same" if again == first else "changed", flush=True)
    """)
    done = agent.run(prompt, timeout=120)
    assert done.code == 0, done.err
    assert done.out == b"read\nsame\n"
    events = real.api.get(f"/api/v1/namespaces/{NAMESPACE}/events",
                          fieldSelector="reason=FailedMount")["items"]  # fmt: skip
    mine = [e["message"] for e in events
            if e["involvedObject"]["name"].startswith(done.err.split("Job paperclip/")[1][:20])]
    assert any("non-existent secret key" in m for m in mine), [e["message"] for e in events]


def test_sigterm_reaches_the_agent_and_the_grace_period_is_kept(
    real: RealCluster, agent: Agent
) -> None:
    """Cancel deletes the Job: the kubelet sends SIGTERM to PID 1 (the pod script), which
    passes it on to the agent; an agent that ignores it is killed after graceSec."""
    agent.config["graceSec"] = 4
    marker = f"{agent.cwd}/signals"
    prompt = scenario(f"""
        import os, signal, time
        def note(signum, frame):
            with open({marker!r}, "a") as f:
                f.write(f"{{signal.Signals(signum).name}} {{time.time()}}\\n")
        signal.signal(signal.SIGTERM, note)  # noted, then ignored: SIGKILL must follow
        print("started", flush=True)
        while True:
            time.sleep(1)
    """)
    proc = agent.start(prompt)
    pod = agent.wait_for_pod()
    time.sleep(1)
    cancelled = time.time()
    proc.send_signal(15)
    assert proc.wait(timeout=30) == 143
    assert agent.result()["reason"] == "cancelled"
    assert agent.leftovers() == {}
    gone = time.time()
    notes = (real.pv_dir / agent.cwd.removeprefix("/paperclip/") / "signals").read_text()
    name, at = notes.split()
    assert name == "SIGTERM" and float(at) - cancelled < 10, notes  # Job, GC, kubelet
    assert gone - cancelled >= 4, "the pod went before its grace period was over"
    assert pod["spec"]["terminationGracePeriodSeconds"] == 4


def test_a_missing_secret_is_create_failed_naming_it(agent: Agent, tmp_path: Path) -> None:
    deploy = yaml.safe_load(agent.pod.read_text())
    container = deploy["spec"]["template"]["spec"]["containers"][0]
    container["env"].append({"name": "OPENAI_API_KEY", "valueFrom": {
        "secretKeyRef": {"name": "no-such-secret", "key": "key"}}})  # fmt: skip
    agent.pod.write_text(yaml.safe_dump(deploy))
    done = agent.run(LONG_RUN)
    result = agent.result()
    assert (done.code, result["reason"]) == (6, "create_failed"), done.err
    assert 'secret "no-such-secret" not found' in result["message"]
    assert "stop inheriting" in result["message"]
    assert agent.leftovers() == {}


def test_an_image_that_runs_as_root_is_refused_under_run_as_non_root(agent: Agent) -> None:
    """A template override that drops the pod's runAsUser leaves runAsNonRoot to the image's
    own USER: the kubelet refuses a root image (CreateContainerConfigError), and the run
    says how to fix it instead of waiting."""
    agent.config["image"] = ROOT_IMAGE
    override = {"spec": {"template": {"spec": {"securityContext": {
        "runAsUser": None, "runAsGroup": None}}}}}  # fmt: skip
    started = time.monotonic()
    done = agent.run(LONG_RUN, "--templates", _templates(agent.tmp, override))
    result = agent.result()
    assert (done.code, result["reason"]) == (6, "create_failed"), done.err
    assert "container has runAsNonRoot and image will run as root" in result["message"]
    assert "securityContext.runAsUser" in result["message"]
    assert time.monotonic() - started < 30
    assert agent.leftovers() == {}
