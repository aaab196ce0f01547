"""The documentation site: every public module has an API page, every page is in the navigation,
and the site builds with warnings as errors (``mkdocs build --strict``)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = (ROOT / "mkdocs.yml").read_text()


def public_modules() -> set[str]:
    """Every module of ``sim`` and ``analysis`` a user may import: not private (``_x``), not a
    package's ``__init__``, not a subcommand of the command line (``bargain --help`` documents those)."""
    names = set()
    for path in [*ROOT.glob("sim/**/*.py"), *ROOT.glob("analysis/**/*.py")]:
        rel = path.relative_to(ROOT).with_suffix("")
        if any(part.startswith("_") for part in rel.parts) or "commands" in rel.parts or rel.name == "cli":
            continue
        names.add(".".join(rel.parts))
    return names


def documented_modules() -> set[str]:
    found = set()
    for page in (ROOT / "docs" / "api").glob("*.md"):
        found |= set(re.findall(r"^::: ([\w.]+)$", page.read_text(), flags=re.M))
    return found


def test_every_public_module_has_an_api_entry():
    missing = public_modules() - documented_modules()
    assert not missing, f"add these modules to a page of docs/api/: {sorted(missing)}"


def test_api_entries_name_real_modules():
    stale = documented_modules() - public_modules()
    assert not stale, f"docs/api/ names modules that do not exist: {sorted(stale)}"


def test_every_page_is_in_the_navigation():
    pages = {str(p.relative_to(ROOT / "docs")) for p in (ROOT / "docs").rglob("*")
             if p.suffix in (".md", ".ipynb") and ".ipynb_checkpoints" not in p.parts}
    in_nav = set(re.findall(r":\s*([\w./-]+\.(?:md|ipynb))\s*$", CONFIG, flags=re.M))
    assert pages == in_nav, f"not in mkdocs.yml's nav: {sorted(pages - in_nav)}; missing files: {sorted(in_nav - pages)}"


@pytest.mark.slow
def test_site_builds_without_warnings(tmp_path):
    env = {**os.environ, "BARGAIN_DOCS_EXECUTE": "false", "NO_MKDOCS_2_WARNING": "1"}
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    solvers = (tmp_path / "site" / "api" / "solvers" / "index.html").read_text()
    # the reference is built from the docstrings: a solver's name, its source and its example
    assert "enumpure_solve" in solvers and "Examples" in solvers
    assert (tmp_path / "site" / "notebooks" / "founding-case" / "index.html").exists()
