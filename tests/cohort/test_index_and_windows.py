"""Index ultrasound choice, linking windows and undated reports: one test per rule."""
import pytest
from linking_builders import fna, other, surgery, us


def test_index_is_latest_ultrasound_on_or_before_first_cytology(link):
    p, links = link(us("U1", "P", "2020-01-01"), us("U2", "P", "2020-03-01"), us("U3", "P", "2020-05-01"),
                    fna("C1", "P", "2020-03-10"))
    assert p["P"]["index_us_report_id"] == "U2"
    assert p["P"]["index_us_rule"] == "latest_before_first_cytology"
    assert links["U1"] == "not_index" and links["U3"] == "not_index"


def test_ultrasound_on_the_day_of_the_cytology_counts_as_before(link):
    p, _ = link(us("U1", "P", "2020-01-01"), us("U2", "P", "2020-03-10"), fna("C1", "P", "2020-03-10"))
    assert p["P"]["index_us_report_id"] == "U2"
    assert p["P"]["fna_days_after_us"] == "0"


def test_without_cytology_index_is_latest_before_first_surgery(link):
    p, _ = link(us("U1", "P", "2020-01-01"), us("U2", "P", "2020-02-01"), surgery("S1", "P", "2020-04-01"),
                us("U3", "P", "2021-01-01"))
    assert (p["P"]["index_us_report_id"], p["P"]["index_us_rule"]) == ("U2", "latest_before_first_surgery")


def test_cytology_before_every_ultrasound_falls_through_to_surgery_rule(link):
    p, links = link(fna("C1", "P", "2019-12-01"), us("U1", "P", "2020-01-01"), surgery("S1", "P", "2020-02-01"))
    assert (p["P"]["index_us_report_id"], p["P"]["index_us_rule"]) == ("U1", "latest_before_first_surgery")
    assert links["C1"] == "before_index"


def test_without_pathology_index_is_earliest_ultrasound(link):
    p, _ = link(us("U1", "P", "2020-01-01"), us("U2", "P", "2021-01-01"))
    assert (p["P"]["index_us_report_id"], p["P"]["index_us_rule"]) == ("U1", "earliest")


def test_same_day_ultrasounds_tie_break_on_report_id(link):
    p, _ = link(us("U2", "P", "2020-01-01"), us("U1", "P", "2020-01-01"), fna("C1", "P", "2020-01-05"))
    assert p["P"]["index_us_report_id"] == "U2"


def test_index_rules_are_configurable(config, link):
    from dataclasses import replace

    p, _ = link(us("U1", "P", "2020-01-01"), us("U2", "P", "2021-01-01"), cfg=replace(config, index_rules=("latest",)))
    assert p["P"]["index_us_report_id"] == "U2"


def test_first_cytology_within_180_days_links(link):
    p, links = link(us("U1", "P", "2020-01-01"), fna("C1", "P", "2020-06-29", "II"), fna("C2", "P", "2020-06-29", "VI"))
    assert p["P"]["fna_report_id"] == "C1" and p["P"]["fna_days_after_us"] == "180"
    assert links["C1"] == "linked_fna" and links["C2"] == "in_window"


def test_cytology_after_180_days_does_not_link(link):
    p, links = link(us("U1", "P", "2020-01-01"), fna("C1", "P", "2020-06-30"))
    assert p["P"]["fna_report_id"] == "" and links["C1"] == "outside_window"
    assert p["P"]["n_outside_window"] == 1


def test_first_surgery_within_365_days_links(link):
    p, links = link(us("U1", "P", "2020-01-01"), surgery("S1", "P", "2020-12-31"), surgery("S2", "P", "2021-01-02"))
    assert p["P"]["surgery_report_id"] == "S1" and links["S1"] == "linked_surgery"
    assert links["S2"] == "outside_window"


def test_surgery_after_365_days_does_not_link(link):
    p, links = link(us("U1", "P", "2020-01-01"), fna("C1", "P", "2020-01-10", "V"), surgery("S1", "P", "2021-01-02"))
    assert p["P"]["surgery_report_id"] == "" and links["S1"] == "outside_window"
    assert p["P"]["final_diagnosis"] == "indeterminate"


def test_windows_are_configurable(config, link):
    from dataclasses import replace

    p, _ = link(us("U1", "P", "2020-01-01"), fna("C1", "P", "2020-03-01"), cfg=replace(config, cytology_days=30))
    assert p["P"]["fna_report_id"] == ""


def test_missing_date_is_kept_and_reported_never_linked(link):
    p, links = link(us("U0", "P", ""), us("U1", "P", "2020-01-01"), fna("C1", "P", ""), fna("C2", "P", "2020-01-05"))
    assert links["U0"] == "missing_date" and links["C1"] == "missing_date"
    assert p["P"]["index_us_report_id"] == "U1" and p["P"]["fna_report_id"] == "C2"
    assert p["P"]["n_undated"] == 2


def test_unparseable_date_is_kept_and_reported_never_linked(link):
    p, links = link(us("U1", "P", "2020-01-01"), fna("C1", "P", "03/2020"), fna("C2", "P", "2020-02-30"))
    assert links["C1"] == "unparseable_date" and links["C2"] == "unparseable_date"
    assert p["P"]["fna_report_id"] == "" and p["P"]["n_undated"] == 2


def test_datetime_keeps_the_written_day(link):
    p, _ = link(us("U1", "P", "2020-01-01T23:30:00+09:00"), fna("C1", "P", "2020-01-02 08:00"))
    assert p["P"]["index_us_date"] == "2020-01-01" and p["P"]["fna_days_after_us"] == "1"


def test_patient_with_only_undated_ultrasound_keeps_a_row(link):
    p, links = link(us("U1", "P", ""), fna("C1", "P", "2020-01-05"))
    assert p["P"]["link_status"] == "no_dated_ultrasound" and p["P"]["index_us_report_id"] == ""
    assert p["P"]["us_pattern"] == "" and p["P"]["final_diagnosis"] == "unknown"
    assert links["C1"] == "no_dated_ultrasound"


def test_patient_without_ultrasound_has_no_row_but_is_reported(link):
    p, links = link(us("U1", "A", "2020-01-01"), fna("C1", "B", "2020-01-05"))
    assert "B" not in p and links["C1"] == "no_ultrasound"


def test_other_reports_are_not_linked(link):
    _, links = link(us("U1", "P", "2020-01-01"), other("O1", "P", "2020-01-03"))
    assert links["O1"] == "other_kind"


def test_every_report_appears_once_in_links(config):
    from linking_builders import frame

    from extractor.cohort.linking import link_patients

    rows = frame(us("U1", "P", "2020-01-01"), fna("C1", "P", "x"), other("O1", "Q", ""))
    links = link_patients(rows, config=config).links
    assert sorted(links["report_id"]) == ["C1", "O1", "U1"]


def test_patient_columns_follow_the_contract_order(config):
    from linking_builders import frame

    from extractor.cohort.index_nodule import NODULE_PATIENT_COLUMNS
    from extractor.cohort.linking import (
        ADDED_PATIENT_COLUMNS,
        CONTRACT_PATIENT_COLUMNS,
        link_patients,
    )
    from extractor.knowledge.definitions import load_definitions

    defs = load_definitions()
    columns = list(link_patients(frame(us("U1", "P", "2020-01-01")), config=config, definitions=defs).patients.columns)
    assert columns == (CONTRACT_PATIENT_COLUMNS + [d.column for d in defs] + ADDED_PATIENT_COLUMNS
                       + NODULE_PATIENT_COLUMNS)


def test_linking_scales_n_log_n(config):
    """20k synthetic rows link well under the budget (100k measured at ~1.5 s; see the docs)."""
    import time

    from linking_builders import frame

    from extractor.cohort.linking import link_patients

    rows = []
    for i in range(5000):
        pid = f"P{i}"
        rows += [us(f"U{i}a", pid, "2020-01-01"), us(f"U{i}b", pid, "2020-02-01"),
                 fna(f"C{i}", pid, "2020-02-10"), surgery(f"S{i}", pid, "2020-04-01")]
    start = time.perf_counter()
    patients = link_patients(frame(*rows), config=config).patients
    assert len(patients) == 5000 and time.perf_counter() - start < 10


# -- one date parser for reports and linking (issue 13) ------------------------------------------------------------
@pytest.mark.parametrize("written, link_status", [("20200105", "unparseable_date"), ("0000-01-01", "unparseable_date"),
                                                  ("2999-01-01", "future_date")])
def test_a_date_that_is_not_ok_in_reports_is_never_linked(link, written, link_status):
    from extractor.tables.quality import date_status

    assert date_status(written) == link_status.replace("_date", "")
    p, links = link(us("U0", "P", written), us("U1", "P", "2020-01-01"), fna("C1", "P", written))
    assert links["U0"] == link_status and links["C1"] == link_status
    assert p["P"]["index_us_report_id"] == "U1" and p["P"]["fna_report_id"] == "" and p["P"]["n_undated"] == 2


def test_linking_uses_the_reports_own_date_status(link):
    # decided at extraction: a date that was in the future then is not linked later either
    p, links = link(us("U1", "P", "2020-01-01"), fna("C1", "P", "2020-01-05", report_date_status="future"))
    assert links["C1"] == "future_date" and p["P"]["fna_report_id"] == ""
