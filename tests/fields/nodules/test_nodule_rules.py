"""patterns/nodules/ is validated at load: unknown values, duplicate ids and gaps in the points table fail with the
file, the line and the rule id."""
import shutil

import pytest

from extractor.errors import PatternError
from extractor.knowledge.nodule_rules import read_nodule_rules
from extractor.knowledge.resources import patterns_dir


@pytest.fixture
def rules_dir(tmp_path):
    target = tmp_path / "nodules"
    shutil.copytree(patterns_dir() / "nodules", target)
    return target


def test_shipped_rules_load():
    rules = read_nodule_rules(patterns_dir() / "nodules")
    assert rules.points[("echogenic_foci", "punctate")][0] == 3


def test_unknown_category_value_names_file_line_and_id(rules_dir):
    with open(rules_dir / "shape.tsv", "a", encoding="utf-8") as out:
        out.write("nsh-099\tround\tround\tround\t\n")
    with pytest.raises(PatternError) as e:
        read_nodule_rules(rules_dir)
    assert "shape.tsv" in str(e.value) and "nsh-099" in str(e.value)


def test_duplicate_id_across_files_fails(rules_dir):
    with open(rules_dir / "margin.tsv", "a", encoding="utf-8") as out:
        out.write("nsh-001\tsmooth\tsmooth again\t\t\n")
    with pytest.raises(PatternError, match="duplicate id"):
        read_nodule_rules(rules_dir)


def test_a_missing_points_row_fails(rules_dir):
    lines = (rules_dir / "points.tsv").read_text(encoding="utf-8").splitlines()
    (rules_dir / "points.tsv").write_text("\n".join(l for l in lines if not l.startswith("npt-011")) + "\n",
                                         encoding="utf-8")
    with pytest.raises(PatternError, match="taller_than_wide"):
        read_nodule_rules(rules_dir)
