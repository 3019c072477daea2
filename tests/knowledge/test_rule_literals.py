"""Every rule's literal (the phrase a reviewer reads, patterns/README.md) is matched by the rule's own pattern."""
from pathlib import Path

import pytest

from extractor.knowledge.resources import patterns_dir
from extractor.knowledge.rules import read_rule_file


def _header(path: Path) -> list[str]:
    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.strip() and not raw.lstrip().startswith("#"):
            return [c.strip() for c in raw.split("\t")]
    return []


RULE_FILES = sorted(p for p in patterns_dir().rglob("*.tsv") if "literal" in _header(p))


def example_text(rule, relative: str) -> str:
    """The literal as the rule meets it. A nodule context cue before the anchor (direction pre) is matched against
    the words just before the anchor, which end with the space in front of it."""
    if relative == "nodules/context.tsv" and rule.get("direction") == "pre":
        return rule.literal + " "
    return rule.literal


def test_the_rule_files_with_literals_are_found():
    names = {str(p.relative_to(patterns_dir())) for p in RULE_FILES}
    assert {"targets/microcalcification.tsv", "context/negated.tsv", "pathology/histology.tsv", "nodules/margin.tsv",
            "report_kinds.tsv", "attributes/organ.tsv"} <= names


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: str(p.relative_to(patterns_dir())))
def test_every_literal_is_matched_by_its_own_pattern(path):
    relative = str(path.relative_to(patterns_dir()))
    rules = read_rule_file(path, optional=_header(path), needs_literal=False)
    unmatched = [f"{rule.id} {rule.literal!r}" for rule in rules
                 if rule.literal and not rule.regex.search(example_text(rule, relative))]
    assert unmatched == []
