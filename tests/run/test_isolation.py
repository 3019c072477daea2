"""Per-report isolation: a failure for one report affects that report only.

A component that raises for chosen texts is put into a copy of the pipeline (first and last), and the failing
reports are placed at every position of a table of ultrasound reports (the kinds the spaCy pipeline runs on):
first, middle, last, several, all. A report's fields failing after that is tested on a table of every kind. Every other report must keep
exactly the fields and mentions of a clean run, every mention must slice its own report's text, and every failed
report must have its error row."""
import pandas as pd
import pytest
from spacy.language import Language

from extractor.knowledge.resources import sample_dir
from extractor.nlp.pipeline import build_nlp
from extractor.run.api import Extractor
from extractor.tables.sources import normalise

N = 12
FAILING_TEXTS: set[str] = set()


@Language.component("test_fail_on_chosen_texts")
def fail_on_chosen_texts(doc):
    if doc.text in FAILING_TEXTS:
        raise RuntimeError("injected failure")
    return doc


def _sample(*, ultrasound_only: bool):
    frame = pd.read_csv(sample_dir() / "reports.csv", dtype=str, keep_default_na=False).drop_duplicates("text")
    if ultrasound_only:
        kinds = Extractor().kinds
        frame = frame[[kinds.classify(t, x).kind == "ultrasound" for t, x in zip(frame["report_type"], frame["text"])]]
    frame = frame.head(N).reset_index(drop=True)
    assert len(frame) == N
    return normalise(frame)


@pytest.fixture(scope="module")
def table():
    return _sample(ultrasound_only=False)


@pytest.fixture(scope="module")
def us_table():
    return _sample(ultrasound_only=True)


def _clean(table):
    result = Extractor().extract_table(table)
    assert result.errors.empty and len(result.reports) == N and len(result.mentions)
    return result


@pytest.fixture(scope="module")
def clean(table):
    return _clean(table)


@pytest.fixture(scope="module")
def us_clean(us_table):
    return _clean(us_table)


def _failing_extractor(position: str) -> Extractor:
    extractor = Extractor()
    extractor.nlp = build_nlp()  # a copy: the shared cached pipeline stays untouched
    extractor.nlp.add_pipe("test_fail_on_chosen_texts", **{position: True})
    return extractor


POSITIONS = {"first": [0], "middle": [N // 2], "last": [N - 1], "several": [0, 3, 4, N - 1],
             "all": list(range(N))}


def _check(result, clean, table, failing: list[int]) -> None:
    ids = list(table.reports["report_id"])
    failed = {ids[i] for i in failing}
    texts = dict(zip(table.reports["report_id"], table.reports["text"]))
    assert set(result.errors["report_id"]) == failed  # every failure has its row, the last report's too
    assert set(result.errors["reason"]) <= {"extraction_failed"}
    assert len(result.reports) + len(result.errors) == table.rows_read
    for mention in result.mentions.itertuples():  # every mention slices its own report's text
        assert texts[mention.report_id][mention.start_char:mention.end_char] == mention.text
    keep = [i for i in ids if i not in failed]
    expected_reports = clean.reports.set_index("report_id").loc[keep].reset_index()
    pd.testing.assert_frame_equal(result.reports.reset_index(drop=True), expected_reports, check_dtype=False)
    expected_mentions = clean.mentions[clean.mentions["report_id"].isin(keep)].reset_index(drop=True)
    pd.testing.assert_frame_equal(result.mentions.reset_index(drop=True), expected_mentions, check_dtype=False)


@pytest.mark.parametrize("component", ["first", "last"])
@pytest.mark.parametrize("where", list(POSITIONS))
def test_a_failing_component_affects_only_its_report(us_table, us_clean, component, where):
    extractor = _failing_extractor(component)
    FAILING_TEXTS.clear()
    FAILING_TEXTS.update(us_table.reports["text"].iloc[POSITIONS[where]])
    try:
        result = extractor.extract_table(us_table)
    finally:
        FAILING_TEXTS.clear()
    _check(result, us_clean, us_table, POSITIONS[where])


@pytest.mark.parametrize("where", ["first", "middle", "last", "several"])
def test_a_failure_after_the_pipeline_affects_only_its_report(table, clean, monkeypatch, where):
    """A report's fields failing (after its Doc is built) is isolated the same way."""
    extractor = Extractor()
    failing = set(table.reports["report_id"].iloc[POSITIONS[where]])
    report_row = extractor.report_row

    def fail_for_chosen(record, *args):
        if record["report_id"] in failing:
            raise ValueError("injected failure")
        return report_row(record, *args)

    monkeypatch.setattr(extractor, "report_row", fail_for_chosen)
    _check(extractor.extract_table(table), clean, table, POSITIONS[where])
