"""patterns/README.md documents every folder and file of patterns/ and every file's id prefix."""
import re

import pytest

from extractor.knowledge.resources import patterns_dir
from extractor.knowledge.ruleset import rule_ids

README = (patterns_dir() / "README.md").read_text(encoding="utf-8")
FILES = sorted(p for p in patterns_dir().rglob("*") if p.suffix in {".tsv", ".toml"})


def _section(folder: str) -> str:
    """The README's table section for a folder ("" = the top level)."""
    heading = "### Top level" if not folder else f"### {folder}/"
    start = README.index(heading)
    end = README.find("\n### ", start + 1)
    return README[start:end if end != -1 else len(README)]


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(patterns_dir())))
def test_every_file_is_documented_in_its_folder_section(path):
    relative = path.relative_to(patterns_dir())
    folder = str(relative.parent) if relative.parent.name else ""
    assert f"`{path.name}`" in _section(folder)


def test_every_id_prefix_is_documented():
    prefixes = {re.sub(r"-\d+$", "", rule_id) for rule_id, path, _ in rule_ids(patterns_dir()) if path.endswith(".tsv")}
    assert sorted(p for p in prefixes if f"`{p}`" not in README) == []


def test_negation_is_written_down_once():
    assert README.count("## Negation, written down once") == 1
    for name in ("context/negated.tsv", "pathology/negation.tsv", "pathology/negation_terminators.tsv", "nodules/context.tsv"):
        assert name in _negation()


def _negation():
    start = README.index("## Negation, written down once")
    return README[start:README.index("\n## ", start + 1)]
