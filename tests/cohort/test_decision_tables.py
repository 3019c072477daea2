"""us_pattern, final_diagnosis and flags: one test per decision-table row."""
import pytest
from linking_builders import fna, surgery, us

US_PATTERN_ROWS = [
    ("present", "absent", "microcalcifications_only"),
    ("present", "not_mentioned", "microcalcifications_only"),
    ("present", "present", "microcalcifications_with_mass"),
    ("present", "uncertain", "microcalcifications_with_mass"),
    ("uncertain", "absent", "negative"),
    ("uncertain", "present", "mass_only"),
    ("absent", "present", "mass_only"),
    ("not_mentioned", "uncertain", "mass_only"),
    ("absent", "absent", "negative"),
    ("not_mentioned", "not_mentioned", "negative"),
]


@pytest.mark.parametrize("microcalcifications, mass, expected", US_PATTERN_ROWS)
def test_us_pattern_row(link, microcalcifications, mass, expected):
    p, _ = link(us("U1", "P", "2020-01-01", microcalcifications=microcalcifications, mass=mass))
    assert p["P"]["us_pattern"] == expected


def test_uncertain_microcalcifications_count_when_configured(config, link):
    from dataclasses import replace

    cfg = replace(config, microcalcifications_counted=frozenset({"present", "uncertain"}))
    p, _ = link(us("U1", "P", "2020-01-01", microcalcifications="uncertain", mass="absent"), cfg=cfg)
    assert p["P"]["us_pattern"] == "microcalcifications_only"


FINAL_DIAGNOSIS_ROWS = [
    # (cytology categories in order, surgery malignancy or None, expected, source)
    (["VI"], "benign", "benign", "surgical_pathology"),
    (["II"], "malignant", "malignant", "surgical_pathology"),
    (["VI"], "not_stated", "malignant", "cytology"),
    (["VI"], None, "malignant", "cytology"),
    (["V"], None, "indeterminate", "cytology"),
    (["IV"], None, "indeterminate", "cytology"),
    (["III"], None, "indeterminate", "cytology"),
    (["II"], None, "benign", "cytology"),
    (["I"], None, "unknown", "none"),
    (["I", "II"], None, "benign", "cytology"),  # a repeat FNA supersedes a non-diagnostic one
    ([], "malignant", "malignant", "surgical_pathology"),
    ([], None, "unknown", "none"),
]


@pytest.mark.parametrize("categories, surgical, expected, source", FINAL_DIAGNOSIS_ROWS)
def test_final_diagnosis_row(link, categories, surgical, expected, source):
    rows = [us("U1", "P", "2020-01-01")]
    rows += [fna(f"C{i}", "P", f"2020-0{i + 2}-01", c) for i, c in enumerate(categories)]
    if surgical:
        rows.append(surgery("S1", "P", "2020-08-01", surgical))
    p, _ = link(*rows)
    assert (p["P"]["final_diagnosis"], p["P"]["final_diagnosis_source"]) == (expected, source)


def test_fna_columns_come_from_the_first_cytology_even_when_superseded(link):
    p, _ = link(us("U1", "P", "2020-01-01"), fna("C1", "P", "2020-01-10", "I"), fna("C2", "P", "2020-03-10", "II"))
    assert (p["P"]["fna_report_id"], p["P"]["bethesda_category"]) == ("C1", "I")
    assert p["P"]["final_diagnosis_report_id"] == "C2"


@pytest.mark.parametrize("mass, specimen, expected", [
    ("absent", "present", "true"),
    ("not_mentioned", "present", "true"),
    ("present", "present", "false"),
    ("uncertain", "present", "false"),
    ("absent", "absent", "false"),
    ("absent", "not_stated", ""),
])
def test_flag_us_no_mass_specimen_mass_row(link, mass, specimen, expected):
    p, _ = link(us("U1", "P", "2020-01-01", mass=mass), surgery("S1", "P", "2020-03-01", mass_in_specimen=specimen))
    assert p["P"]["flag_us_no_mass_specimen_mass"] == expected


def test_flag_us_no_mass_specimen_mass_is_empty_without_surgery(link):
    p, _ = link(us("U1", "P", "2020-01-01", mass="absent"))
    assert p["P"]["flag_us_no_mass_specimen_mass"] == ""


@pytest.mark.parametrize("category, surgical, expected", [
    ("II", "malignant", "true"),
    ("VI", "benign", "true"),
    ("V", "benign", "true"),
    ("VI", "malignant", "false"),
    ("II", "benign", "false"),
    ("III", "malignant", "false"),
    ("I", "benign", "false"),
    ("VI", "not_stated", ""),
])
def test_flag_cytology_surgery_discordant_row(link, category, surgical, expected):
    p, _ = link(us("U1", "P", "2020-01-01"), fna("C1", "P", "2020-01-10", category),
                surgery("S1", "P", "2020-03-01", surgical))
    assert p["P"]["flag_cytology_surgery_discordant"] == expected


def test_index_fields_come_from_the_index_ultrasound(link):
    p, _ = link(us("U1", "P", "2019-01-01", microcalcification_clustered="true"),
                us("U2", "P", "2020-01-01", microcalcification_extent="localized", focal_echogenicity_change="present"),
                fna("C1", "P", "2020-01-10"))
    row = p["P"]
    assert (row["microcalcification_extent"], row["microcalcification_clustered"],
            row["focal_echogenicity_change"]) == ("localized", "false", "present")
