"""What a `pip install` user gets, and what the render path costs to import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = [
    "render",
    "--config", str(ROOT / "examples/agent-config.yaml"),
    "--pod", str(ROOT / "examples/paperclip-deployment.yaml"),
    "--run", str(ROOT / "examples/run-context.json"),
]  # fmt: skip


def test_render_path_imports_neither_kubernetes_nor_jsonschema() -> None:
    """Rendering must stay lean: no kubernetes client, and jsonschema only to explain errors."""
    code = (
        "import sys, io, contextlib\n"
        "from kubeclip.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert main({EXAMPLE!r}) == 0\n"
        "print([m for m in sys.modules if m.split('.')[0] in ('kubernetes', 'jsonschema')])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_renderer_package_is_its_own_unit() -> None:
    """kubeclip.renderer imports nothing of the cluster, run or Paperclip layers (nor any
    network client): the data flow goes one way, schema -> renderer -> cluster -> run."""
    allowed_from_kubeclip = {"kubeclip", "kubeclip.errors", "kubeclip.renderer"}
    for path in sorted((ROOT / "kubeclip" / "renderer").rglob("*.py")):
        for name in _imports(path):
            top = name.split(".")[0]
            assert top not in ("kubernetes", "urllib3", "requests", "http", "socket"), (
                f"{path.relative_to(ROOT)} imports {name}"
            )
            if top == "kubeclip":
                layer = ".".join(name.split(".")[:2])
                where = path.relative_to(ROOT)
                assert layer in allowed_from_kubeclip, f"{where} imports {name}"


def _imports(path: Path) -> list[str]:
    """Every absolute module ``path`` imports, at any level (function-level too)."""
    import ast

    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
    return names


def _readme_layers() -> list[str]:
    """The layers of the README's architecture table, top (imported by all) first."""
    text = (ROOT / "README.md").read_text()
    table = text[text.index("## Architecture"):].split("\n\n")[2]
    return [row.split("|")[1].strip().strip("`") for row in table.splitlines()[2:]]


def _layer_of(module: str) -> str:
    parts = module.split(".")
    if parts == ["kubeclip"]:
        return "kubeclip"  # the package root: its version only
    name = parts[1]
    return {"__main__": "cli", "completion": "cli"}.get(name, name)


def test_every_module_imports_only_the_layers_the_readme_draws_above_it() -> None:
    """Issue #23: upward imports (cluster -> run, run -> paperclip, paperclip -> serve) had
    crept in, held by nothing but the renderer's own test. Function-level imports count."""

    layers = _readme_layers()
    assert layers == ["errors", "renderer", "cluster", "run", "paperclip", "serve", "cli"]
    rank = {"kubeclip": -1, **{layer: i for i, layer in enumerate(layers)}}
    upward = []
    for path in sorted((ROOT / "kubeclip").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        mine = _layer_of(module)
        assert mine in rank, f"{module}: a layer the README does not draw"
        for name in _imports(path):
            if name.split(".")[0] == "kubeclip" and rank[_layer_of(name)] > rank[mine]:
                upward.append(f"{module} ({mine}) imports {name}")
    assert upward == []


def test_a_call_site_names_a_resource_never_a_path() -> None:
    """Issue #23: call sites built paths with ns_path or f-strings and named the resource a
    second time for the permission check, which never looked at the path."""
    import re

    from kubeclip.cluster import resources

    for path in sorted((ROOT / "kubeclip").rglob("*.py")):
        if path.name in ("kube.py", "resources.py"):
            continue
        text = path.read_text()
        assert not re.search(r"[\"']/apis?/", text), f"{path.relative_to(ROOT)} writes a path"
        assert "kube.request(" not in text, f"{path.relative_to(ROOT)} calls Kube.request"
    assert resources.POD_LOG.path("ns", "p") == "/api/v1/namespaces/ns/pods/p/log"
    assert resources.JOBS.path("a b") == "/apis/batch/v1/namespaces/a%20b/jobs"
    assert resources.NAMESPACES.path(None, "x") == "/api/v1/namespaces/x"


@pytest.mark.parametrize("generator", ["gen_validators.py", "gen_config_types.py"])
def test_generated_code_matches_the_schemas(generator: str) -> None:
    pytest.importorskip("fastjsonschema")
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / generator), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr + "\nrun `python scripts/regen.py`"


def test_wheel_ships_templates_and_schemas(tmp_path: Path) -> None:
    pytest.importorskip("hatchling")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    (wheel,) = tmp_path.glob("kubeclip-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "kubeclip/templates/job.yaml",
        "kubeclip/templates/secret.yaml",
        "kubeclip/schema/agent-config.schema.json",
        "kubeclip/schema/run-context.schema.json",
        "kubeclip/renderer/_generated/agent_config.py",
        "kubeclip/renderer/_generated/k8s_schema.json",  # what user templates are held to
    ):
        assert required in names
    assert any(n.startswith("kubeclip-") and n.endswith("/LICENSE") for n in names), names
    # the Python relay is a plain script pip points at its Python: pip's entry-point
    # wrapper imports re, 4.5 ms of each relay's start (issue #25). It is kubeclip-opencode
    # itself, or beside the C start where a compiler was found.
    python_relay = "-python" if "kubeclip/paperclip/kubeclip-relay" in names else ""
    (script,) = [n for n in names if n.endswith(f".data/scripts/kubeclip-opencode{python_relay}")]
    text = zipfile.ZipFile(wheel).read(script).decode()
    assert text.startswith("#!python\n") and "import re" not in text, text
    # and an installed wheel renders from its own copies, not from this checkout
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    code = "import kubeclip.renderer.resources as r; print(r.templates_dir(), r.schema_dir())"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
    )
    assert out.stdout.split() == [
        str(target / "kubeclip/templates"),
        str(target / "kubeclip/schema"),
    ]


def test_wheel_ships_the_native_relay_executable_where_a_compiler_is(tmp_path: Path) -> None:
    """kubeclip-relay rides in the wheel, executable, under a tag for any Python 3 of that
    platform (it does not link libpython); pip installs keep the mode."""
    pytest.importorskip("hatchling")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True, env={**os.environ, "KUBECLIP_BUILD_NATIVE": "require"},
    )  # fmt: skip
    (wheel,) = tmp_path.glob("kubeclip-*.whl")
    assert wheel.name.startswith("kubeclip-0.1.0-py3-none-linux_"), wheel.name
    info = zipfile.ZipFile(wheel).getinfo("kubeclip/paperclip/kubeclip-relay")
    assert (info.external_attr >> 16) & 0o111, oct(info.external_attr >> 16)
    # Installed: Paperclip's kubeclip-opencode is the C start (issue #25), which finds the
    # Python relay beside it, with the interpreter pip wrote into its first line.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"),
                    "install", "-q", "--no-deps", str(wheel)], check=True)  # fmt: skip
    front = venv / "bin" / "kubeclip-opencode"
    assert front.read_bytes()[:4] == b"\x7fELF"
    python_relay = (venv / "bin" / "kubeclip-opencode-python").read_text()
    assert python_relay.startswith(f"#!{venv}/bin/python"), python_relay
    done = subprocess.run([str(front), "--version"], capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin"})  # fmt: skip
    assert done.stdout.startswith("kubeclip-opencode 0.1.0"), done


def test_one_license_everywhere() -> None:
    """Issue #22 (16): the Python package said Apache-2.0 and the adapter package MIT, with
    no LICENSE file at all."""
    import json
    import tomllib

    license_text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in license_text and "Version 2.0, January 2004" in license_text
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    package = json.loads((ROOT / "adapters/paperclip/package.json").read_text())
    lock = json.loads((ROOT / "adapters/paperclip/package-lock.json").read_text())
    assert pyproject["project"]["license"] == package["license"] == "Apache-2.0"
    assert lock["packages"][""]["license"] == "Apache-2.0"


def test_schema_command_prints_the_bundled_schema() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "kubeclip", "schema", "agent-config"],
        capture_output=True,
        text=True,
        check=True,
    )
    schema = json.loads(out.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False


def test_no_module_or_function_grows_past_what_a_reviewer_can_hold() -> None:
    # Issue #11's bar: modules up to ~400 lines, functions up to ~60, generated code apart.
    # A unit that outgrows it is split by concern, not squeezed.
    import ast

    too_big = []
    for path in sorted((ROOT / "kubeclip").rglob("*.py")):
        if "_generated" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(ROOT)
        if len(text.splitlines()) > 410:
            too_big.append(f"{name}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > 60:
                    too_big.append(f"{name}:{node.lineno} {node.name}: {length} lines")
    assert too_big == []


def test_the_relay_imports_the_standard_library_only() -> None:
    # kubeclip-opencode runs once per agent run: it must stay a few MiB (#12)
    code = (
        "import sys, kubeclip.paperclip.relay as r; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('kubernetes', 'yaml', 'jinja2', 'urllib3', 'typing', 'dataclasses')); print(bad)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
