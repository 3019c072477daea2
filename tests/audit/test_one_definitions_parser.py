"""The audit reads case definitions with the parser linking uses (extractor.knowledge.definitions): what linking
refuses, the audit does not describe (it warns, naming the file and line), and what linking reads, the audit shows
criterion by criterion."""
from __future__ import annotations

import logging

import pandas as pd

from extractor.audit.data import load_definitions
from extractor.knowledge.definitions import parse_definition

GOOD = '''id = "mc_only"
title = "Microcalcifications only"
citation = "a test"
rationale = "a test"
[criteria]
all = [ { field = "us_pattern", in = ["microcalcifications_only"] } ]
not = [ { any = [ { field = "focal_echogenicity_change", in = ["present"] } ] } ]
'''
LAX = '''id = "lax"
title = "A criteria list linking does not accept"
citation = "a test"
rationale = "a test"
[[criteria]]
field = "us_pattern"
equals = "microcalcifications_only"
'''


def test_the_audit_shows_what_the_definitions_parser_reads(tmp_path):
    (tmp_path / "mc_only.toml").write_text(GOOD)
    parsed = parse_definition(tmp_path / "mc_only.toml")
    [shown] = load_definitions(tmp_path, None)
    assert (shown.id, shown.title) == (parsed.id, parsed.title)
    assert [(c["field"], c["in"], c["group"], c["negate_group"]) for c in shown.criteria] == [
        ("us_pattern", ["microcalcifications_only"], "all of", False),
        ("focal_echogenicity_change", ["present"], "none of › any of", True),
    ]


def test_a_definition_linking_refuses_is_not_described_and_warned(tmp_path, caplog):
    (tmp_path / "lax.toml").write_text(LAX)
    patients = pd.DataFrame({"patient_id": ["P1"], "def_lax": ["true"]})
    with caplog.at_level(logging.WARNING):
        [shown] = load_definitions(tmp_path, patients)
    assert (shown.id, shown.title, shown.criteria) == ("lax", "lax", ())
    assert "lax.toml" in caplog.text and "unreadable definition" in caplog.text
