"""Case definitions: the shipped ones, a user-written one, validation errors with file and line, explain()."""
import pytest
from linking_builders import frame

from extractor.errors import PatternError
from extractor.knowledge.definitions import (
    apply_definitions,
    evaluate,
    explain,
    format_explanation,
    load_definitions,
    parse_definition,
)


def patients(**columns):
    base = {"patient_id": "P", "microcalcifications": "present", "mass": "absent",
            "microcalcification_clustered": "false", "focal_echogenicity_change": "not_mentioned"}
    return frame({**base, **columns})


@pytest.fixture(scope="module")
def shipped():
    return {d.id: d for d in load_definitions()}


def test_shipped_definitions_carry_citation_and_rationale(shipped):
    assert set(shipped) >= {"yoon2011_dmo", "strict_dmo"}
    for d in shipped.values():
        assert d.citation and len(d.rationale) > 100 and d.column == f"def_{d.id}"


@pytest.mark.parametrize("columns, yoon, strict", [
    ({}, True, True),
    ({"mass": "not_mentioned"}, True, True),
    ({"mass": "present"}, False, False),
    ({"mass": "uncertain"}, False, False),
    ({"microcalcifications": "uncertain"}, False, False),
    ({"microcalcification_clustered": "true"}, True, False),
    ({"focal_echogenicity_change": "present"}, True, False),
    ({"focal_echogenicity_change": "absent"}, True, True),
])
def test_shipped_definition_rows(shipped, columns, yoon, strict):
    out = apply_definitions(patients(**columns), shipped.values()).iloc[0]
    assert (out["def_yoon2011_dmo"], out["def_strict_dmo"]) == (str(yoon).lower(), str(strict).lower())


USER = '''id = "clustered_dmo"
title = "Clustered microcalcifications without a mass"
citation = "Ha EJ, Lee JH, Baek JH. Ann Surg Oncol letter."
rationale = "The cluster Ha et al. call the primary focus."

[criteria]
all = [
  { field = "us_pattern", in = ["microcalcifications_only"] },
  { any = [ { field = "microcalcification_clustered", equals = "true" }, { field = "focal_echogenicity_change", in = ["present"] } ] },
]
'''


def test_user_definition_file_and_directory(tmp_path):
    path = tmp_path / "clustered_dmo.toml"
    path.write_text(USER)
    for source in (path, tmp_path):
        defs = {d.id: d for d in load_definitions([source])}
        assert "clustered_dmo" in defs and "yoon2011_dmo" in defs
    d = parse_definition(path)
    frame_ = patients(us_pattern="microcalcifications_only", microcalcification_clustered="true")
    assert evaluate(d, frame_).tolist() == [True]
    assert evaluate(d, patients(us_pattern="microcalcifications_only")).tolist() == [False]


@pytest.mark.parametrize("replace, line, message", [
    ('{ field = "us_pattern", in', '{ field = "us_patern", in', "unknown field 'us_patern'"),
    ('in = ["microcalcifications_only"]', 'in = ["dmo"]', "unknown value 'dmo'"),
    ('equals = "true"', 'equals = "yes"', "unknown value 'yes'"),
    ('all = [', 'every = [', "unknown key(s) ['every']"),
    ('rationale =', 'reasoning =', "unknown key(s) ['reasoning']"),
])
def test_validation_errors_name_file_and_line(tmp_path, replace, line, message):
    path = tmp_path / "bad.toml"
    text = USER.replace(replace, line)
    path.write_text(text)
    with pytest.raises(PatternError) as error:
        parse_definition(path)
    expected_line = next(n for n, ln in enumerate(text.splitlines(), 1) if line.split("=")[0].strip() in ln
                         and (line.split("=")[-1].strip()[:6] in ln))
    assert str(path) in str(error.value) and message in str(error.value)
    assert error.value.line == expected_line


def test_toml_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('id = "x"\ntitle = \n')
    with pytest.raises(PatternError) as error:
        parse_definition(path)
    assert error.value.line == 2


def test_missing_citation_is_rejected(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(USER.replace('citation = "Ha EJ, Lee JH, Baek JH. Ann Surg Oncol letter."\n', ""))
    with pytest.raises(PatternError, match="citation"):
        parse_definition(path)


def test_duplicate_id_is_rejected(tmp_path):
    (tmp_path / "a.toml").write_text(USER)
    (tmp_path / "b.toml").write_text(USER)
    with pytest.raises(PatternError, match="duplicate definition id"):
        load_definitions([tmp_path])


def test_unknown_definition_id_is_rejected():
    with pytest.raises(PatternError, match="unknown definition id"):
        load_definitions(only=["nope"])


def test_explain_gives_field_value_and_pass_per_criterion(shipped):
    row = patients(microcalcification_clustered="true", focal_echogenicity_change="present").iloc[0].to_dict()
    result = explain(shipped["strict_dmo"], row)
    assert result["verdict"] is False
    by_field = {c["field"]: c for c in result["criteria"]}
    assert by_field["microcalcification_clustered"] == {"criterion": "all[2]", "field": "microcalcification_clustered",
                                                        "value": "true", "expected": ["false"], "passed": False,
                                                        "line": by_field["microcalcification_clustered"]["line"]}
    assert by_field["focal_echogenicity_change"]["passed"] is True  # the test passes; its not-group fails
    assert "FAIL" in format_explanation(result)


def test_explain_agrees_with_the_vectorised_verdict(shipped):
    frame_ = patients(microcalcification_clustered="true")
    for d in shipped.values():
        assert explain(d, frame_.iloc[0].to_dict())["verdict"] == bool(evaluate(d, frame_).iloc[0])
