"""Explainable misses (issue 11, item 5): an ultrasound field that is not_mentioned or empty says why in the
evidence column, with a short reason code (docs/data-dictionary.md)."""
import json

import pytest

CASES = [
    ("Right level III node with microcalcifications and no hilum. Thyroid homogeneous.",
     "microcalcifications", "lymph_node_only"),
    ("The microcalcifications described on the 2020 study have since been resected. Remaining lobe homogeneous.",
     "microcalcifications", "historical_only"),
    ("Biopsy advised if microcalcifications develop.", "microcalcifications", "hypothetical_only"),
    ("Left nodule, 8 mm, with microcalcifications.\nAddendum: on review the foci in the left nodule are colloid "
     "with comet-tail artefact.", "microcalcifications", "withdrawn_by_amendment"),
    ("Cystic nodule on the right with comet-tail artefacts.", "microcalcifications", "lookalike_only"),
    ("Gland of normal size, homogeneous.", "microcalcifications", "no_mention"),
    ("Gland of normal size, homogeneous.", "mass", "no_mention"),
    ("Micronodular echotexture of thyroiditis in both lobes.", "mass", "lookalike_only"),
    ("No calcification. 1 cm cyst on the left.", "microcalcification_extent", "no_microcalcifications"),
    ("Nodule 1: right, solid. Echogenic foci: none.\nNodule 2: left, 7 mm, solid.", "microcalcifications",
     "partial_negation"),
    ("No calcification. 1 cm cyst on the left.", "focal_echogenicity_change", "no_microcalcifications"),
]


@pytest.mark.parametrize("text, name, reason", CASES, ids=[f"{c[1]}-{c[2]}" for c in CASES])
def test_a_miss_says_why(us_fields, text, name, reason):
    row = us_fields(text)
    assert row[name] in {"not_mentioned", ""}
    assert json.loads(row["evidence"])[name]["reason"] == reason



def test_every_reason_code_is_documented():
    from pathlib import Path

    from extractor.fields.ultrasound import MISS_REASONS

    dictionary = (Path(__file__).resolve().parents[2] / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert [code for code in MISS_REASONS if f"| `{code}` |" not in dictionary] == []


def test_an_unticked_option_says_why(us_fields):
    row = us_fields("Findings: [ ] microcalcifications  [ ] macrocalcification")
    assert row["microcalcifications"] == "not_mentioned"
    assert json.loads(row["evidence"])["microcalcifications"]["reason"] == "unchecked_only"
