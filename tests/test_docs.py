"""The README is what a newcomer reads first (issue #22, 17-20): short, with the path from
install to a Paperclip run in it, every other page one link away, and every promise about
versions and install steps the same as what the repository holds."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
DOCS = sorted((ROOT / "docs").glob("*.md"))
PAGES = [ROOT / "README.md", *DOCS, ROOT / "charts/kubeclip/README.md"]


def _section(title: str) -> str:
    start = README.index(f"\n## {title}")
    end = README.find("\n## ", start + 1)
    return README[start : end if end > 0 else None]


def test_the_readme_fits_a_newcomer() -> None:
    assert len(README.splitlines()) <= 200
    for title in ("What it is", "Requirements and supported versions", "Install",
                  "Which Paperclip path should I choose?", "Walkthrough",
                  "Commands and exit codes", "Agent config", "Documentation"):  # fmt: skip
        assert f"\n## {title}" in README, title


def test_every_page_of_docs_is_linked_from_the_readme() -> None:
    assert DOCS
    for page in DOCS:
        assert f"](docs/{page.name})" in _section("Documentation"), page.name


def test_every_relative_link_resolves() -> None:
    for page in PAGES:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text()):
            if "://" in target:
                continue
            assert (page.parent / target).exists(), f"{page.relative_to(ROOT)}: {target}"


def test_the_paperclip_paths_table_names_every_path() -> None:
    table = _section("Which Paperclip path should I choose?")
    for path in ("drop-in", "drop-in + serve sidecar", "native adapter"):
        assert f"\n| {path} |" in table, path


def test_the_supported_kubernetes_version_is_the_charts_and_the_tested_one() -> None:
    chart = yaml.safe_load((ROOT / "charts/kubeclip/Chart.yaml").read_text())
    tested = re.search(r'KUBE_VERSION="v(\d+\.\d+)', (ROOT / "scripts/get-kube.sh").read_text())
    assert tested is not None
    row = next(r for r in _section("Requirements and supported versions").splitlines()
               if r.startswith("| Kubernetes |"))  # fmt: skip
    assert f"| {tested[1]}+ (chart `kubeVersion: {chart['kubeVersion']}`)" in row
    assert chart["kubeVersion"] == f">={tested[1]}.0-0"
    assert f"| {tested[1]}:" in row  # what the real tier runs


def test_the_install_steps_name_what_the_repository_holds() -> None:
    install = _section("Install (from this repository; published names once published)")
    dockerfile = re.search(r"docker build -f (\S+) -t \S+/(\S+?):(\S+) \.", install)
    assert dockerfile is not None
    assert (ROOT / dockerfile[1]).is_file()
    assert f"-t kubeclip-serve:{dockerfile[3]}" in (ROOT / dockerfile[1]).read_text()
    assert (ROOT / "adapters/paperclip/package.json").is_file()
    values = yaml.safe_load((ROOT / "charts/kubeclip/values.yaml").read_text())
    image = values["paperclipPatch"]["serveSidecar"]["image"]
    chart = yaml.safe_load((ROOT / "charts/kubeclip/Chart.yaml").read_text())
    default = f"{image['registry']}/{image['repository']}:{image['tag'] or chart['appVersion']}"
    assert default.endswith(f"/{dockerfile[2]}:{dockerfile[3]}")
    assert f"`{default}`" in install  # named as the published image, not as built here
    # `pip install kubeclip` (from PyPI) is said only as what comes once published
    for page in PAGES:
        for line in page.read_text().splitlines():
            if re.search(r"pip install kubeclip\b", line):
                assert "once published" in line.lower(), f"{page.name}: {line}"
