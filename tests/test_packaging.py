"""The wheel ships every data folder as a declared package.

setuptools warns (and a future release will refuse) when a folder it ships is importable but not listed in
``[tool.setuptools] packages``; an unlisted folder of rules would also be easy to leave out of the wheel. So
every folder of ``patterns/`` that holds files, and the audit's templates, must be listed.
"""
from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _declared() -> set[str]:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    return set(setuptools["packages"])


def test_every_patterns_folder_is_a_declared_package():
    folders = {p.parent for p in (ROOT / "patterns").rglob("*") if p.is_file()}
    expected = {
        ".".join(("extractor._patterns", *folder.relative_to(ROOT / "patterns").parts))
        for folder in folders
    }
    missing = sorted(expected - _declared())
    assert not missing, f"add these to [tool.setuptools] packages in pyproject.toml: {missing}"


def test_every_package_folder_of_the_code_is_declared():
    code = ROOT / "extractor"
    folders = {p.parent for p in code.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    expected = {".".join(folder.relative_to(ROOT).parts) for folder in folders}
    missing = sorted(expected - _declared())
    assert not missing, f"add these to [tool.setuptools] packages in pyproject.toml: {missing}"
