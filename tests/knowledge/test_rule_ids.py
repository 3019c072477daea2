"""Rule ids are unique across the whole of patterns/ (every folder), so an evidence string names one rule."""
import shutil
from collections import Counter
from pathlib import Path

import pytest

from extractor.errors import PatternError
from extractor.knowledge.resources import patterns_dir
from extractor.knowledge.ruleset import check_ids_across, load_ruleset, rule_ids


def test_every_rule_file_is_scanned():
    files = {path for _, path, _ in rule_ids(patterns_dir())}
    expected = {str(p) for p in patterns_dir().rglob("*.tsv")} | {str(p) for p in (patterns_dir() / "definitions").glob("*.toml")}
    assert files == expected
    folders = {Path(p).relative_to(patterns_dir()).parts[0] for p in files if len(Path(p).relative_to(patterns_dir()).parts) > 1}
    assert {"pathology", "nodules", "definitions", "context", "targets", "attributes"} <= folders


def test_rule_ids_are_unique_across_patterns():
    counts = Counter(rule_id for rule_id, _, _ in rule_ids(patterns_dir()))
    assert [rule_id for rule_id, n in counts.items() if n > 1] == []


def _copy(tmp_path):
    copy = tmp_path / "patterns"
    shutil.copytree(patterns_dir(), copy)
    return copy


@pytest.mark.parametrize("folder, file", [("pathology", "histology.tsv"), ("nodules", "anchors.tsv"), (".", "precedence.tsv")])
def test_an_id_used_in_another_folder_fails_the_load(tmp_path, folder, file):
    copy = _copy(tmp_path)
    path = copy / folder / file
    lines = path.read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(lines) if line.strip() and not line.startswith("#"))
    first = lines[header + 1].split("\t")
    lines[header + 1] = "\t".join(["his-001", *first[1:]])  # the id of a historical trigger (context/historical.tsv)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(PatternError) as e:
        check_ids_across(copy)
    assert "duplicate id" in str(e.value) and "(rule his-001)" in str(e.value)
    assert str(path) in str(e.value) or "historical.tsv" in str(e.value)
    with pytest.raises(PatternError, match="duplicate id"):
        load_ruleset(copy)


def test_a_definition_id_counts_too(tmp_path):
    copy = _copy(tmp_path)
    (copy / "definitions" / "copy.toml").write_text(
        (copy / "definitions" / "strict_dmo.toml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(PatternError, match=r"\(rule strict_dmo\): duplicate id"):
        check_ids_across(copy)
