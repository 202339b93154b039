"""The run's files: what an agent's CLI is handed by path rather than on stdin or in its
environment (claude_local's prompt bundle and instructions file, its MCP config with the
run's bearer tokens; Codex's ``auth.json``), as a bridge gathered them where Paperclip
runs, symlinks followed.

Why the run Secret and not a ConfigMap or the shared claim: some are credentials, all are
the run's own (wiped with its other values), and nothing of the user's on the claim is
ever written. Why a copy at the pod's start (``RUNNER_SCRIPT``): the Secret is wiped once
the agent runs, the kubelet then empties its volume, and a CLI reads some files late (a
skill when the model asks for it).
"""

from __future__ import annotations

import base64
import binascii
import posixpath

from kubeclip.errors import InputError
from kubeclip.renderer import naming
from kubeclip.renderer.draft import Draft, Inputs
from kubeclip.renderer.kube_types import KeyToPath
from kubeclip.renderer.plan import FILES_DIR, PROMPT_DIR, REDACTED, SECRET_LIMIT

FILES_SUBDIR = "files"  # under PROMPT_DIR, in the run Secret's volume


def run_files(inputs: Inputs, draft: Draft) -> list[KeyToPath]:
    """Each file into the run Secret (redacted unless revealed); returns the Secret volume's
    items that place them under PROMPT_DIR/files, and sets KUBECLIP_FILES for the copy."""
    files = inputs.run.get("files") or []
    items: list[KeyToPath] = []
    total, paths = 0, set()
    for i, file in enumerate(files):
        path = file["path"]
        where = f"files[{i}]"
        if any(part in (".", "..") for part in path.split("/")) or path in paths:
            raise InputError("run context", [f"{where}: {path!r} is not a new relative path"])
        try:
            raw = base64.b64decode(file["data"], validate=True)
        except (binascii.Error, ValueError):
            raise InputError("run context", [f"{where}.data: not base64"]) from None
        paths.add(path)
        total += len(file["data"])
        key = naming.run_secret_key(draft.job_name, f"file-{i}")
        if draft.reveal:
            draft.data[key] = file["data"]
        else:
            draft.string_data[key] = REDACTED
        if file.get("credential"):
            draft.secret_values.append(raw.decode("utf-8", "replace"))
        mode = 0o550 if file.get("executable") else 0o440
        items.append({"key": key, "path": posixpath.join(FILES_SUBDIR, path), "mode": mode})
    nested = sorted(p for p in paths if any(q.startswith(p + "/") for q in paths))
    if nested:
        raise InputError("run context", [f"files: {nested[0]!r} is a file and a directory"])
    if total > SECRET_LIMIT // 2:
        raise InputError("run context", [
            f"files: {total} bytes (base64) with the prompt must fit in one Secret of 1 MiB: "
            "at most 512 KiB of files"])  # fmt: skip
    if items:
        draft.put("KUBECLIP_FILES", posixpath.join(PROMPT_DIR, FILES_SUBDIR))
        draft.review.notes.append(f"files: {len(items)} in the run Secret ({total} bytes, "
                                  f"base64), copied to {FILES_DIR} as the pod starts")  # fmt: skip
    return items
