"""Nodule rows from synthetic reports in new wording, one layout or convention per case; ACR arithmetic per value."""
import pandas as pd
import pytest

from extractor.cohort.index_nodule import choose_index_nodule, concordance
from extractor.evaluate.nodules import score_nodules
from extractor.fields.nodules import NoduleExtractor
from extractor.knowledge.ruleset import load_ruleset


@pytest.fixture(scope="module")
def ex():
    return NoduleExtractor(load_ruleset(None))


def rows(ex, text):
    return ex.rows({"report_id": "T1", "patient_id": "P1", "text": text})


BLOCK = """THYROID US
Nodule 1:
  Location: left lobe, lower pole
  Size: 2.2 x 1.4 x 1.9 cm
  Composition: solid or almost completely solid (2)
  Echogenicity: markedly hypoechoic (3)
  Shape: taller-than-wide (3)
  Margin: irregular (2)
  Echogenic foci: punctate echogenic foci (3)
  Total 13 points, TR5
Nodule 2:
  Location: right lobe, upper
  Size: 6 mm
  Composition: spongiform (0)
  Echogenic foci: None or large comet-tail artifacts
IMPRESSION: Left lower pole nodule, 2.2 cm, TR5: biopsy advised. Right spongiform nodule, benign."""


def test_block_layout_and_identity(ex):
    out = rows(ex, BLOCK)
    assert len(out) == 2
    first, second = out
    assert (first["side"], first["position"], first["size_mm"]) == ("left", "lower", 22.0)
    assert (first["composition"], first["echogenicity"], first["shape"], first["margin"]) == (
        "solid", "very_hypoechoic", "taller_than_wide", "lobulated_irregular")
    assert first["echogenic_foci"] == "punctate" and first["microcalcifications"] == "present"
    assert (first["tirads_points"], first["tirads_level"], first["stated_category"]) == (13, "TR5", "TR5")
    assert (second["composition"], second["tirads_points"], second["tirads_level"]) == ("spongiform", 0, "TR1")
    assert second["echogenic_foci"] == "none" and second["microcalcifications"] == "absent"


def test_pipe_table(ex):
    text = ("Nodules:\n| # | Lobe | Size | Composition | Echogenicity | Shape | Margin | Calc | TI-RADS |\n"
            "|---|---|---|---|---|---|---|---|---|\n"
            "| 1 | R | 14 mm | solid | isoechoic | wider-than-tall | smooth | none | TR3 |\n"
            "| 2 | L | 9 mm | mixed cystic and solid | hypoechoic | wider-than-tall | ill-defined | macrocalcification | TR4 |\n")
    out = rows(ex, text)
    assert [r["side"] for r in out] == ["right", "left"]
    assert [r["tirads_points"] for r in out] == [3, 4]
    assert [r["echogenic_foci"] for r in out] == ["none", "macrocalcification"]
    assert out[0]["nodule_label"] == "#1"


def test_key_equals_lines(ex):
    text = ("location = right mid\nsize = 1.1 x 0.8 x 0.9 cm\ncomposition = solid\nechogenicity = hypoechoic\n"
            "shape = wider than tall\nmargin = smooth\nechogenic foci = none\n")
    (row,) = rows(ex, text)
    assert (row["side"], row["position"], row["size_mm"], row["tirads_points"], row["tirads_level"]) == (
        "right", "mid", 11.0, 4, "TR4")


def test_one_line_summary_points_only_when_five_stated(ex):
    (row,) = rows(ex, "Findings: Right lower pole nodule 17 mm: solid, isoechoic, wider-than-tall, smooth, "
                      "no calcifications. ACR TI-RADS 3.")
    assert (row["tirads_points"], row["tirads_level"], row["stated_category"]) == (3, "TR3", "TR3")
    (row,) = rows(ex, "Findings: Right lower pole nodule 17 mm: solid, isoechoic, smooth.")
    assert pd.isna(row["tirads_points"]) and row["tirads_level"] == ""


def test_prose_several_nodules_in_one_sentence(ex):
    out = rows(ex, "FINDINGS: There is a 12 mm solid hypoechoic nodule in the left upper pole with microcalcifications, "
                   "and a 4 mm simple cyst in the right lobe.")
    assert [(r["side"], r["size_mm"], r["composition"]) for r in out] == [
        ("left", 12.0, "solid"), ("right", 4.0, "cystic")]
    assert out[0]["microcalcifications"] == "present" and out[1]["microcalcifications"] == "not_mentioned"


def test_korean_mixed(ex):
    (row,) = rows(ex, "갑상선 초음파\n우엽 하극: 1.3 cm 고형 저에코 결절, 미세석회화 있음. K-TIRADS 5.")
    assert (row["side"], row["position"], row["size_mm"]) == ("right", "lower", 13.0)
    assert (row["composition"], row["echogenicity"], row["microcalcifications"]) == ("solid", "hypoechoic", "present")
    assert row["stated_category"] == "K-TIRADS 5"


def test_impression_refers_back_to_dominant(ex):
    text = ("FINDINGS:\nLEFT LOBE: a 9 mm isoechoic solid nodule at the upper pole and a larger 2.6 cm "
            "hypoechoic solid nodule in the lower pole.\nIMPRESSION: The dominant left nodule is EU-TIRADS 4.")
    out = rows(ex, text)
    assert len(out) == 2
    assert out[1]["stated_category"] == "EU-TIRADS 4" and out[0]["stated_category"] == ""


@pytest.mark.parametrize("text", [
    "Findings: Possible 3 mm hypoechoic nodule in the right lobe versus pseudonodule.",
    "Findings: No discrete nodule or mass in either lobe.",
    "Findings: Several small colloid cysts in both lobes.",
    "Findings: The previously described left nodule has been resected.",
    "Findings: Micronodular echotexture; enlarged right level IV lymph node 14 mm.",
])
def test_no_row(ex, text):
    assert rows(ex, text) == []


def test_group_largest_member(ex):
    (row,) = rows(ex, "Findings: Numerous small cysts in the left lobe, the largest measuring 7 mm.")
    assert (row["side"], row["size_mm"], row["composition"]) == ("left", 7.0, "cystic")


def test_withdrawn_by_addendum(ex):
    text = ("FINDINGS: Right lobe: 8 mm solid hypoechoic nodule. Left lobe: 5 mm isoechoic nodule in the mid pole.\n"
            "ADDENDUM: On review the left lobe nodule represents a pseudonodule and is withdrawn.")
    out = rows(ex, text)
    assert [r["side"] for r in out] == ["right"]


def test_prior_size_and_history_excluded(ex):
    (row,) = rows(ex, "Indication: 2 cm nodule on outside CT.\nFindings: Right mid nodule now 13 mm "
                      "(previously 10 mm), solid.")
    assert row["size_mm"] == 13.0


@pytest.mark.parametrize("written,normal", [
    ("TI-RADS 3", "TR3"), ("ACR TR 4", "TR4"), ("K-TIRADS 4", "K-TIRADS 4"), ("EU-TIRADS 5", "EU-TIRADS 5"),
    ("C-TIRADS 4a", "C-TIRADS 4A"), ("U3", "U3"), ("ATA high suspicion pattern", "ATA high suspicion"),
    ("TR4 vs TR5", "TR4 vs TR5"),
])
def test_stated_category_normal_form(ex, written, normal):
    (row,) = rows(ex, f"Findings: Left lower pole solid nodule 11 mm, {written}.")
    assert row["stated_category"] == normal


def test_na_is_not_a_category(ex):
    (row,) = rows(ex, "Nodule 1:\n  Location: isthmus\n  Size: 5 mm\n  TI-RADS: n/a\n")
    assert row["stated_category"] == ""


def test_evidence_cites_rule_and_offsets(ex):
    import json

    text = "Findings: Left lower pole nodule 15 mm, solid."
    (row,) = rows(ex, text)
    evidence = json.loads(row["evidence"])
    assert evidence["composition"]["rule"].startswith("ncm-")
    s, e = evidence["composition"]["start"], evidence["composition"]["end"]
    assert text[s:e] == "solid"


# --- ACR TI-RADS arithmetic: one test per category value (Tessler 2017 chart) --------------------------------------
BASE = {"composition": "solid", "echogenicity": "isoechoic", "shape": "wider_than_tall", "margin": "smooth",
        "echogenic_foci": "none"}  # 2 + 1 + 0 + 0 + 0 = 3


@pytest.mark.parametrize("feature,value,points", [
    ("composition", "cystic", 1), ("composition", "mixed", 2), ("composition", "solid", 3),
    ("echogenicity", "anechoic", 2), ("echogenicity", "hyperechoic", 3), ("echogenicity", "isoechoic", 3),
    ("echogenicity", "hypoechoic", 4), ("echogenicity", "very_hypoechoic", 5),
    ("shape", "wider_than_tall", 3), ("shape", "taller_than_wide", 6),
    ("margin", "smooth", 3), ("margin", "ill_defined", 3), ("margin", "lobulated_irregular", 5),
    ("margin", "extrathyroidal_extension", 6),
    ("echogenic_foci", "none", 3), ("echogenic_foci", "comet_tail", 3), ("echogenic_foci", "macrocalcification", 4),
    ("echogenic_foci", "rim", 5), ("echogenic_foci", "punctate", 6),
])
def test_points_per_category_value(ex, feature, value, points):
    assert ex.points({**BASE, feature: value})[0] == points


def test_spongiform_scores_zero_whatever_else(ex):
    assert ex.points({**BASE, "composition": "spongiform", "echogenic_foci": "punctate"})[0] == 0
    assert ex.points({"composition": "spongiform"})[0] == 0


def test_foci_points_are_summed(ex):
    assert ex.points({**BASE, "echogenic_foci": "macrocalcification;punctate"})[0] == 7


@pytest.mark.parametrize("points,level", [(0, "TR1"), (1, "TR1"), (2, "TR2"), (3, "TR3"), (4, "TR4"), (6, "TR4"),
                                          (7, "TR5"), (13, "TR5")])
def test_level_table(ex, points, level):
    assert ex.rules.level(points)[0] == level


def test_unstated_category_gives_no_points(ex):
    assert ex.points({**BASE, "shape": "unspecified"})[0] is None
    assert ex.points({**BASE, "echogenic_foci": ""})[0] is None


# --- index nodule and concordance ------------------------------------------------------------------------------
NODS = [
    {"nodule_index": 1, "side": "right", "position": "upper", "size_mm": 25.0, "microcalcifications": "absent"},
    {"nodule_index": 2, "side": "left", "position": "lower", "size_mm": 9.0, "microcalcifications": "present"},
    {"nodule_index": 3, "side": "left", "position": "upper", "size_mm": 14.0, "microcalcifications": "absent"},
]


@pytest.mark.parametrize("site,pos,expected,rule", [
    ("left", "upper", 3, "fna_site_position"),
    ("left", "", 2, "fna_site"),
    ("", "", 2, "microcalcifications"),
])
def test_index_nodule_rules(site, pos, expected, rule):
    chosen, used = choose_index_nodule(NODS, site, pos)
    assert (chosen["nodule_index"], used) == (expected, rule)


def test_index_nodule_largest_without_micro():
    plain = [dict(n, microcalcifications="absent") for n in NODS]
    assert choose_index_nodule(plain)[0]["nodule_index"] == 1


def test_concordance():
    assert concordance(NODS[1], "left", "left", 10) == "concordant"
    assert concordance(NODS[1], "right", "", None) == "discordant"
    assert concordance(NODS[0], "right", "right", 8) == "discordant"  # 25 mm nodule, 8 mm carcinoma
    assert concordance(NODS[0], "unknown", "", None) == "unknown"


# --- evaluation ------------------------------------------------------------------------------------------------
def test_score_nodules_matching_rule():
    gold = pd.DataFrame([
        {"report_id": "A", "nodule_index": "1", "side": "right", "position": "upper", "size_mm": "10", "composition": "solid"},
        {"report_id": "A", "nodule_index": "2", "side": "left", "position": "lower", "size_mm": "5", "composition": "cystic"},
    ])
    pred = pd.DataFrame([
        {"report_id": "A", "nodule_index": "1", "side": "left", "position": "lower", "size_mm": "5", "composition": "solid"},
        {"report_id": "A", "nodule_index": "2", "side": "isthmus", "position": "unspecified", "size_mm": "", "composition": "solid"},
    ])
    detection, scores = score_nodules(gold, pred)
    assert (detection.matched, detection.precision, detection.recall) == (1, 0.5, 0.5)
    composition = next(s for s in scores if s.field == "composition")
    assert (composition.n, composition.correct) == (1, 0)


def test_add_index_nodule_reads_the_fna_pole_and_flags_a_size_mismatch():
    from extractor.cohort.index_nodule import NODULE_PATIENT_COLUMNS, add_index_nodule

    patients = pd.DataFrame([{"patient_id": "P", "index_us_report_id": "U", "fna_report_id": "C", "fna_site": "left",
                              "surgery_report_id": "S", "tumor_site": "left"}])
    nodules = pd.DataFrame([dict(n, report_id="U", tirads_level=f"TR{n['nodule_index'] + 2}", stated_category="")
                            for n in NODS])
    reports = pd.DataFrame([{"report_id": "S", "tumor_size_mm": "30", "fna_position": ""},
                            {"report_id": "C", "tumor_size_mm": "", "fna_position": "upper"}])
    out = add_index_nodule(patients, nodules, reports=reports)  # tables only: the pole is a report column
    row = out.iloc[0]
    assert list(out.columns[-len(NODULE_PATIENT_COLUMNS):]) == NODULE_PATIENT_COLUMNS
    assert (row["index_nodule"], row["index_nodule_rule"], row["index_nodule_tirads_level"]) == (
        "3", "fna_site_position", "TR5")
    assert (row["nodule_concordance"], row["flag_nodule_discordant"]) == ("discordant", "true")  # 14 mm vs 30 mm


def test_add_index_nodule_without_nodules_leaves_the_columns_empty():
    from extractor.cohort.index_nodule import add_index_nodule

    out = add_index_nodule(pd.DataFrame([{"patient_id": "P", "index_us_report_id": "U"}]), None)
    assert out.loc[0, "index_nodule"] == "" and out.loc[0, "nodule_concordance"] == ""


def test_korean_group_without_plural_gets_no_row(ex):
    out = rows(ex, "갑상선 우엽 중간부에 0.8 x 0.6 cm 크기의 등에코 고형 결절이 관찰됨. 석회화 없음. 경계 평활.\n"
                   "좌엽에 여러 개의 작은 낭종.\n결론: 우엽 결절 K-TIRADS 3")
    assert [(r["side"], r["position"], r["size_mm"], r["echogenic_foci"], r["stated_category"]) for r in out] == [
        ("right", "mid", 8.0, "none", "K-TIRADS 3")]


def test_a_size_is_not_a_group_count(ex):
    (row,) = rows(ex, "Findings: a 3 mm hypoechoic nodule in the left lobe.")
    assert row["size_mm"] == 3.0


def test_the_fna_pole_is_a_cytology_report_column(ex):
    """Found at extraction, so the index nodule never reads report text."""
    from extractor.run.api import Extractor
    from extractor.tables.sources import normalise

    frame = pd.DataFrame({"report_id": ["C", "U"], "patient_id": ["P", "P"], "report_date": ["2020-01-02"] * 2,
                          "report_type": ["cytology", "ultrasound"],
                          "text": ["FNA, left upper pole thyroid nodule. Benign follicular nodule.",
                                   "Ultrasound: 12 mm hypoechoic nodule in the left upper pole."]})
    reports = Extractor().extract_table(normalise(frame)).reports.set_index("report_id")
    assert (reports.loc["C", "fna_position"], reports.loc["U", "fna_position"]) == ("upper", "")
