"""Pathology knowledge that used to be Python constants is read from patterns/pathology/: editing a copy of the file
changes the output, and a bad row stops the load with file, line and rule id."""
import shutil

import pytest

from extractor.cohort import linking
from extractor.errors import PatternError
from extractor.fields.pathology import PathologyAggregator
from extractor.knowledge import definitions
from extractor.knowledge.bethesda import BETHESDA
from extractor.knowledge.resources import patterns_dir
from extractor.knowledge.ruleset import load_ruleset

PTC = "FINAL DIAGNOSIS:\nLeft lobe: papillary thyroid carcinoma.\n"


def _copy(tmp_path):
    copy = tmp_path / "patterns"
    shutil.copytree(patterns_dir(), copy)
    return copy


def _replace_row(path, rule_id, new_row):
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [new_row if line.split("\t")[0] == rule_id else line for line in lines]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _surgical(patterns, text):
    aggregator = PathologyAggregator(load_ruleset(patterns))
    return {k: v.value for k, v in aggregator.aggregate("surgical_pathology", text, []).items()}


def _cytology(patterns, text):
    aggregator = PathologyAggregator(load_ruleset(patterns))
    return {k: v.value for k, v in aggregator.aggregate("cytology", text, []).items()}


def test_negation_terminators_come_from_their_file(tmp_path):
    text = PTC + "No atypia but psammoma bodies are seen.\n"
    assert _surgical(None, text)["psammoma_bodies"] == "present"  # "but" ends the negation's reach
    copy = _copy(tmp_path)
    _replace_row(copy / "pathology" / "negation_terminators.tsv", "pter-001", "pter-001\thowever\t\t")
    assert _surgical(copy, text)["psammoma_bodies"] == "absent"


def test_extrathyroidal_answer_words_come_from_their_file(tmp_path):
    text = PTC + "Confined to within the thyroid gland: yes\n"
    assert _surgical(None, text)["extrathyroidal_extension"] == "absent"
    copy = _copy(tmp_path)
    _replace_row(copy / "pathology" / "extrathyroidal_answers.tsv", "etea-001", "etea-001\tyes\tpresent\tpresent|positive\t")
    assert _surgical(copy, text)["extrathyroidal_extension"] == "not_stated"  # "yes" no longer answers the label


def test_cytology_malignancy_comes_from_bethesda_categories(tmp_path):
    text = "DIAGNOSIS: Suspicious for malignancy (Bethesda category V).\n"
    assert _cytology(None, text)["malignancy"] == "suspicious"
    copy = _copy(tmp_path)
    _replace_row(copy / "pathology" / "bethesda_categories.tsv", "bcat-005",
                 "bcat-005\tV\tmalignant\tsuspicious for malignancy\t")
    assert _cytology(copy, text)["bethesda_category"] == "V"
    assert _cytology(copy, text)["malignancy"] == "malignant"


@pytest.mark.parametrize("rule_id, row, message", [
    ("bcat-005", "bcat-005\tV\tworrying\tx\t", "malignancy 'worrying' is not one of"),
    ("bcat-005", "bcat-005\tVI\tmalignant\tx\t", "category VI has two rows (the first is bcat-005"),
    ("bcat-005", "bcat-005\tVII\tmalignant\tx\t", "value 'VII' is not one of"),
])
def test_a_bad_bethesda_row_names_file_line_and_rule(tmp_path, rule_id, row, message):
    copy = _copy(tmp_path)
    path = copy / "pathology" / "bethesda_categories.tsv"
    _replace_row(path, rule_id, row)
    with pytest.raises(PatternError) as e:
        PathologyAggregator(load_ruleset(copy))
    assert message in str(e.value) and f"{path}:" in str(e.value) and "(rule bcat-00" in str(e.value)


def test_a_missing_bethesda_category_is_refused(tmp_path):
    copy = _copy(tmp_path)
    path = copy / "pathology" / "bethesda_categories.tsv"
    path.write_text("\n".join(l for l in path.read_text(encoding="utf-8").splitlines() if not l.startswith("bcat-001")))
    with pytest.raises(PatternError, match=r"no row for category \['I'\]"):
        PathologyAggregator(load_ruleset(copy))


def test_the_bethesda_categories_are_defined_once():
    assert linking.BETHESDA is BETHESDA
    from extractor.audit import cohort
    from extractor.fields.pathology import bethesda
    from extractor.knowledge import pathology_rules as rulebook
    assert cohort.BETHESDA is BETHESDA and rulebook.BETHESDA is BETHESDA and bethesda.BETHESDA is BETHESDA
    assert definitions.FIELD_VOCABULARY["bethesda_category"] - {""} == set(BETHESDA)
