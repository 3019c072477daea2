import shutil
from pathlib import Path

import pytest

from extractor.errors import PatternError
from extractor.knowledge.resources import patterns_dir
from extractor.knowledge.rules import read_rule_file
from extractor.knowledge.ruleset import load_ruleset


def write(tmp_path, body):
    path = tmp_path / "concept.tsv"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "body, message, line",
    [
        ("id\tliteral\tcolour\nx-1\tfoo\tred\n", "unknown column", 1),
        ("# comment\nid\tliteral\nx-1\t\n", "blank literal", 3),
        ("id\tliteral\tpattern\nx-1\tfoo\t(unclosed\n", "invalid regular expression", 2),
        ("id\tliteral\tvalue\nx-1\tfoo\tsideways\n", "is not one of", 2),
    ],
)
def test_bad_rule_file_names_file_line_and_rule(tmp_path, body, message, line):
    path = write(tmp_path, body)
    with pytest.raises(PatternError) as e:
        read_rule_file(path, required=["value"] if "value" in body else [], choices={"value": {"left", "right"}})
    assert message in str(e.value)
    assert f"{path}:{line}" in str(e.value)
    if line > 1:
        assert "(rule x-1)" in str(e.value)


def test_duplicate_ids_are_rejected(tmp_path):
    copy = tmp_path / "patterns"
    shutil.copytree(patterns_dir(), copy)
    target = copy / "targets" / "nodule.tsv"
    target.write_text(target.read_text() + "mc-001\tduplicate\t\t\n")
    with pytest.raises(PatternError, match="duplicate id"):
        load_ruleset(copy)


def test_shipped_patterns_load():
    ruleset = load_ruleset()
    assert {"MICROCALCIFICATION", "NODULE", "COMET_TAIL_ARTIFACT"} <= ruleset.target_labels
    assert len(ruleset.fingerprint()) == 64


def test_literal_matches_with_flexible_gaps(tmp_path):
    path = write(tmp_path, "id\tliteral\nx-1\tcomet tail\n")
    (rule,) = read_rule_file(path)
    assert rule.regex.search("a comet-tail artifact") and rule.regex.search("COMET  TAIL")
    assert not rule.regex.search("comet tails")  # whole words only


def test_installed_copy_has_the_same_files():
    # patterns/ ships inside the wheel as extractor._patterns (see pyproject.toml)
    assert (Path(patterns_dir()) / "sections.tsv").is_file()


@pytest.mark.parametrize("dangerous, safe", [
    (r"(a|aa)+b", r"(ab|ac)+"), (r"(?:ab|abab)*c", r"(foo|foobar)*x"), (r"(x|x)+", r"(ab|ba)+"),
    (r"(a|ab|b)+c", r"(cm|mm)+"), (r"(\d+\s*)+x", r"(\s*,\s*\w+)+"), (r"(\d+(\.\d+)?\s*)+cm", r"(a+b)+"),
    (r"(?:mm|m)+z", r"(?:\s|,)+"),
])
def test_patterns_that_backtrack_exponentially_are_refused(tmp_path, dangerous, safe):
    """A repeat whose body can split one string two ways is refused; its unambiguous neighbour is not."""
    path = write(tmp_path, f"id\tliteral\tpattern\nx-1\tfoo\t{dangerous}\n")
    with pytest.raises(PatternError, match="take forever") as e:
        read_rule_file(path)
    assert f"{path}:2 (rule x-1)" in str(e.value)
    read_rule_file(write(tmp_path, f"id\tliteral\tpattern\nx-1\tfoo\t{safe}\n"))
