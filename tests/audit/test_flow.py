"""The cohort flow per case definition: every step adds up, every exclusion is the first criterion its patients
fail, the members' outcomes add up to the members, and the SVG carries full titles (tested on whole-job runs of
the sample corpus and of a synthetic corpus, not on a stand-in table)."""
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from extractor.audit import load_audit_data
from extractor.audit.flow import cohort_flows, flow_svg, standalone_svg
from extractor.cli.main import cli
from extractor.knowledge.definitions import load_definitions
from extractor.knowledge.resources import sample_dir
from extractor.run.api import extract_file
from extractor.tools.synth import generate, write_corpus


@pytest.fixture(scope="module", params=["sample", "synthetic"])
def run(request, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp(f"flow-{request.param}")
    if request.param == "sample":
        source = sample_dir() / "reports.csv"
    else:
        source = write_corpus(generate(300, seed=11), out.parent / f"{out.name}-input.csv")
    extract_file(source, out / "run")
    return out / "run"


def test_every_step_adds_up_and_members_equal_the_definition_column(run):
    data = load_audit_data(run)
    flows = cohort_flows(data)
    assert {f.definition_id for f in flows} == {d.id for d in data.definitions} and flows
    patients = data.patients
    reports = data.reports
    for flow in flows:
        assert flow.check() == []
        first, with_us, indexed, members = flow.steps
        assert first.n == reports["patient_id"].nunique()
        assert with_us.n == len(patients)
        assert indexed.n == (patients["index_us_report_id"] != "").sum()
        assert members.n == (patients[f"def_{flow.definition_id}"] == "true").sum()
        assert sum(d.n for d in flow.diagnoses) == members.n == sum(p.n for p in flow.linked)
        assert flow.reports_read == len(reports) + len(data.errors)


def test_each_patient_is_excluded_once_at_the_first_criterion_it_fails(run):
    data = load_audit_data(run)
    definitions = {d.id: d for d in load_definitions()}
    indexed = data.patients[data.patients["index_us_report_id"] != ""]
    for flow in cohort_flows(data):
        definition = definitions[flow.definition_id]
        outside = indexed[indexed[definition.column] != "true"]
        remaining = outside.copy()
        expected = []
        for group in definition.criteria:
            units = group.items if group.kind == "all" else (group,)
            for unit in units:
                if group.kind == "all":
                    fails = ~remaining[unit.field].isin(unit.values)
                else:  # a `not` group fails when any of its tests holds
                    fails = pd.Series(False, index=remaining.index)
                    for test in unit.items:
                        fails |= remaining[test.field].isin(test.values)
                if fails.any():
                    expected.append(int(fails.sum()))
                remaining = remaining[~fails]
        assert [e.n for e in flow.steps[2].excluded] == expected
        assert sum(expected) == len(outside)


def test_svg_has_full_titles_escaped_and_parses(run, tmp_path):
    data = load_audit_data(run)
    for flow in cohort_flows(data):
        svg = standalone_svg(flow)
        root = ET.fromstring(svg.split("\n", 1)[1])
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        titles = [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]
        assert any(flow.title in t for t in titles)  # never truncated
        drawn = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
        for word in flow.title.split():
            assert word in drawn
        for step in flow.steps:
            assert f"n = {step.n:,}" in drawn
    hostile = cohort_flows(data)[0]
    hostile = type(hostile)(**{**hostile.__dict__, "title": 'A <script>alert("x")</script> & co'})
    inline = flow_svg(hostile)
    assert "<script>" not in inline and "&lt;script&gt;" in inline and "http" not in inline


def test_audit_flow_svg_writes_one_file_per_definition(run, tmp_path):
    target = tmp_path / "figures" / "flow.svg"
    result = CliRunner().invoke(cli, ["audit", str(run), "--out", str(tmp_path / "a.html"), "--flow-svg",
                                      str(target), "-q"])
    assert result.exit_code == 0, result.output
    ids = sorted(d.id for d in load_audit_data(run).definitions)
    assert sorted(p.name for p in target.parent.iterdir()) == [f"flow-{i}.svg" for i in ids]
    page = (tmp_path / "a.html").read_text()
    for i in ids:
        assert f'id="flow-{i}"' in page
