"""The Kubernetes API emulator, driven by the unmodified ``kubernetes`` client over HTTP."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import urllib3
from kubernetes import client, config, watch
from kubernetes.client.exceptions import ApiException

from tests.emulator import Emulator, PodScript

pytest_plugins = ["tests.emulator.fixtures"]  # the shared `emulator`/`kubeconfig` fixtures

NS = "paperclip"
TS = re.compile(rb"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z $")


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(namespaces=[NS]) as e:
        yield e
        assert e.errors == []


# The kubernetes client's models are typed with Optional everywhere and its methods want
# model instances, not dicts (which they accept at run time): the tests use it as Any.


@pytest.fixture
def api(emu: Emulator) -> Iterator[Any]:
    with emu.api_client() as a:
        yield a


@pytest.fixture
def core(api: Any) -> Any:
    return client.CoreV1Api(api)


@pytest.fixture
def batch(api: Any) -> Any:
    return client.BatchV1Api(api)


def new_watch() -> Any:
    return watch.Watch()  # type: ignore[no-untyped-call]


def job_body(
    name: str,
    *,
    agent: str = "agent-1",
    deadline: int | None = None,
    suspend: bool | None = None,
    backoff: int = 0,
    containers: list[dict[str, Any]] | None = None,
    init: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    labels = {"kubeclip.dev/agent": agent, "kubeclip.dev/run": f"run-{name}"}
    pod_spec: dict[str, Any] = {
        "restartPolicy": "Never",
        "containers": containers or [{"name": "agent", "image": "example.com/agent:1.0"}],
    }
    if init:
        pod_spec["initContainers"] = init
    spec: dict[str, Any] = {
        "backoffLimit": backoff,
        "template": {"metadata": {"labels": labels}, "spec": pod_spec},
    }
    if deadline is not None:
        spec["activeDeadlineSeconds"] = deadline
    if suspend is not None:
        spec["suspend"] = suspend
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "labels": labels},
        "spec": spec,
    }


def status_body(exc: ApiException) -> dict[str, Any]:
    assert exc.body, exc
    body = json.loads(exc.body)
    assert isinstance(body, dict)
    assert body["kind"] == "Status" and body["status"] == "Failure"
    assert body["code"] == exc.status
    return body


def job_pod(emu: Emulator, job: str, phase: str | None = None) -> dict[str, Any]:
    def find() -> dict[str, Any] | None:
        for p in emu.list("pods", NS, f"job-name={job}"):
            if phase is None or p["status"].get("phase") == phase:
                return p
        return None

    return emu.wait_for(find, message=f"pod of {job} in phase {phase}")


def job_condition(emu: Emulator, job: str, ctype: str) -> dict[str, Any]:
    def find() -> dict[str, Any] | None:
        obj = emu.get("jobs", NS, job)
        for c in ((obj or {}).get("status") or {}).get("conditions") or []:
            if c["type"] == ctype and c["status"] == "True":
                return dict(c)
        return None

    return emu.wait_for(find, message=f"job {job} condition {ctype}")


def main_state(pod: dict[str, Any]) -> dict[str, Any]:
    statuses = pod["status"].get("containerStatuses") or []
    return dict(statuses[0]["state"]) if statuses else {}


# -- wiring ---------------------------------------------------------------------------------


def test_kubeconfig_discovery_and_version(emu: Emulator, tmp_path: Path) -> None:
    path = emu.write_kubeconfig(tmp_path / "kubeconfig")
    kube_config: Any = config  # its loaders are untyped
    _contexts, active = kube_config.list_kube_config_contexts(config_file=str(path))
    assert active["name"] == "emulator" and active["context"]["namespace"] == NS
    with kube_config.new_client_from_config(config_file=str(path)) as api:
        core: Any = client.CoreV1Api(api)
        assert [n.metadata.name for n in core.list_namespace().items] == [NS]
        version: Any = client.VersionApi(api)
        assert version.get_code().git_version.startswith("v1.30")
        apis: Any = client.ApisApi(api)
        groups = {g.name for g in apis.get_api_versions().groups}
        assert {"batch", "coordination.k8s.io", "authorization.k8s.io"} <= groups
        batch: Any = client.BatchV1Api(api)
        names = {r.name for r in batch.get_api_resources().resources}
        assert {"jobs", "jobs/status"} <= names
        assert "pods/log" in {r.name for r in core.get_api_resources().resources}
        assert core.read_namespaced_service_account("default", NS)


def test_metadata_uid_resource_version_and_list_rv(core: Any) -> None:
    a = core.create_namespaced_config_map(NS, {"metadata": {"name": "a"}, "data": {"k": "v"}})
    b = core.create_namespaced_config_map(NS, {"metadata": {"name": "b"}})
    assert a.metadata.uid and b.metadata.uid and a.metadata.uid != b.metadata.uid
    assert int(b.metadata.resource_version) > int(a.metadata.resource_version)
    assert a.metadata.creation_timestamp is not None and a.metadata.generation == 1
    listed = core.list_namespaced_config_map(NS)
    assert int(listed.metadata.resource_version) >= int(b.metadata.resource_version)
    assert [c.metadata.name for c in listed.items] == ["a", "b"]
    gen = core.generate_name = core.create_namespaced_config_map(
        NS, {"metadata": {"generateName": "run-"}}
    )
    assert re.fullmatch(r"run-[a-z0-9]{5}", gen.metadata.name)


def test_label_and_field_selectors(emu: Emulator, core: Any) -> None:
    for name, labels in {
        "a": {"app": "kubeclip", "tier": "x"},
        "b": {"app": "kubeclip", "tier": "y"},
        "c": {"app": "other"},
        "d": {},
    }.items():
        core.create_namespaced_secret(NS, {"metadata": {"name": name, "labels": labels}})

    def names(selector: str | None = None, fields: str | None = None) -> list[str]:
        kwargs: dict[str, str] = {}
        if selector is not None:
            kwargs["label_selector"] = selector
        if fields is not None:
            kwargs["field_selector"] = fields
        return sorted(s.metadata.name for s in core.list_namespaced_secret(NS, **kwargs).items)

    assert names("app=kubeclip") == ["a", "b"]
    assert names("app==kubeclip,tier=y") == ["b"]
    assert names("app!=kubeclip") == ["c", "d"]
    assert names("tier in (x, z)") == ["a"]
    assert names("tier notin (x)") == ["b", "c", "d"]
    assert names("tier") == ["a", "b"]
    assert names("!tier") == ["c", "d"]
    assert names("app in (kubeclip,other),!tier") == ["c"]
    assert names(fields="metadata.name=c") == ["c"]
    assert names("app=kubeclip", "metadata.name!=a") == ["b"]
    assert names(fields="metadata.namespace=paperclip") == ["a", "b", "c", "d"]
    assert [s["metadata"]["name"] for s in emu.list("secrets", NS, "tier in (y)")] == ["b"]
    with pytest.raises(ApiException) as bad:
        core.list_namespaced_secret(NS, field_selector="spec.nope=1")
    assert bad.value.status == 400
    with pytest.raises(ApiException) as bad_label:
        core.list_namespaced_secret(NS, label_selector="a in b")
    assert bad_label.value.status == 400
    # cluster-wide list
    everything = client.CoreV1Api(core.api_client).list_secret_for_all_namespaces()
    assert len(everything.items) == 4


def test_status_errors_409_404_422(core: Any, batch: Any) -> None:
    batch.create_namespaced_job(NS, job_body("dup"))
    with pytest.raises(ApiException) as exists:
        batch.create_namespaced_job(NS, job_body("dup"))
    body = status_body(exists.value)
    assert exists.value.status == 409 and body["reason"] == "AlreadyExists"
    assert body["message"] == 'jobs.batch "dup" already exists'
    assert body["details"] == {"name": "dup", "group": "batch", "kind": "jobs"}

    with pytest.raises(ApiException) as missing:
        batch.read_namespaced_job("nope", NS)
    assert missing.value.status == 404
    assert status_body(missing.value)["message"] == 'jobs.batch "nope" not found'

    with pytest.raises(ApiException) as no_ns:
        core.create_namespaced_secret("elsewhere", {"metadata": {"name": "s"}})
    body = status_body(no_ns.value)
    assert no_ns.value.status == 404 and body["message"] == 'namespaces "elsewhere" not found'

    bad = job_body("bad")
    bad["spec"]["template"]["spec"]["restartPolicy"] = "Always"
    with pytest.raises(ApiException) as invalid:
        batch.create_namespaced_job(NS, bad)
    body = status_body(invalid.value)
    assert invalid.value.status == 422 and body["reason"] == "Invalid"
    assert body["details"]["kind"] == "Job"
    assert body["details"]["causes"][0]["field"] == "spec.template.spec.restartPolicy"
    assert body["message"].startswith('Job.batch "bad" is invalid: spec.template.spec.')

    # kubernetes>=35's pydantic models reject unknown fields client-side, so send raw JSON.
    unknown = job_body("unknown")
    unknown["spec"]["template"]["spec"]["containers"][0]["imagePullPolicyy"] = "Always"
    api = batch.api_client
    method, url, headers, body_, post = api.param_serialize(
        method="POST",
        resource_path=f"/apis/batch/v1/namespaces/{NS}/jobs",
        header_params={"Content-Type": "application/json"},
        body=unknown,
    )
    raw = api.call_api(method, url, headers, body_, post)
    raw.read()
    assert raw.status == 422
    assert "imagePullPolicyy" in json.loads(raw.data)["message"]

    with pytest.raises(ApiException) as bad_secret:
        core.create_namespaced_secret(NS, {"metadata": {"name": "s"}, "data": {"k": "!!"}})
    assert bad_secret.value.status == 422


def test_secret_string_data_is_stored_as_data(emu: Emulator, core: Any) -> None:
    created = core.create_namespaced_secret(
        NS, {"metadata": {"name": "run"}, "stringData": {"prompt": "héllo"}}
    )
    assert created.data == {"prompt": "aMOpbGxv"} and created.string_data is None


def test_only_a_secrets_merge_patch_is_served(emu: Emulator, api: Any, core: Any) -> None:
    # kubeclip updates one thing: it wipes a run Secret's values with a JSON merge patch
    # carrying the Secret's uid. The emulator serves that as the apiserver answers it (a
    # foreign uid is an invalid change of an immutable field) and nothing else.
    from kubeclip.cluster.kube import ApiError, Kube

    created = core.create_namespaced_secret(
        NS, {"metadata": {"name": "run"}, "stringData": {"k": "v"}}
    )
    with pytest.raises(ApiException) as put:
        core.replace_namespaced_secret("run", NS, {"metadata": {"name": "run"}})
    assert put.value.status == 405
    with pytest.raises(ApiException) as strategic:  # the client's default for a dict
        core.patch_namespaced_secret("run", NS, {"metadata": {"labels": {"a": "b"}}})
    assert strategic.value.status == 415
    kube = Kube(api)

    def wipe(uid: str) -> None:
        kube.request("PATCH", f"/api/v1/namespaces/{NS}/secrets/run", verb="patch", group="",
                     resource="secrets", body={"metadata": {"uid": uid}, "data": None},
                     content_type="application/merge-patch+json")  # fmt: skip

    with pytest.raises(ApiError) as foreign:
        wipe("someone-elses-uid")
    assert foreign.value.code == 422
    assert foreign.value.status["details"]["causes"][0]["field"] == "metadata.uid"
    assert (emu.get("secrets", NS, "run") or {})["data"] == {"k": "dg=="}
    wipe(created.metadata.uid)
    stored = emu.get("secrets", NS, "run") or {}
    assert "data" not in stored and stored["metadata"]["uid"] == created.metadata.uid


# -- the Job controller and kubelet ---------------------------------------------------------


def test_job_runs_script_to_completion_with_followed_logs(
    emu: Emulator, core: Any, batch: Any
) -> None:
    lines = ["starting", '{"type":"text","text":"ünïcode ✓"}', "done"]
    emu.script = PodScript(log_lines=lines, line_interval=0.05)
    job = batch.create_namespaced_job(NS, job_body("run1"))
    assert job.spec.selector.match_labels == {
        "batch.kubernetes.io/controller-uid": job.metadata.uid
    }
    pod = job_pod(emu, "run1", "Running")
    name = pod["metadata"]["name"]
    assert re.fullmatch(r"run1-[a-z0-9]{5}", name)
    labels = pod["metadata"]["labels"]
    assert labels["job-name"] == labels["batch.kubernetes.io/job-name"] == "run1"
    assert (
        labels["controller-uid"]
        == labels["batch.kubernetes.io/controller-uid"]
        == (job.metadata.uid)
    )
    assert labels["kubeclip.dev/agent"] == "agent-1"
    assert pod["metadata"]["ownerReferences"] == [
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "name": "run1",
            "uid": job.metadata.uid,
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]

    resp = core.read_namespaced_pod_log(name, NS, follow=True, _preload_content=False)
    got = b"".join(resp.stream(amt=None, decode_content=False))
    assert got.decode("utf-8").splitlines() == lines  # the stream ends with the container

    done = job_condition(emu, "run1", "Complete")
    assert done["reason"] == "CompletionsReached"
    final = batch.read_namespaced_job("run1", NS)
    assert final.status.succeeded == 1 and final.status.active is None
    assert final.status.start_time and final.status.completion_time
    terminated = core.read_namespaced_pod(name, NS).status.container_statuses[0].state
    assert terminated.terminated.exit_code == 0 and terminated.terminated.reason == "Completed"
    events = core.list_namespaced_event(
        NS, field_selector=f"involvedObject.uid={job.metadata.uid}"
    ).items
    assert [e.reason for e in events] == ["SuccessfulCreate", "Completed"]
    assert events[0].message == f"Created pod: {name}"
    assert events[0].source.component == "job-controller"
    by_name = core.list_namespaced_event(
        NS, field_selector=f"involvedObject.name={name},involvedObject.kind=Pod"
    ).items
    assert {"Scheduled", "Started"} <= {e.reason for e in by_name}


def test_watch_sees_every_pod_state(emu: Emulator, core: Any, batch: Any) -> None:
    emu.script = PodScript(log_lines=["x"], schedule_delay=0.02, start_delay=0.02)
    rv = core.list_namespaced_pod(NS).metadata.resource_version
    batch.create_namespaced_job(NS, job_body("phases"))
    seen: list[tuple[str, str, str, str]] = []
    w = new_watch()
    for ev in w.stream(
        core.list_namespaced_pod,
        NS,
        resource_version=rv,
        timeout_seconds=2,
        label_selector="job-name=phases",
    ):
        pod = ev["object"]
        conds = ",".join(f"{c.type}={c.status}" for c in pod.status.conditions or [])
        st = pod.status.container_statuses[0].state if pod.status.container_statuses else None
        state = ""
        if st is not None:
            state = (
                (st.waiting and f"waiting:{st.waiting.reason}")
                or (st.running and "running")
                or (st.terminated and "terminated")
                or ""
            )
        seen.append((ev["type"], pod.status.phase, conds, state))
        if pod.status.phase == "Succeeded":
            w.stop()
    assert seen[0] == ("ADDED", "Pending", "", "")
    assert seen[1][:2] == ("MODIFIED", "Pending") and seen[1][2] == "PodScheduled=True"
    creating = next(s for s in seen if s[3] == "waiting:ContainerCreating")
    running = next(s for s in seen if s[3] == "running")
    assert seen.index(creating) < seen.index(running)
    assert running[1] == "Running" and "Ready=True" in running[2]
    assert seen[-1][1:] == ("Succeeded", seen[-1][2], "terminated")
    assert "Ready=False" in seen[-1][2]
    assert all(t == "MODIFIED" for t, *_ in seen[1:])


def test_pod_logs_timestamps_since_tail_and_errors(
    emu: Emulator, core: Any, batch: Any, api: Any
) -> None:
    emu.script = PodScript(log_lines=["one", "two", "three"], hang=True)
    batch.create_namespaced_job(NS, job_body("logs"))
    pod = job_pod(emu, "logs", "Running")
    name = pod["metadata"]["name"]
    emu.wait_for(lambda: len(emu.logs(NS, name)) == 3)
    assert core.read_namespaced_pod_log(name, NS) == "one\ntwo\nthree\n"
    assert core.read_namespaced_pod_log(name, NS, tail_lines=2) == "two\nthree\n"
    assert (
        core.read_namespaced_pod_log(name, NS, container="agent", since_seconds=60).count("\n") == 3
    )
    stamped = core.read_namespaced_pod_log(name, NS, timestamps=True)
    first_ts, _, first = stamped.splitlines()[0].partition(" ")
    assert TS.match(first_ts.encode() + b" ") and first == "one"
    # sinceTime is not a parameter of read_namespaced_pod_log: send it by hand. It has
    # second precision, so a reconnect gets the lines of that second again.
    stamps = [line.partition(" ")[0] for line in stamped.splitlines()]
    last_ts = stamps[-1]

    def since(value: Any) -> list[str]:
        method, url, headers, body, post = api.param_serialize(
            method="GET",
            resource_path=f"/api/v1/namespaces/{NS}/pods/{name}/log",
            query_params=[("sinceTime", value)],
        )
        raw = api.call_api(method, url, headers, body, post)
        raw.read()
        assert raw.status == 200
        return list(raw.data.decode().splitlines())

    second = last_ts[:19]
    expected = [
        text for ts, text in zip(stamps, ["one", "two", "three"], strict=True) if ts[:19] >= second
    ]
    assert "three" in expected
    assert since(last_ts) == expected  # nanoseconds are dropped: whole second again
    assert since(second + ".999999999Z") == expected
    # A datetime goes out as isoformat() ("+00:00", microseconds).
    parsed = dt.datetime.strptime(second, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=dt.UTC)
    assert since(parsed + dt.timedelta(microseconds=999_999)) == expected
    assert since(parsed + dt.timedelta(seconds=1)) == []
    with pytest.raises(ApiException) as bad_container:
        core.read_namespaced_pod_log(name, NS, container="nope")
    assert status_body(bad_container.value)["message"] == (
        f"container nope is not valid for pod {name}"
    )
    with pytest.raises(ApiException) as no_pod:
        core.read_namespaced_pod_log("ghost", NS)
    assert no_pod.value.status == 404


def test_log_bytes_are_exact(emu: Emulator, core: Any, batch: Any) -> None:
    big = "x" * (1024 * 1024)
    lines = [
        "plain",
        'tabs\tand "quotes" and \\ backslashes',
        "emoji 🚀 中文",
        big,
        json.dumps({"type": "step", "nested": {"a": [1, 2]}}),
    ]
    emu.script = PodScript(log_lines=lines)
    batch.create_namespaced_job(NS, job_body("bytes"))
    pod = job_pod(emu, "bytes", "Succeeded")
    resp = core.read_namespaced_pod_log(
        pod["metadata"]["name"], NS, follow=True, _preload_content=False
    )
    data = b"".join(resp.stream(amt=None, decode_content=False))
    assert data == ("\n".join(lines) + "\n").encode("utf-8")


def test_multi_container_log_requires_container_and_waiting_is_400(
    emu: Emulator, core: Any, batch: Any
) -> None:
    emu.script = PodScript(start_delay=5)
    containers = [{"name": "agent", "image": "a:1"}, {"name": "sidecar", "image": "b:1"}]
    batch.create_namespaced_job(NS, job_body("multi", containers=containers))
    pod = emu.wait_for(
        lambda: next(
            (p for p in emu.list("pods", NS, "job-name=multi") if main_state(p).get("waiting")),
            None,
        )
    )
    name = pod["metadata"]["name"]
    with pytest.raises(ApiException) as which:
        core.read_namespaced_pod_log(name, NS)
    assert status_body(which.value)["message"] == (
        f"a container name must be specified for pod {name}, choose one of: [agent sidecar]"
    )
    with pytest.raises(ApiException) as waiting:
        core.read_namespaced_pod_log(name, NS, container="agent")
    assert waiting.value.status == 400
    assert status_body(waiting.value)["message"] == (
        f'container "agent" in pod "{name}" is waiting to start: ContainerCreating'
    )


@pytest.mark.parametrize(
    ("script", "phase", "code", "reason", "job_reason"),
    [
        (PodScript(exit_code=3), "Failed", 3, "Error", "BackoffLimitExceeded"),
        (
            PodScript(termination_reason="OOMKilled"),
            "Failed",
            137,
            "OOMKilled",
            "BackoffLimitExceeded",
        ),
        (PodScript(log_lines=["a"]), "Succeeded", 0, "Completed", None),
    ],
)
def test_exit_codes(
    emu: Emulator,
    core: Any,
    script: PodScript,
    phase: str,
    code: int,
    reason: str,
    job_reason: str | None,
    batch: Any,
) -> None:
    emu.script = script
    batch.create_namespaced_job(NS, job_body("exit"))
    pod = job_pod(emu, "exit", phase)
    term = main_state(pod)["terminated"]
    assert (term["exitCode"], term["reason"]) == (code, reason)
    assert term["startedAt"] and term["finishedAt"]
    if job_reason:
        failed = job_condition(emu, "exit", "Failed")
        assert failed["reason"] == job_reason
        assert batch.read_namespaced_job("exit", NS).status.failed == 1
        events = core.list_namespaced_event(NS, field_selector="involvedObject.name=exit")
        assert "BackoffLimitExceeded" in [e.reason for e in events.items]


def test_pending_failures(emu: Emulator, batch: Any) -> None:
    emu.scripts_by_agent = {
        "pull": PodScript(image_pull_error='rpc error: code = NotFound desc = "x" not found'),
        "invalid": PodScript(invalid_image=True),
        "unsched": PodScript(unschedulable="0/3 nodes are available: 3 Insufficient memory."),
        "config": PodScript(create_container_config_error='secret "gone" not found'),
    }
    for agent in emu.scripts_by_agent:
        batch.create_namespaced_job(NS, job_body(agent, agent=agent))

    def waiting(job: str, reason: str) -> dict[str, Any]:
        return emu.wait_for(
            lambda: next(
                (
                    main_state(p)["waiting"]
                    for p in emu.list("pods", NS, f"job-name={job}")
                    if (main_state(p).get("waiting") or {}).get("reason") == reason
                ),
                None,
            ),
            message=f"{job} waiting {reason}",
        )

    assert "NotFound" in waiting("pull", "ErrImagePull")["message"]  # it comes back
    backoff = waiting("pull", "ImagePullBackOff")
    assert backoff["message"] == 'Back-off pulling image "example.com/agent:1.0"'
    assert "invalid reference format" in waiting("invalid", "InvalidImageName")["message"]
    assert waiting("config", "CreateContainerConfigError")["message"] == ('secret "gone" not found')
    unsched = emu.wait_for(
        lambda: next(
            (
                c
                for p in emu.list("pods", NS, "job-name=unsched")
                for c in p["status"].get("conditions") or []
                if c["reason" if "reason" in c else "type"] == "Unschedulable"
            ),
            None,
        )
    )
    assert unsched["type"] == "PodScheduled" and unsched["status"] == "False"
    assert unsched["message"] == "0/3 nodes are available: 3 Insufficient memory."
    for job in emu.scripts_by_agent:
        assert job_pod(emu, job)["status"]["phase"] == "Pending"
    reasons = {e["reason"] for e in emu.list("events", NS)}
    assert {"FailedScheduling", "BackOff", "Failed"} <= reasons


def test_admission_error_makes_no_pod(emu: Emulator, core: Any, batch: Any) -> None:
    message = (
        'pods "adm-x" is forbidden: violates PodSecurity "restricted:latest": runAsNonRoot != true'
    )
    emu.script = PodScript(admission_error=message)
    job = batch.create_namespaced_job(NS, job_body("adm"))
    event = emu.wait_for(
        lambda: next((e for e in emu.list("events", NS) if e["reason"] == "FailedCreate"), None)
    )
    assert event["message"] == message and event["type"] == "Warning"
    assert event["involvedObject"]["uid"] == job.metadata.uid
    assert core.list_namespaced_pod(NS).items == []


def test_eviction_and_init_failure(emu: Emulator, batch: Any) -> None:
    emu.scripts_by_agent = {
        "evict": PodScript(log_lines=["a"], evict_after=0.05),
        "init": PodScript(init_failure=True),
    }
    batch.create_namespaced_job(NS, job_body("evict", agent="evict"))
    batch.create_namespaced_job(
        NS, job_body("init", agent="init", init=[{"name": "setup", "image": "busybox:1.36"}])
    )
    evicted = job_pod(emu, "evict", "Failed")
    assert evicted["status"]["reason"] == "Evicted"
    assert evicted["status"]["message"] == "The node was low on resource: memory."
    assert main_state(evicted)["terminated"]["exitCode"] == 137
    init = job_pod(emu, "init", "Failed")
    init_state = init["status"]["initContainerStatuses"][0]["state"]["terminated"]
    assert init_state["exitCode"] == 1 and init_state["reason"] == "Error"
    assert main_state(init) == {"waiting": {"reason": "PodInitializing"}}
    assert job_condition(emu, "evict", "Failed")["reason"] == "BackoffLimitExceeded"


def test_active_deadline_kills_the_pod(emu: Emulator, batch: Any, core: Any) -> None:
    emu.time_scale = 0.2  # activeDeadlineSeconds: 1 fires after 0.2 s
    emu.script = PodScript(log_lines=["working"], hang=True)
    rv = core.list_namespaced_pod(NS).metadata.resource_version
    batch.create_namespaced_job(NS, job_body("slow", deadline=1))
    failed = job_condition(emu, "slow", "Failed")
    assert failed["reason"] == "DeadlineExceeded"
    assert failed["message"] == "Job was active longer than specified deadline"
    job = batch.read_namespaced_job("slow", NS)
    assert job.status.failed == 1 and not job.status.active
    assert {c.type for c in job.status.conditions} == {"FailureTarget", "Failed"}
    states = []
    for ev in new_watch().stream(
        core.list_namespaced_pod, NS, resource_version=rv, timeout_seconds=1
    ):
        states.append((ev["type"], main_state(ev["raw_object"])))
        if ev["type"] == "DELETED":
            break
    killed = next(s for t, s in states if "terminated" in s)
    assert killed["terminated"]["exitCode"] == 137
    assert states[-1][0] == "DELETED"


def test_deleting_a_running_pod_terminates_it_with_143(
    emu: Emulator, core: Any, batch: Any
) -> None:
    emu.script = PodScript(hang=True)
    batch.create_namespaced_job(NS, job_body("kill"))
    name = job_pod(emu, "kill", "Running")["metadata"]["name"]
    rv = core.list_namespaced_pod(NS).metadata.resource_version
    deleted = core.delete_namespaced_pod(name, NS)
    assert deleted.metadata.deletion_timestamp is not None
    assert core.read_namespaced_pod(name, NS).metadata.deletion_timestamp is not None
    kinds: list[tuple[str, Any]] = []
    for ev in new_watch().stream(
        core.list_namespaced_pod,
        NS,
        resource_version=rv,
        field_selector=f"metadata.name={name}",
        timeout_seconds=2,
    ):
        kinds.append((ev["type"], main_state(ev["raw_object"])))
        if ev["type"] == "DELETED":
            break
    term = next(s["terminated"] for _, s in kinds if "terminated" in s)
    assert (term["exitCode"], term["reason"]) == (143, "Error")
    assert kinds[-1][0] == "DELETED"


# -- deletion and garbage collection --------------------------------------------------------


def test_background_deletion_collects_owned_secret_and_pods(
    emu: Emulator, core: Any, batch: Any
) -> None:
    emu.script = PodScript(hang=True)
    job = batch.create_namespaced_job(NS, job_body("gc"))
    owner = {"apiVersion": "batch/v1", "kind": "Job", "name": "gc", "uid": job.metadata.uid}
    core.create_namespaced_secret(
        NS,
        {
            "metadata": {"name": "run-secret", "ownerReferences": [owner]},
            "stringData": {"prompt": "p"},
        },
    )
    job_pod(emu, "gc", "Running")
    status = batch.delete_namespaced_job("gc", NS, propagation_policy="Background")
    assert status["status"] == "Success" and status["details"]["uid"] == job.metadata.uid
    with pytest.raises(ApiException):
        batch.read_namespaced_job("gc", NS)
    emu.wait_for(lambda: emu.get("secrets", NS, "run-secret") is None, message="secret GC")
    emu.wait_for(lambda: not emu.list("pods", NS), message="pod GC")


def test_job_delete_without_policy_orphans_like_the_apiserver(
    emu: Emulator, core: Any, batch: Any, api: Any
) -> None:
    emu.script = PodScript(hang=True)
    job = batch.create_namespaced_job(NS, job_body("orphan"))
    core.create_namespaced_secret(
        NS,
        {
            "metadata": {
                "name": "s",
                "ownerReferences": [
                    {
                        "apiVersion": "batch/v1",
                        "kind": "Job",
                        "name": "orphan",
                        "uid": job.metadata.uid,
                    }
                ],
            }
        },
    )
    job_pod(emu, "orphan", "Running")
    _, code, headers = batch.delete_namespaced_job_with_http_info("orphan", NS)
    assert code == 200 and "child pods are preserved" in headers["Warning"]
    emu.wait_for(lambda: emu.get("jobs", NS, "orphan") is None)
    time.sleep(emu.gc_delay * 3)
    pod = job_pod(emu, "orphan", "Running")
    assert "ownerReferences" not in pod["metadata"]
    secret = emu.get("secrets", NS, "s")
    assert secret is not None and "ownerReferences" not in secret["metadata"]


def test_foreground_deletion_is_visible_until_dependents_are_gone(
    emu: Emulator, batch: Any
) -> None:
    emu.script = PodScript(hang=True)
    batch.create_namespaced_job(NS, job_body("fg"))
    job_pod(emu, "fg", "Running")
    returned = batch.delete_namespaced_job("fg", NS, propagation_policy="Foreground")
    assert returned["metadata"]["finalizers"] == ["foregroundDeletion"]
    visible = batch.read_namespaced_job("fg", NS)
    assert visible.metadata.deletion_timestamp is not None
    assert visible.metadata.finalizers == ["foregroundDeletion"]
    emu.wait_for(lambda: emu.get("jobs", NS, "fg") is None, message="job gone")
    assert emu.list("pods", NS) == []


def test_lease_lifecycle_and_owned_job(emu: Emulator, api: Any, batch: Any) -> None:
    leases: Any = client.CoordinationV1Api(api)
    lease = leases.create_namespaced_lease(
        NS,
        {
            "metadata": {"name": "run-lock"},
            "spec": {
                "holderIdentity": "runner-a",
                "leaseDurationSeconds": 15,
                "acquireTime": "2026-01-01T00:00:00.000000Z",
            },
        },
    )
    assert lease.spec.holder_identity == "runner-a"
    with pytest.raises(ApiException) as conflict:
        leases.create_namespaced_lease(NS, {"metadata": {"name": "run-lock"}, "spec": {}})
    assert conflict.value.status == 409
    assert status_body(conflict.value)["details"]["group"] == "coordination.k8s.io"
    body = job_body("leased")
    body["metadata"]["ownerReferences"] = [
        {
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "name": "run-lock",
            "uid": lease.metadata.uid,
        }
    ]
    batch.create_namespaced_job(NS, body)
    leases.delete_namespaced_lease("run-lock", NS)
    emu.wait_for(lambda: emu.get("jobs", NS, "leased") is None, message="job GC")
    emu.wait_for(lambda: not emu.list("pods", NS), message="pod GC")


# -- authorization -------------------------------------------------------------------------


def test_access_reviews_and_forbidden(emu: Emulator, api: Any, batch: Any) -> None:
    authz: Any = client.AuthorizationV1Api(api)

    def allowed(verb: str, resource: str, group: str, sub: str | None = None) -> bool:
        attrs: dict[str, Any] = {
            "namespace": NS,
            "verb": verb,
            "resource": resource,
            "group": group,
        }
        if sub:
            attrs["subresource"] = sub
        review = authz.create_self_subject_access_review({"spec": {"resourceAttributes": attrs}})
        return bool(review.status.allowed)

    assert allowed("create", "jobs", "batch")
    emu.faults.forbid("create", "jobs")
    emu.faults.forbid("get", "pods/log")
    assert not allowed("create", "jobs", "batch")
    assert allowed("delete", "jobs", "batch")
    assert not allowed("get", "pods", "", sub="log")
    with pytest.raises(ApiException) as denied:
        batch.create_namespaced_job(NS, job_body("nope"))
    body = status_body(denied.value)
    assert denied.value.status == 403 and body["reason"] == "Forbidden"
    assert body["message"] == (
        'jobs.batch is forbidden: User "system:serviceaccount:paperclip:kubeclip" cannot '
        'create resource "jobs" in API group "batch" in the namespace "paperclip"'
    )
    authn: Any = client.AuthenticationV1Api(api)
    who = authn.create_self_subject_review({})
    assert who.status.user_info.username == "system:serviceaccount:paperclip:kubeclip"
    emu.faults.reset()
    assert allowed("create", "jobs", "batch")


# -- faults --------------------------------------------------------------------------------


def test_fail_next_500_and_429(emu: Emulator, core: Any, batch: Any) -> None:
    emu.faults.fail_next(2, 500, verb="create", resource="jobs")
    for _ in range(2):
        with pytest.raises(ApiException) as boom:
            batch.create_namespaced_job(NS, job_body("flaky"))
        assert boom.value.status == 500
        assert status_body(boom.value)["reason"] == "InternalError"
    assert batch.create_namespaced_job(NS, job_body("flaky")).metadata.name == "flaky"
    emu.faults.fail_next(1, 429, verb="create", resource="secrets", retry_after=2)
    with pytest.raises(ApiException) as busy:
        core.create_namespaced_secret(NS, {"metadata": {"name": "s"}})
    assert busy.value.status == 429 and (busy.value.headers or {})["Retry-After"] == "2"
    assert status_body(busy.value)["details"]["retryAfterSeconds"] == 2
    # urllib3's default Retry honours Retry-After on 429/503 for GET/PUT/DELETE by itself:
    emu.faults.fail_next(2, 429, verb="get", resource="jobs", retry_after=0)
    before = emu.count("get", "jobs")
    assert batch.read_namespaced_job("flaky", NS).metadata.name == "flaky"
    assert emu.count("get", "jobs") - before == 3
    assert [r.status for r in emu.requests if r.verb == "get" and r.resource == "jobs"] == [
        429,
        429,
        200,
    ]
    # ... but not without a Retry-After header.
    emu.faults.fail_next(1, 429, verb="get", resource="jobs")
    with pytest.raises(ApiException) as plain:
        batch.read_namespaced_job("flaky", NS)
    assert plain.value.status == 429


def test_conflict_on_create(emu: Emulator, core: Any) -> None:
    emu.faults.conflict_on_create("secrets", n=1)
    with pytest.raises(ApiException) as conflict:
        core.create_namespaced_secret(NS, {"metadata": {"name": "s"}})
    assert conflict.value.status == 409
    assert status_body(conflict.value)["reason"] == "AlreadyExists"
    assert core.create_namespaced_secret(NS, {"metadata": {"name": "s"}}).metadata.name == "s"


def test_cut_log_stream_after_lines_and_mid_line(emu: Emulator, core: Any, batch: Any) -> None:
    emu.script = PodScript(log_lines=[f"line {i}" for i in range(5)], line_interval=0.03)
    batch.create_namespaced_job(NS, job_body("cut"))
    name = job_pod(emu, "cut", "Running")["metadata"]["name"]
    emu.faults.cut_log_stream(after_lines=2, times=2)

    def follow() -> tuple[bytes, bool]:
        resp = core.read_namespaced_pod_log(name, NS, follow=True, _preload_content=False)
        got = b""
        try:
            for chunk in resp.stream(amt=None, decode_content=False):
                got += chunk
        except urllib3.exceptions.ProtocolError:
            return got, True
        return got, False

    assert follow() == (b"line 0\nline 1\n", True)
    assert follow() == (b"line 0\nline 1\n", True)
    full, was_cut = follow()
    assert not was_cut and full.splitlines() == [f"line {i}".encode() for i in range(5)]
    emu.faults.cut_log_stream(after_lines=1, times=1, mid_line=True)
    partial, was_cut = follow()
    assert was_cut and partial == b"line 0\nlin"


def test_expire_watches_gives_410(emu: Emulator, core: Any) -> None:
    rv = core.list_namespaced_config_map(NS).metadata.resource_version
    core.create_namespaced_config_map(NS, {"metadata": {"name": "c"}})
    emu.faults.expire_watches()
    with pytest.raises(ApiException) as gone:
        for _ in new_watch().stream(
            core.list_namespaced_config_map, NS, resource_version=rv, timeout_seconds=1
        ):
            pass
    assert gone.value.status == 410 and gone.value.reason.startswith("Expired: too old")
    # The raw stream is what the apiserver sends: HTTP 200, then one ERROR event.
    resp = core.list_namespaced_config_map(
        NS, watch=True, resource_version=rv, _preload_content=False
    )
    assert resp.status == 200
    events = [json.loads(line) for line in resp.data.splitlines()]
    assert [e["type"] for e in events] == ["ERROR"]
    assert events[0]["object"]["code"] == 410 and events[0]["object"]["reason"] == "Expired"
    # A new watch from a fresh list works.
    fresh = core.list_namespaced_config_map(NS).metadata.resource_version
    core.create_namespaced_config_map(NS, {"metadata": {"name": "d"}})
    w = new_watch()
    for event in w.stream(
        core.list_namespaced_config_map, NS, resource_version=fresh, timeout_seconds=1
    ):
        assert event["object"].metadata.name == "d"
        w.stop()


def test_drop_watches_clean_reconnects_abrupt_raises(emu: Emulator, core: Any) -> None:
    rv = core.list_namespaced_config_map(NS).metadata.resource_version
    w = new_watch()
    names: list[str] = []

    def later() -> None:
        time.sleep(0.1)
        emu.faults.drop_watches()
        emu.wait_for(lambda: emu.count("watch", "configmaps") >= 2)
        core.create_namespaced_config_map(NS, {"metadata": {"name": "after-drop"}})

    t = threading.Thread(target=later)
    t.start()
    for ev in w.stream(core.list_namespaced_config_map, NS, resource_version=rv):
        names.append(ev["object"].metadata.name)
        w.stop()
    t.join()
    assert names == ["after-drop"]
    watches = [r for r in emu.requests if r.verb == "watch"]
    assert len(watches) == 2 and all(r.watch for r in watches)

    def abrupt() -> None:
        time.sleep(0.1)
        emu.faults.drop_watches(abrupt=True)

    t = threading.Thread(target=abrupt)
    t.start()
    with pytest.raises(urllib3.exceptions.ProtocolError):
        for _ in new_watch().stream(core.list_namespaced_config_map, NS):
            pass
    t.join()
    # drop_watches_after arms a drop for a watch that is not open yet.
    emu.faults.drop_watches_after(0.1)
    started = time.monotonic()
    resp = core.list_namespaced_config_map(NS, watch=True, _preload_content=False)
    assert [json.loads(line)["type"] for line in resp.data.splitlines()] == ["ADDED"]
    assert 0.05 < time.monotonic() - started < 1


def test_watch_selector_transitions_bookmarks_and_timeout(emu: Emulator, core: Any) -> None:
    emu.bookmark_interval = 0.05
    rv = core.list_namespaced_config_map(NS).metadata.resource_version
    core.create_namespaced_config_map(NS, {"metadata": {"name": "c", "labels": {"a": "1"}}})
    core.delete_namespaced_config_map("c", NS)
    core.create_namespaced_config_map(NS, {"metadata": {"name": "d", "labels": {"a": "2"}}})
    core.create_namespaced_config_map(NS, {"metadata": {"name": "c", "labels": {"a": "1"}}})
    core.delete_namespaced_config_map("c", NS)
    core.delete_namespaced_config_map("d", NS)
    events: list[dict[str, Any]] = []
    w = new_watch()
    for event in w.stream(
        core.list_namespaced_config_map,
        NS,
        resource_version=rv,
        label_selector="a=1",
        allow_watch_bookmarks=True,
        timeout_seconds=1,
    ):
        events.append(event)
        if len(events) == 6:
            w.stop()
    types = [e["type"] for e in events]
    assert types[:4] == ["ADDED", "DELETED", "ADDED", "DELETED"]
    assert set(types[4:]) == {"BOOKMARK"}
    assert events[-1]["raw_object"]["metadata"]["resourceVersion"] == str(int(rv) + 6)
    # Without a resourceVersion a watch starts with the current objects as ADDED.
    core.create_namespaced_config_map(NS, {"metadata": {"name": "e"}})
    w = new_watch()
    for first in w.stream(core.list_namespaced_config_map, NS, timeout_seconds=1):
        assert (first["type"], first["object"].metadata.name) == ("ADDED", "e")
        w.stop()
    # timeoutSeconds ends the stream (the client does not reconnect when it is given).
    started = time.monotonic()
    assert list(new_watch().stream(core.list_namespaced_secret, NS, timeout_seconds=1)) == []
    assert 0.9 < time.monotonic() - started < 1.5


def test_request_log_records_verbs_and_resources(emu: Emulator, core: Any, batch: Any) -> None:
    emu.script = PodScript(log_lines=["l"])
    batch.create_namespaced_job(NS, job_body("rec"))
    name = job_pod(emu, "rec", "Succeeded")["metadata"]["name"]
    core.read_namespaced_pod_log(name, NS, container="agent", tail_lines=5)
    batch.list_namespaced_job(NS, label_selector="kubeclip.dev/agent=agent-1")
    w = new_watch()
    for _ in w.stream(batch.list_namespaced_job, NS, timeout_seconds=1):
        w.stop()
    batch.delete_namespaced_job("rec", NS, propagation_policy="Background")
    assert emu.count("create", "jobs") == 1
    assert emu.count(resource="pods/log") == 1
    log_req = next(r for r in emu.requests if r.resource == "pods/log")
    assert log_req.verb == "get" and log_req.query == {"container": "agent", "tailLines": "5"}
    assert log_req.path == f"/api/v1/namespaces/{NS}/pods/{name}/log"
    assert emu.count("list", "jobs") == 1 and emu.count("watch", "jobs") == 1
    assert emu.count("delete", "jobs") == 1
    delete = next(r for r in emu.requests if r.verb == "delete")
    assert delete.query == {"propagationPolicy": "Background"} and delete.name == "rec"


def test_seeded_objects_and_concurrent_clients(emu: Emulator, api: Any) -> None:
    core: Any = client.CoreV1Api(api)
    emu.put_object(
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": "workspace"},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "1Gi"}},
            },
            "status": {"phase": "Bound"},
        }
    )
    emu.put_object(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "paperclip-0", "labels": {"app": "paperclip"}},
            "spec": {"containers": [{"name": "paperclip", "image": "p:1"}]},
            "status": {"phase": "Running"},
        }
    )
    pvc = core.read_namespaced_persistent_volume_claim("workspace", NS)
    assert pvc.status.phase == "Bound" and pvc.metadata.uid
    assert core.read_namespaced_pod("paperclip-0", NS).status.phase == "Running"
    emu.put_object({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other"}})
    core.create_namespaced_config_map("other", {"metadata": {"name": "x"}})

    errors: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            with emu.api_client() as own:
                c: Any = client.CoreV1Api(own)
                for j in range(5):
                    c.create_namespaced_config_map(NS, {"metadata": {"name": f"c-{i}-{j}"}})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    rvs = [int(c.metadata.resource_version) for c in core.list_namespaced_config_map(NS).items]
    assert len(rvs) == 40 and len(set(rvs)) == 40


def test_ttl_after_finished(emu: Emulator, batch: Any) -> None:
    emu.time_scale = 0.1
    body = job_body("ttl")
    body["spec"]["ttlSecondsAfterFinished"] = 1
    batch.create_namespaced_job(NS, body)
    job_condition(emu, "ttl", "Complete")
    emu.wait_for(lambda: emu.get("jobs", NS, "ttl") is None, message="TTL deletion")


def test_backoff_limit_retries_with_new_pods(emu: Emulator, batch: Any, core: Any) -> None:
    emu.script = PodScript(exit_code=1)
    batch.create_namespaced_job(NS, job_body("retry", backoff=1))
    assert job_condition(emu, "retry", "Failed")["reason"] == "BackoffLimitExceeded"
    pods = core.list_namespaced_pod(NS, field_selector="status.phase=Failed").items
    assert len(pods) == 2 and batch.read_namespaced_job("retry", NS).status.failed == 2
    assert core.list_namespaced_pod(NS, field_selector="status.phase=Running").items == []


def test_watch_events_of_one_job(emu: Emulator, batch: Any, core: Any) -> None:
    rv = core.list_namespaced_event(NS).metadata.resource_version
    job = batch.create_namespaced_job(NS, job_body("ev"))
    batch.create_namespaced_job(NS, job_body("other"))
    reasons = []
    w = new_watch()
    for ev in w.stream(
        core.list_namespaced_event,
        NS,
        resource_version=rv,
        timeout_seconds=2,
        field_selector=f"involvedObject.uid={job.metadata.uid}",
    ):
        assert ev["object"].involved_object.name == "ev"
        reasons.append(ev["object"].reason)
        if ev["object"].reason == "Completed":
            w.stop()
    assert reasons == ["SuccessfulCreate", "Completed"]


def test_stop_ends_open_streams() -> None:
    emu = Emulator(namespaces=[NS])
    with emu.api_client() as own:
        own_core: Any = client.CoreV1Api(own)
        own_batch: Any = client.BatchV1Api(own)
        emu.script = PodScript(log_lines=["a"], hang=True)
        own_batch.create_namespaced_job(NS, job_body("forever"))
        name = job_pod(emu, "forever", "Running")["metadata"]["name"]
        results: list[Any] = []

        def follow() -> None:
            resp = own_core.read_namespaced_pod_log(name, NS, follow=True, _preload_content=False)
            results.append(b"".join(resp.stream(amt=None, decode_content=False)))

        def watch_pods() -> None:
            results.extend(
                e["type"]
                for e in new_watch().stream(own_core.list_namespaced_pod, NS, timeout_seconds=30)
            )

        threads = [threading.Thread(target=follow), threading.Thread(target=watch_pods)]
        for t in threads:
            t.start()
        emu.wait_for(lambda: emu.count("watch") == 1 and emu.count(resource="pods/log") == 1)
        started = time.monotonic()
        emu.stop()
        for t in threads:
            t.join(timeout=3)
        assert not any(t.is_alive() for t in threads)
        assert time.monotonic() - started < 2
        assert b"a\n" in results and "ADDED" in results
        assert emu.errors == []


def test_pod_level_active_deadline(emu: Emulator, batch: Any) -> None:
    emu.time_scale = 0.1
    emu.script = PodScript(hang=True)
    body = job_body("poddl")
    body["spec"]["template"]["spec"]["activeDeadlineSeconds"] = 1
    batch.create_namespaced_job(NS, body)
    pod = job_pod(emu, "poddl", "Failed")
    assert pod["status"]["reason"] == "DeadlineExceeded"
    assert main_state(pod)["terminated"]["exitCode"] == 137
    assert job_condition(emu, "poddl", "Failed")["reason"] == "BackoffLimitExceeded"


def test_the_shared_fixtures(emulator: Emulator, kubeconfig: Path) -> None:
    kube_config: Any = config
    with kube_config.new_client_from_config(config_file=str(kubeconfig)) as api:
        leases: Any = client.CoordinationV1Api(api)
        leases.create_namespaced_lease(NS, {"metadata": {"name": "l"}, "spec": {}})
    assert emulator.get("leases", NS, "l") is not None
    assert emulator.count("create", "leases") == 1
