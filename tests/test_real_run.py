"""Apply mode on a real Kubernetes cluster (tests/realkube): kube-apiserver 1.20 with RBAC,
ServiceAccount admission and audit log, the real Job controller, garbage collector,
TTL-after-finished and scheduler, and a real node (kubelet, containerd, runc) that runs each
pod in containers and serves its logs. kubeclip runs as the Helm chart's ServiceAccount. The
agent is ``tests/realkube/bin/opencode`` in an image built here, playing the prompt as a
scenario.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.realkube.cluster import NAMESPACE, SMALL_REQUESTS, RealCluster

ROOT = Path(__file__).resolve().parent.parent


def scenario(code: str) -> str:
    """A prompt the fake opencode plays as the agent (Python, with ARGV and PROMPT)."""
    return "#scenario\n" + textwrap.dedent(code).strip() + "\n"


class Agent:
    """One agent of one test: its own id (so locks and leftovers are its own) and inputs."""

    def __init__(self, real: RealCluster, tmp: Path, **config: Any) -> None:
        self.real = real
        self.tmp = tmp
        self.id = f"agent-{uuid.uuid4().hex[:10]}"
        self.config: dict[str, Any] = {
            "model": "openai/gpt-5", "graceSec": 2, "resources": SMALL_REQUESTS, **config,
        }  # fmt: skip
        self.cwd = f"/paperclip/workspaces/{self.id}"
        self.pod = real.paperclip_deployment(tmp / "paperclip.yaml")

    def argv(self, prompt: str, *extra: str, run_id: str = "run-1", **run: Any) -> list[str]:
        (self.tmp / "agent.yaml").write_text(yaml.safe_dump(self.config))
        body = {
            "runId": run_id,
            "agent": {"id": self.id, "companyId": "company-1", "name": "Coder"},
            "context": {"taskId": "ISS-7", "paperclipWorkspace": {"cwd": self.cwd}},
            "paperclipApiUrl": "http://paperclip.paperclip.svc:3100",
            "prompt": prompt,
            **run,
        }
        run_file = self.tmp / f"run-{run_id}.json"
        run_file.write_text(json.dumps(body))
        return [
            "run",
            "--config",
            str(self.tmp / "agent.yaml"),
            "--run",
            str(run_file),
            "--pod",
            str(self.pod),
            "--kubeconfig",
            str(self.real.kubeconfig),
            "--result",
            str(self.result_file(run_id)),
            *extra,
        ]

    def result_file(self, run_id: str = "run-1") -> Path:
        return self.tmp / f"result-{run_id}.json"

    def result(self, run_id: str = "run-1") -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.result_file(run_id).read_text())
        return data

    def start(self, prompt: str, *extra: str, run_id: str = "run-1", **run: Any) -> Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "kubeclip", *self.argv(prompt, *extra, run_id=run_id, **run)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )

    def run(self, prompt: str, *extra: str, timeout: float = 120, **run: Any) -> Done:
        proc = self.start(prompt, *extra, **run)
        out, err = proc.communicate(timeout=timeout)
        return Done(proc.returncode, out, err.decode("utf-8", "replace"))

    def leftovers(self, wait: float = 90.0) -> dict[str, list[str]]:
        return self.real.leftovers(self.id, wait)

    def pods(self) -> list[dict[str, Any]]:
        return self.real.objects("pods", f"kubeclip.dev/agent={self.id}")

    def wait_for_pod(
        self, phase: str | tuple[str, ...] = "Running", timeout: float = 30
    ) -> dict[str, Any]:
        phases = (phase,) if isinstance(phase, str) else phase
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for pod in self.pods():
                if (pod.get("status") or {}).get("phase") in phases:
                    return pod
            time.sleep(0.1)
        raise TimeoutError(f"no {phase} pod for {self.id}")


Popen = subprocess.Popen[bytes]


class Done:
    def __init__(self, code: int, out: bytes, err: str) -> None:
        self.code, self.out, self.err = code, out, err


@pytest.fixture
def agent(real: RealCluster, tmp_path: Path) -> Agent:
    return Agent(real, tmp_path)


HELLO = scenario("""
    import json, os, sys
    print(json.dumps({"type": "text", "part": {"text": "hello ✓\\ttab"}}), flush=True)
    print("cwd=" + os.getcwd())
    print("home=" + os.environ["HOME"])
    print("argv=" + " ".join(ARGV))
""")


def test_a_run_streams_output_exactly_and_cleans_up(real: RealCluster, agent: Agent) -> None:
    mark = real.audit_mark()
    done = agent.run(HELLO)
    assert done.code == 0, done.err
    assert done.out.decode().splitlines() == [
        '{"type": "text", "part": {"text": "hello \\u2713\\ttab"}}',
        f"cwd={agent.cwd}",
        "home=/paperclip",
        "argv=run --format json --model openai/gpt-5",
    ]
    result = agent.result()
    assert result["reason"] == "succeeded" and result["exitCode"] == 0
    # a real kubelet may never post Running for a short container: it is said all the same
    assert "running" in done.err and "succeeded" in done.err
    assert agent.leftovers() == {}
    # counted by the apiserver itself: the Job, its Secret (the lock), one pod watch, one log
    # stream, the Secret's values wiped, the Job deleted (its Secret with it)
    requests = real.requests_since(mark)
    assert requests == {"create jobs": 1, "create secrets": 1, "watch pods": 1,
                        "get pods/log": 1, "patch secrets": 1, "delete jobs": 1}, requests


def test_the_pod_reads_the_prompt_and_credentials_from_the_run_secret(
    real: RealCluster, agent: Agent
) -> None:
    token = "eyJhbGciOiJIUzI1NiJ9.run-token-value.signature"
    agent.config["env"] = {"LITERAL": "$(HOME) and $$ stay as written", "MY_API_TOKEN": "tok-123"}
    agent.config["retainJobs"] = True
    prompt = scenario("""
        import os, sys
        print(os.environ["PAPERCLIP_API_KEY"], os.environ["MY_API_TOKEN"])
        print(os.environ["LITERAL"])
        print(len(PROMPT))
    """)
    done = agent.run(prompt, authToken=token)
    assert done.code == 0, done.err
    assert done.out.decode().splitlines() == [
        f"{token} tok-123",
        "$(HOME) and $$ stay as written",
        str(len(prompt.encode())),
    ]
    (job,) = real.objects("jobs", f"kubeclip.dev/agent={agent.id}")
    assert token not in json.dumps(job) and "tok-123" not in json.dumps(job)
    assert token not in done.err
    real.api.delete(
        f"/apis/batch/v1/namespaces/{NAMESPACE}/jobs/{job['metadata']['name']}",
        {"propagationPolicy": "Background"},
    )
    assert agent.leftovers() == {}  # the Secret went with its Job


def test_the_run_secret_is_emptied_once_the_agent_runs_and_stays_as_the_lock(
    real: RealCluster, agent: Agent
) -> None:
    from kubeclip.renderer import naming

    proc = agent.start(scenario("""
        import time
        print(len(PROMPT), flush=True)
        time.sleep(4)
        print("done", flush=True)
    """), authToken="eyJhbGciOiJIUzI1NiJ9.wiped-token.signature")  # fmt: skip
    agent.wait_for_pod(("Running", "Succeeded"))
    deadline = time.monotonic() + 10
    while True:
        (secret,) = real.objects("secrets", f"kubeclip.dev/agent={agent.id}")
        if not secret.get("data") or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    (job,) = real.objects("jobs", f"kubeclip.dev/agent={agent.id}")
    assert not secret.get("data"), "the credentials stay in the cluster while the agent runs"
    assert secret["metadata"]["name"] == naming.run_secret_name(agent.id)
    assert [o["uid"] for o in secret["metadata"]["ownerReferences"]] == [job["metadata"]["uid"]]
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert out.decode().splitlines()[1:] == ["done"]  # the agent had its prompt
    assert agent.leftovers() == {}


def test_a_late_wipe_never_empties_a_secret_that_is_no_longer_the_runs(
    real: RealCluster, agent: Agent
) -> None:
    # A run whose Job finished may wipe late, after another run took its stale slot over: the
    # wipe carries the Secret's uid, and the apiserver refuses it for the new Secret.
    from kubeclip.cluster.kube import Kube, connect
    from kubeclip.renderer.builder import build_plan
    from kubeclip.renderer.pipeline import load_inputs
    from kubeclip.renderer.render import render
    from kubeclip.run.lock import AgentLock
    from kubeclip.run.objects import RunObjects
    from kubeclip.run.output import Output
    from kubeclip.run.settings import RunnerSettings
    from kubeclip.run.spec import RunSpec

    argv = agent.argv(HELLO)
    def arg(flag: str) -> str:
        return argv[argv.index(flag) + 1]

    config, facts, run = load_inputs(arg("--config"), arg("--pod"), arg("--run"))
    assert facts is not None
    spec = RunSpec(render(build_plan(config, facts, run, reveal_secrets=True)))
    kube = Kube(connect(str(real.kubeconfig)).api_client)
    secret = spec.document("Secret")
    path = f"/api/v1/namespaces/{NAMESPACE}/secrets"
    old = real.api.post(path, secret)
    real.api.delete(f"{path}/{old['metadata']['name']}")
    new = real.api.post(path, secret)  # the next holder of the slot
    objects = RunObjects(kube, spec, Output(sys.stdout, sys.stderr), RunnerSettings())
    lock = AgentLock(objects, lambda: None)
    lock.secret = {"metadata": old["metadata"]}
    assert lock.wipe()  # the refusal is taken as "no longer ours"
    current = real.api.get(f"{path}/{new['metadata']['name']}")
    assert current["data"] == new["data"] and current["data"]
    lock.secret, lock.wiped = {"metadata": new["metadata"]}, False
    assert lock.wipe()
    assert not real.api.get(f"{path}/{new['metadata']['name']}").get("data")
    real.api.delete(f"{path}/{new['metadata']['name']}")


def test_the_agent_exit_code_is_mirrored(agent: Agent) -> None:
    done = agent.run(scenario("import sys; print('boom', file=sys.stderr); sys.exit(3)"))
    assert done.code == 3, done.err
    assert agent.result()["reason"] == "failed"
    assert agent.leftovers() == {}


def test_the_agents_stderr_stays_apart_from_its_stdout(agent: Agent) -> None:
    # the log API merges the container's streams; the user must not see it
    prompt = scenario("""
        import sys
        print('{"type": "text", "part": {"text": "one"}}', flush=True)
        print("warn: something on stderr", file=sys.stderr, flush=True)
        sys.stdout.write("no newline yet ")
        sys.stdout.flush()
        sys.stderr.write("Error: the last words, unterminated")
        sys.stderr.flush()
        print("then the end", flush=True)
        sys.exit(4)
    """)
    done = agent.run(prompt)
    assert done.code == 4, done.err
    assert done.out == b'{"type": "text", "part": {"text": "one"}}\nno newline yet then the end\n'
    assert "warn: something on stderr\n" in done.err
    assert "Error: the last words, unterminated" in done.err
    assert "\x1e" not in done.err
    assert agent.result()["errorMessage"] == "warn: something on stderr"


def test_image_pull_failure(agent: Agent) -> None:
    agent.config["image"] = "registry.invalid/paperclip:nope"
    done = agent.run(HELLO)
    assert (done.code, agent.result()["reason"]) == (4, "image_pull_failed"), done.err
    assert "registry.invalid/paperclip:nope" in agent.result()["message"]
    assert agent.leftovers() == {}


def test_unschedulable_reports_the_schedulers_reason(agent: Agent) -> None:
    agent.config.update(nodeSelector={"gpu": "h100"}, scheduleTimeoutSec=3)
    done = agent.run(HELLO)
    assert (done.code, agent.result()["reason"]) == (5, "unschedulable"), done.err
    assert "0/1 nodes are available" in agent.result()["message"]
    assert agent.leftovers() == {}


def test_the_deadline_ends_the_run_as_timed_out(agent: Agent) -> None:
    agent.config["timeoutSec"] = 3
    done = agent.run(scenario("import time; print('working', flush=True); time.sleep(60)"))
    result = agent.result()
    assert (done.code, result["reason"], result["timedOut"]) == (124, "timed_out", True), done.err
    assert done.out == b"working\n"
    assert agent.leftovers() == {}


def test_sigterm_cancels_and_cleans_up(agent: Agent) -> None:
    proc = agent.start(scenario("import time; print('working', flush=True); time.sleep(120)"))
    agent.wait_for_pod()
    time.sleep(1)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 143
    assert agent.result()["reason"] == "cancelled"
    assert agent.leftovers() == {}


def test_two_runners_racing_never_run_two_agents(agent: Agent) -> None:
    agent.config["concurrency"] = {"whenBusy": "fail"}
    prompt = scenario("import time; time.sleep(2); print('done')")
    procs = [agent.start(prompt, run_id="run-a"), agent.start(prompt, run_id="run-b")]
    codes = sorted(p.wait(timeout=60) for p in procs)
    assert codes == [0, 75], [p.stderr.read() if p.stderr else b"" for p in procs]
    assert agent.leftovers() == {}


RECORDS_ITS_SPAN = """
    import json, os, time
    start = time.time()
    time.sleep(4)
    print(json.dumps({"run": os.environ["PAPERCLIP_RUN_ID"], "start": start, "end": time.time()}))
"""


def test_a_busy_agents_runs_wait_their_turn_one_at_a_time(agent: Agent) -> None:
    procs = [agent.start(scenario(RECORDS_ITS_SPAN), run_id=f"run-{i}") for i in "abc"]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [e for _, e in outs]
    spans = sorted((json.loads(o)["start"], json.loads(o)["end"]) for o, _ in outs)
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert start >= end, spans  # never two agents at once
    waited = [e for _, e in outs if b"waits its turn" in e]
    assert len(waited) >= 2, [e for _, e in outs]  # the status line, on stderr
    assert agent.leftovers() == {}


def test_max_runs_per_agent_lets_that_many_run_at_once(agent: Agent) -> None:
    agent.config["concurrency"] = {"maxRunsPerAgent": 2}
    procs = [agent.start(scenario(RECORDS_ITS_SPAN), run_id=f"run-{i}") for i in "abc"]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [e for _, e in outs]
    spans = sorted((json.loads(o)["start"], json.loads(o)["end"]) for o, _ in outs)
    overlapping = sum(1 for a, b in itertools.pairwise(spans) if b[0] < a[1])
    assert overlapping >= 1, spans
    assert spans[2][0] >= min(spans[0][1], spans[1][1]), spans  # the third waited for a slot
    assert agent.leftovers() == {}


def test_waiting_for_a_turn_is_bounded_by_the_timeout_and_by_cancel(agent: Agent) -> None:
    first = agent.start(LONG_RUN, run_id="run-a")
    agent.wait_for_pod()
    agent.config["timeoutSec"] = 4
    done = agent.run(HELLO, run_id="run-b")
    assert done.code == 124 and "waits its turn" in done.err, done.err
    assert agent.result("run-b")["reason"] == "timed_out"
    agent.config["timeoutSec"] = 0
    waiting = agent.start(HELLO, run_id="run-c")
    time.sleep(3)
    waiting.send_signal(signal.SIGTERM)
    assert waiting.wait(timeout=30) == 143
    assert agent.result("run-c")["reason"] == "cancelled"
    (job,) = agent.real.objects("jobs", f"kubeclip.dev/agent={agent.id}")
    assert job["metadata"]["annotations"]["kubeclip.dev/run-id"] == "run-a"
    first.send_signal(signal.SIGTERM)
    assert first.wait(timeout=30) == 143
    assert agent.leftovers() == {}


def test_detach_then_reattach_by_run_id(agent: Agent) -> None:
    prompt = scenario(
        "import time\nfor w in ('first', 'second'):\n    print(w, flush=True)\n    time.sleep(1)"
    )
    done = agent.run(prompt, "--detach")
    assert done.code == 0 and done.out == b"", done.err
    done = agent.run(prompt)
    assert done.code == 0, done.err
    assert "reattaching" in done.err
    assert done.out == b"first\nsecond\n"
    assert agent.leftovers() == {}


def test_a_1_mib_prompt_reaches_the_agent(agent: Agent) -> None:
    body = "".join(f"# {i:07d} please review the attached diff\n" for i in range(27_000))
    prompt = scenario("import hashlib; print(hashlib.sha256(PROMPT).hexdigest())") + body
    assert len(prompt) >= 1024 * 1024
    done = agent.run(prompt)
    assert done.code == 0, done.err
    import hashlib

    assert done.out.decode().strip() == hashlib.sha256(prompt.encode()).hexdigest()


def test_live_introspection_of_the_paperclip_pod(real: RealCluster, agent: Agent) -> None:
    deploy = yaml.safe_load(agent.pod.read_text())
    name = f"paperclip-{agent.id[-6:]}"
    pod_spec = {**deploy["spec"]["template"]["spec"], "automountServiceAccountToken": False}
    pod_spec["containers"] = [
        {**pod_spec["containers"][0], "command": ["python3", "-c", "import time; time.sleep(600)"]}
    ]
    real.apply(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": NAMESPACE},
            "spec": pod_spec,
        }
    )
    try:
        argv = agent.argv(HELLO)
        i = argv.index("--pod")
        argv[i : i + 2] = ["--from-pod", f"{NAMESPACE}/{name}"]
        proc = subprocess.run(
            [sys.executable, "-m", "kubeclip", *argv], capture_output=True, cwd=ROOT, timeout=120
        )
        assert proc.returncode == 0, proc.stderr
    finally:
        real.api.delete(f"/api/v1/namespaces/{NAMESPACE}/pods/{name}")


def test_events_mode_emits_json_lines(agent: Agent) -> None:
    done = agent.run(HELLO, "--events")
    assert done.code == 0, done.err
    events = [json.loads(line) for line in done.out.decode().splitlines()]
    logs = [e["line"] for e in events if e["type"] == "log"]
    assert logs[1:3] == [f"cwd={agent.cwd}", "home=/paperclip"]
    assert any(e["type"] == "status" and e["stage"] == "running" for e in events)
    assert events[-1]["type"] == "result" and events[-1]["reason"] == "succeeded"


def test_a_second_run_of_a_busy_agent_is_refused_and_leaves_nothing(agent: Agent) -> None:
    agent.config["concurrency"] = {"whenBusy": "fail"}
    first = agent.start(LONG_RUN, run_id="run-a")
    agent.wait_for_pod()
    done = agent.run(HELLO, run_id="run-b")
    assert done.code == 75 and "busy with run run-a" in done.err
    (job,) = agent.real.objects("jobs", f"kubeclip.dev/agent={agent.id}")
    assert job["metadata"]["annotations"]["kubeclip.dev/run-id"] == "run-a"
    first.send_signal(signal.SIGTERM)
    assert first.wait(timeout=30) == 143
    assert agent.leftovers() == {}


def test_an_unknown_session_is_retried_once_fresh(agent: Agent) -> None:
    prompt = scenario("""
        import json, sys
        if "--session" in ARGV:
            print(json.dumps({"type": "error", "error": {"name": "UnknownError",
                  "data": {"message": "Session not found"}}}), flush=True)
            sys.exit(1)
        print(json.dumps({"type": "text", "sessionID": "ses_new",
                          "part": {"text": "started over"}}), flush=True)
    """)
    runtime = {"sessionParams": {"sessionId": "ses_gone", "cwd": agent.cwd}}
    done = agent.run(prompt, runtime=runtime)
    assert done.code == 0, done.err
    assert [json.loads(line)["type"] for line in done.out.decode().splitlines()] == [
        "error",
        "text",
    ]
    result = agent.result()
    assert result["clearSession"] is True and result["sessionId"] == "ses_new"
    assert agent.leftovers() == {}


# --- what only a real control plane showed (issue #8) ---------------------------------------

LONG_RUN = scenario("""
    import time
    print("started", flush=True)
    time.sleep(120)
""")


def _delete_pod(real: RealCluster, pod: dict[str, Any], grace: int | None = None) -> None:
    body: dict[str, Any] = {"apiVersion": "v1", "kind": "DeleteOptions"}
    if grace is not None:
        body["gracePeriodSeconds"] = grace
    real.api.delete(f"/api/v1/namespaces/{NAMESPACE}/pods/{pod['metadata']['name']}", body)


def test_a_pod_deleted_by_someone_else_is_pod_lost_not_the_agent_failing(
    real: RealCluster, agent: Agent
) -> None:
    # A real kubelet posts "terminated, exit 143" before the pod disappears: that is the
    # node killing the agent, not the agent failing.
    proc = agent.start(LONG_RUN)
    pod = agent.wait_for_pod()
    time.sleep(1)
    _delete_pod(real, pod)
    assert proc.wait(timeout=60) == 7, proc.stderr.read() if proc.stderr else ""
    result = agent.result()
    assert result["reason"] == "pod_lost"
    assert "deleted" in result["message"]
    assert agent.leftovers() == {}


def test_an_api_initiated_eviction_is_reported_as_such(real: RealCluster, agent: Agent) -> None:
    # 1.20 has no DisruptionTarget condition: an eviction is a deletion through pods/eviction.
    proc = agent.start(LONG_RUN)
    pod = agent.wait_for_pod()
    time.sleep(1)
    name = pod["metadata"]["name"]
    real.api.post(
        f"/api/v1/namespaces/{NAMESPACE}/pods/{name}/eviction",
        {"apiVersion": "policy/v1beta1", "kind": "Eviction",
         "metadata": {"name": name, "namespace": NAMESPACE}},
    )  # fmt: skip
    assert proc.wait(timeout=60) == 7, proc.stderr.read() if proc.stderr else ""
    assert agent.result()["reason"] in ("pod_lost", "evicted")
    assert agent.leftovers() == {}


def test_the_jobs_replacement_pod_never_starts_a_second_agent(
    real: RealCluster, agent: Agent
) -> None:
    # A deleted pod does not count against backoffLimit: the Job controller replaces it at
    # once. The run follows its one pod, and no second agent may run behind Paperclip's back.
    marker = f"{agent.cwd}/starts"
    prompt = scenario(f"""
        import os, time
        os.makedirs({agent.cwd!r}, exist_ok=True)
        with open({marker!r}, "a") as f:
            f.write(os.environ["HOSTNAME"] + "\\n")
        print("agent started in", os.environ["HOSTNAME"], flush=True)
        time.sleep(120)
    """)
    proc = agent.start(prompt)
    pod = agent.wait_for_pod()
    time.sleep(1)
    _delete_pod(real, pod)
    assert proc.wait(timeout=60) == 7
    out = proc.stdout.read() if proc.stdout else b""
    assert out == f"agent started in {pod['metadata']['name']}\n".encode()
    assert agent.leftovers() == {}
    time.sleep(2)
    starts = (real.pv_dir / agent.cwd.removeprefix("/paperclip/") / "starts").read_text()
    assert starts.splitlines() == [pod["metadata"]["name"]], "a second agent ran"


@pytest.mark.parametrize("size", [20 * 1024, 40 * 1024, 1024 * 1024])
def test_lines_over_16_kib_arrive_byte_identical(agent: Agent, size: int) -> None:
    # containerd stores a long line as 16 KiB partial entries and the kubelet prefixes every
    # entry with its timestamp; the odd offset splits a two-byte character at each boundary.
    prompt = scenario(f"""
        import json, sys
        body = "x" + "é" * ({size} // 2)
        line = json.dumps({{"type": "tool_use", "part": {{"output": body}}}}, ensure_ascii=False)
        out = sys.stdout.buffer
        out.write(b"short before\\n")
        out.write(line.encode() + b"\\n")
        out.write(b"2026-12-02T00:00:00.000000000Z looks like a timestamp\\n")
        out.write(line.encode() + b"\\n")
        out.write(b"short after\\n")
        out.flush()
    """)
    done = agent.run(prompt)
    assert done.code == 0, done.err
    body = "x" + "é" * (size // 2)
    line = json.dumps({"type": "tool_use", "part": {"output": body}}, ensure_ascii=False).encode()
    expected = (
        b"short before\n" + line + b"\n"
        + b"2026-12-02T00:00:00.000000000Z looks like a timestamp\n"
        + line + b"\nshort after\n"
    )  # fmt: skip
    assert len(done.out) == len(expected)
    assert done.out == expected


@pytest.mark.parametrize("outage", [30, 90])
def test_an_api_outage_mid_run_is_ridden_through(
    real: RealCluster, agent: Agent, outage: int
) -> None:
    # A single-apiserver cluster (kind, k3s, an upgrade) is often down for a minute. The run
    # goes on in the pod; kubeclip resumes the watch and the logs, loses and doubles nothing.
    lines = 10 * (outage + 20)
    prompt = scenario(f"""
        import time
        for i in range({lines}):
            print(f"line {{i}}", flush=True)
            time.sleep(0.1)
    """)
    proc = agent.start(prompt)
    agent.wait_for_pod()
    time.sleep(3)
    real.cp.stop_apiserver()
    time.sleep(outage)
    real.cp.start_apiserver()
    out, err = proc.communicate(timeout=outage + 120)
    assert proc.returncode == 0, err.decode()
    assert out.decode().splitlines() == [f"line {i}" for i in range(lines)]
    assert agent.result()["reason"] == "succeeded"
    # kubeclip deleted the Job; the restarted controller-manager's garbage collector resyncs
    # its graph on its own schedule (seen: over 30 s after a 90 s outage) before the pod and
    # the lock, owned by the Job, go.
    assert agent.leftovers(wait=150) == {}


def test_a_crashed_runners_lock_goes_with_its_job(real: RealCluster, agent: Agent) -> None:
    # kill -9 the runner: the agent finishes, the TTL controller deletes the Job, and the
    # lock must go with it instead of outliving it; the next run is not held up.
    agent.config["ttlSecondsAfterFinished"] = 1
    proc = agent.start(scenario("import time; time.sleep(6); print('done')"), run_id="run-a")
    # its pod exists (so do the Job and the lock): any phase will do. Waiting for Running or
    # Succeeded raced the TTL under load: a status manager that skips Running, a 1 s TTL and
    # the garbage collector can take the pod before a 0.1 s poll sees it (seen once in CI).
    agent.wait_for_pod(("Pending", "Running", "Succeeded"), timeout=60)
    proc.kill()
    proc.wait()
    assert agent.leftovers() == {}
    started = time.monotonic()
    done = agent.run(HELLO, run_id="run-b")
    assert done.code == 0, done.err
    assert time.monotonic() - started < 20


def test_a_lock_whose_job_was_deleted_is_taken_over_at_once(
    real: RealCluster, agent: Agent
) -> None:
    proc = agent.start(LONG_RUN, run_id="run-a")
    agent.wait_for_pod()
    proc.kill()
    proc.wait()
    (job,) = real.objects("jobs", f"kubeclip.dev/agent={agent.id}")
    real.api.delete(f"/apis/batch/v1/namespaces/{NAMESPACE}/jobs/{job['metadata']['name']}",
                    {"propagationPolicy": "Foreground"})  # fmt: skip
    deadline = time.monotonic() + 30
    while real.objects("jobs", f"kubeclip.dev/agent={agent.id}") and time.monotonic() < deadline:
        time.sleep(0.2)  # gone for good: not merely being deleted
    started = time.monotonic()
    done = agent.run(HELLO, run_id="run-b")
    assert done.code == 0, done.err
    assert time.monotonic() - started < 20
