"""Container start-up for the simulated node, run as root inside a private mount namespace
(``unshare --mount --propagation private``): bind-mount the pod's volumes at their
mountPaths, enter workingDir, drop to runAsUser/runAsGroup (+ fsGroup), and exec the
container's argv. Stdlib only; it becomes the container's process (same pid), so the
node's SIGTERM/SIGKILL reach the agent as a real container runtime's would.

argv[1]: a JSON file {"mounts": [[src, dst, readOnly], ...], "workingDir", "uid", "gid",
"groups", "argv", "env"}.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys


def main() -> None:
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    # Like a runtime: parents before children (/tmp before a volume at /tmp/x). Every source
    # is opened first, because a source may live in the host's /tmp that /tmp then hides.
    mounts = sorted(spec["mounts"], key=lambda m: os.path.normpath(m[1]).count("/"))
    fds = [os.open(src, os.O_PATH) for src, _dst, _ro in mounts]
    for fd, (_src, dst, read_only) in zip(fds, mounts, strict=True):
        os.makedirs(dst, exist_ok=True)  # an empty mount point; the mount itself is private
        subprocess.run(["mount", "--bind", f"/proc/self/fd/{fd}", dst], check=True,
                       pass_fds=(fd,))  # fmt: skip
        if read_only:
            subprocess.run(["mount", "-o", "remount,bind,ro", dst], check=True)
    for fd in fds:
        os.close(fd)
    os.setgroups(spec["groups"])
    os.setgid(spec["gid"])
    os.setuid(spec["uid"])
    cwd = spec.get("workingDir") or "/"
    try:  # runc creates a missing workingDir, as the container's user
        os.makedirs(cwd, exist_ok=True)
    except OSError:
        pass
    os.chdir(cwd)
    argv = spec["argv"]
    env = spec["env"]
    try:
        os.execvpe(argv[0], argv, env)
    except OSError as e:
        # what a runtime reports as StartError / exit 127-128
        print(f"exec {argv[0]!r}: {e.strerror}", file=sys.stderr, flush=True)
        os._exit(127 if isinstance(e, FileNotFoundError) else 126)


if __name__ == "__main__":
    main()
