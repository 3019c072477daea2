"""The pathology rule files load, and schema errors name file, line and rule id."""
import shutil

import pytest

from extractor.errors import PatternError
from extractor.knowledge.pathology_rules import read_pathology_rules
from extractor.knowledge.resources import patterns_dir
from extractor.knowledge.ruleset import load_ruleset


def test_rules_load():
    ruleset = load_ruleset()
    rules = read_pathology_rules(ruleset.directory / "pathology", tuple(ruleset.sections))
    assert rules.bethesda_names and rules.histology and rules.synoptic_keys


@pytest.mark.parametrize("file, bad_line, message", [
    ("histology.tsv", "hist-999\tsquamous\tx\tx\t", "value 'squamous'"),
    ("bethesda_names.tsv", "bn-999\tVII\tname\tx\tx\t", "value 'VII'"),
    ("ptc_subtype.tsv", "sub-001\tclassic\t\tdup\tdup\t", "duplicate id"),
    ("focality.tsv", "foc-999\tunifocal\t\tbad\t(unclosed\t", "invalid regular expression"),
    ("focality.tsv", "foc-999\tunifocal\teverywhere\tx\tx\t", "scope 'everywhere'"),
    ("size_subjects.tsv", "ssz-999\tx\t(unclosed\t", "invalid regular expression"),
    ("thyroid_site.tsv", "tsi-001\tdup\tdup\t", "duplicate id"),
])
def test_bad_rule_fails_with_location(tmp_path, file, bad_line, message):
    ruleset = load_ruleset()
    directory = tmp_path / "pathology"
    shutil.copytree(patterns_dir(None) / "pathology", directory)
    with open(directory / file, "a", encoding="utf-8") as f:
        f.write(bad_line + "\n")
    with pytest.raises(PatternError) as err:
        read_pathology_rules(directory, tuple(ruleset.sections))
    assert message in str(err.value) and file in str(err.value)
