"""Nodule failure classes found by reading the blind batches' misses (issue 17), each fixed as a general rule and
tested here in wording that appears in no corpus, with cases that must not fire."""
import pytest

from extractor.fields.nodules import NoduleExtractor
from extractor.knowledge.ruleset import load_ruleset


@pytest.fixture(scope="module")
def ex():
    return NoduleExtractor(load_ruleset(None))


def rows(ex, text):
    return ex.rows({"report_id": "T1", "patient_id": "P1", "text": text})


def brief(out):
    return [(r["side"], r["position"], r["size_mm"], r["composition"]) for r in out]


# -- sections: HL7 segments, "KEY = value" headers, mid-paragraph impressions, comments -----------------------

def test_hl7_segments_keep_their_history_and_impression_sections(ex):
    text = ("MSH|^~\\&|RAD|WARD7\n"
            "OBX|1|TX|^NOTE|1|REASON: lump in the left lobe on palpation||||||F\n"
            "OBX|2|TX|^NOTE|2|Left lobe, lower pole: 13 mm solid isoechoic nodule, wider than tall.||||||F\n"
            "OBX|3|TX|^NOTE|3|IMPRESSION: left lower nodule 13 mm, TR3.||||||F")
    out = rows(ex, text)
    assert brief(out) == [("left", "lower", 13.0, "solid")]
    assert out[0]["stated_category"] == "TR3"


def test_hl7_note_segments(ex):
    out = rows(ex, "NTE|1||Right lobe: 21 mm mixed nodule.\nNTE|2||CONCLUSION: right nodule, 21 mm.")
    assert brief(out) == [("right", "unspecified", 21.0, "mixed")]


def test_equals_headers_are_sections(ex):
    text = ("REASON = neck nodule noted by the GP\n"
            "RIGHT LOBE = 17 mm solid hypoechoic nodule, mid third\n"
            "IMPRESSION = 17 mm right nodule, TR4")
    out = rows(ex, text)
    assert brief(out) == [("right", "mid", 17.0, "solid")]
    assert out[0]["stated_category"] == "TR4"
    # "=" inside a line is not a header
    out = rows(ex, "Right lobe: 9 mm cyst. Points = 0, which is TR1.\nLeft lobe: 12 mm solid nodule.")
    assert [r["side"] for r in out] == ["right", "left"]


def test_impression_inside_a_paragraph_refers_back(ex):
    text = ("The left lobe holds a 14 mm solid hypoechoic nodule at the upper pole. Impression: left upper pole "
            "nodule, 14 mm, TR4.")
    out = rows(ex, text)
    assert brief(out) == [("left", "upper", 14.0, "solid")]
    assert out[0]["stated_category"] == "TR4"
    # the word inside a sentence is not a header
    out = rows(ex, "Right 8 mm solid nodule gives the impression of a halo. Left 15 mm cystic nodule.")
    assert [r["side"] for r in out] == ["right", "left"]


def test_comment_section_refers_back(ex):
    text = ("Findings:\nRight lobe: 19 mm solid isoechoic nodule, lower pole.\n"
            "Comments:\nRight 19 mm nodule, meets the size criterion for FNA.")
    out = rows(ex, text)
    assert brief(out) == [("right", "lower", 19.0, "solid")]
    # a comment naming another nodule still gives it a row
    text = ("Findings:\nRight lobe: 19 mm solid isoechoic nodule, lower pole.\n"
            "Comment: also a 6 mm cyst in the left lobe.")
    assert [r["side"] for r in rows(ex, text)] == ["right", "left"]


def test_stated_side_beats_the_section_side(ex):
    text = "LEFT LOBE: 4.4 cm.\nNodule 1 = right lower pole, 11 mm, solid, smooth"
    assert brief(rows(ex, text)) == [("right", "lower", 11.0, "solid")]



# -- identity: a heading line and the feature lines under it are one nodule ------------------------------------

def test_heading_line_and_its_feature_lines_are_one_nodule(ex):
    text = ("Isthmus: 2.9 mm.\n"
            "Left mid-third nodule [A]:\n"
            "  * Measures: 1.7 x 1.1 x 0.9 cm\n"
            "  * Composition: solid\n"
            "  * Margin: microlobulated\n"
            "  * Echogenicity: hypoechoic")
    out = rows(ex, text)
    assert len(out) == 1
    assert (out[0]["side"], out[0]["position"], out[0]["size_mm"], out[0]["margin"]) == (
        "left", "mid", 17.0, "lobulated_irregular")
    # feature lines that name their own place describe another nodule
    text = ("Right lobe: 5 mm cyst.\n"
            "  Location: left lower pole\n"
            "  Size: 12 mm\n"
            "  Composition: solid")
    assert [r["side"] for r in rows(ex, text)] == ["right", "left"]


def test_label_followed_by_a_long_dash_opens_a_block(ex):
    text = ("Nodule 2 — right lobe, upper: 7 x 6 x 6 mm.\n"
            "  Composition: spongiform\n"
            "  Echogenic foci: none")
    out = rows(ex, text)
    assert len(out) == 1
    assert (out[0]["nodule_label"], out[0]["side"], out[0]["composition"], out[0]["tirads_level"]) == (
        "Nodule 2", "right", "spongiform", "TR1")


def test_qualified_impression_header_refers_back(ex):
    text = ("Sonographic description:\nLeft lobe, lower third: 16 mm solid nodule.\n"
            "Sonographic impression:\nsolid left thyroid nodule, TR4.")
    out = rows(ex, text)
    assert brief(out) == [("left", "lower", 16.0, "solid")]
    assert out[0]["stated_category"] == "TR4"


# -- not a nodule of this exam: clinical history, denial with a place, interpretation, procedure, look-alikes -------

def test_referral_history_in_the_findings_gives_no_row(ex):
    text = ("Thyroid nodule picked up on CT of the neck last month. Right lobe: 12 mm isoechoic solid nodule, mid pole.\n"
            "Left lobe: 8 mm spongiform nodule.")
    assert brief(rows(ex, text)) == [("right", "mid", 12.0, "solid"), ("left", "unspecified", 8.0, "spongiform")]
    text = "Lump noticed by the patient at home; right lobe: 12 mm solid nodule."
    assert brief(rows(ex, text)) == [("right", "unspecified", 12.0, "solid")]


def test_seen_on_this_exam_is_not_history(ex):
    text = "A 9 mm cystic nodule seen on this examination in the right lobe. Left lobe, 55 mm: no nodule found."
    assert brief(rows(ex, text)) == [("right", "unspecified", 9.0, "cystic")]
    # but the presenting complaint with age and sex is
    assert rows(ex, "64 y/o F, palpable nodule in the right lobe.\nRight lobe: 12 mm solid nodule.")[0]["size_mm"] == 12.0
    assert len(rows(ex, "64 y/o F, palpable nodule in the right lobe.\nRight lobe: 12 mm solid nodule.")) == 1


def test_presenting_neck_lump_is_not_a_thyroid_nodule(ex):
    text = "Tender left cervical mass for two weeks.\nLeft lobe: 22 mm mixed nodule, lower pole."
    assert brief(rows(ex, text)) == [("left", "lower", 22.0, "mixed")]


def test_denial_naming_a_side_or_a_place(ex):
    text = ("Right lobe: 13 mm solid nodule. No left-sided nodule. No isthmic lesion. No residual mass in the "
            "left thyroid bed.")
    assert brief(rows(ex, text)) == [("right", "unspecified", 13.0, "solid")]


def test_interpretation_of_a_described_nodule_is_the_same_nodule(ex):
    text = "Left lobe: 11 mm cystic nodule, s/o a benign colloid nodule with comet-tail artefacts."
    out = rows(ex, text)
    assert brief(out) == [("left", "unspecified", 11.0, "cystic")]


def test_procedure_on_a_nodule_refers_back(ex):
    text = ("Right lobe: 28 mm anechoic cyst, oval. Aspiration of right 28 mm cyst under guidance: 6 ml of fluid.\n"
            "Left lobe: 6 mm solid nodule.")
    assert brief(rows(ex, text)) == [("right", "unspecified", 28.0, "cystic"), ("left", "unspecified", 6.0, "solid")]


def test_template_minus_sign_denies(ex):
    text = "Right lobe: nodule (-)\nLeft lobe: nodule (+) 14 mm, solid"
    assert brief(rows(ex, text)) == [("left", "unspecified", 14.0, "solid")]


def test_lesion_said_to_be_parathyroid_or_node_is_not_a_thyroid_nodule(ex):
    text = ("Deep to the right lower pole, a 9 mm hypoechoic lesion, most consistent with an enlarged parathyroid "
            "gland. Left lobe: 7 mm cyst.")
    assert brief(rows(ex, text)) == [("left", "unspecified", 7.0, "cystic")]
    # a thyroid nodule "consistent with" a thyroid diagnosis keeps its row
    text = "Right lobe: 9 mm hypoechoic solid nodule, consistent with an adenomatous nodule."
    assert brief(rows(ex, text)) == [("right", "unspecified", 9.0, "solid")]
    text = "An extrathyroidal soft-tissue mass of 15 mm lies lateral to the left lobe. Right lobe: 4 mm cyst."
    assert brief(rows(ex, text)) == [("right", "unspecified", 4.0, "cystic")]


# -- labels, headings, small foci, statements about every nodule, size thresholds --------------------------------

def test_side_letter_labels_name_different_nodules(ex):
    text = ("| Nodule | Location | Size (mm) | Composition |\n|---|---|---|---|\n"
            "| R1 | right mid | 14 | solid |\n| L1 | left upper | 9 | cystic |\n"
            "IMPRESSION: L1 is a simple cyst; R1 TR4.")
    out = rows(ex, text)
    assert [(r["nodule_label"], r["side"]) for r in out] == [("R1", "right"), ("L1", "left")]
    # "Nodule L2" is a label too, and the same nodule when named again
    text = "Nodule L2: left lower pole, 8 mm, solid.\nIMPRESSION: nodule L2, 8 mm, TR3."
    out = rows(ex, text)
    assert [(r["nodule_label"], r["stated_category"]) for r in out] == [("Nodule L2", "TR3")]


def test_template_number_label_and_heading(ex):
    text = ("Mass / nodule assessment\n"
            "  No.2  Location: left lobe   Size: 18 x 12 x 11 mm\n"
            "        Composition: solid   Border: smooth")
    out = rows(ex, text)
    assert [(r["nodule_label"], r["side"], r["size_mm"], r["margin"]) for r in out] == [
        ("No.2", "left", 18.0, "smooth")]


def test_focus_with_its_own_echogenicity_is_a_nodule(ex):
    text = "Left lobe: an isoechoic focus of 4 mm at the mid pole. Right lobe: several echogenic foci in a 9 mm cyst."
    out = rows(ex, text)
    assert [(r["side"], r["size_mm"]) for r in out] == [("left", 4.0), ("right", 9.0)]


def test_statement_about_every_nodule_gives_no_row(ex):
    text = ("Right lobe: 12 mm solid nodule. Left lobe: 7 mm cyst.\n"
            "Microcalcifications are absent in each nodule; neither nodule is taller than wide.")
    assert brief(rows(ex, text)) == [("right", "unspecified", 12.0, "solid"), ("left", "unspecified", 7.0, "cystic")]


def test_size_thresholds_are_not_sizes(ex):
    text = ("Right lobe: 12 mm solid hypoechoic nodule.\n"
            "IMPRESSION: right nodule, TR4, below the 25 mm cut-off for FNA; biopsy if > 25 mm.")
    out = rows(ex, text)
    assert [(r["side"], r["size_mm"], r["stated_category"]) for r in out] == [("right", 12.0, "TR4")]
    # a size written as a change ("9 -> 13 mm") keeps its current value
    assert rows(ex, "Left lobe: solid nodule, grown 9 -> 13 mm.")[0]["size_mm"] == 13.0
    text = "Right lobe: 12 mm solid nodule.\nIMPRESSION: right nodule meets the 20 mm threshold for FNA."
    assert [r["size_mm"] for r in rows(ex, text)] == [12.0]


def test_bilingual_conclusion_header_refers_back(ex):
    text = "Befund / Findings: left lobe, 19 mm cystic nodule.\nBeurteilung / Conclusion: cyst of the left lobe."
    assert brief(rows(ex, text)) == [("left", "unspecified", 19.0, "cystic")]


def test_non_oval_is_not_wider_than_tall(ex):
    out = rows(ex, "Right lobe: 8 mm hypoechoic solid nodule, non-oval, taller than wide.")
    assert out[0]["shape"] == "taller_than_wide"


# -- dictation that leaves out the noun; sentences broken over lines ----------------------------------------------

def test_described_nodule_without_a_noun(ex):
    text = "Neck US: Lt upper 1.4 cm solid, markedly hypoechoic, irregular, taller than wide - TR5. Rt lobe: clear."
    out = rows(ex, text)
    assert [(r["side"], r["position"], r["size_mm"], r["echogenicity"]) for r in out] == [
        ("left", "upper", 14.0, "very_hypoechoic")]
    # a lobe measurement with the parenchyma's echogenicity, or a place and size without a category, is no nodule
    assert rows(ex, "Right lobe 4.6 cm, hypoechoic parenchyma. Left lobe 4.2 cm, normal; isthmus 3 mm.") == []
    assert rows(ex, "Left upper pole: 12 mm, unchanged since the last visit.") == []


def test_sentence_broken_over_lines(ex):
    text = "Right lobe, in the lower pole, a 1.6 cm solid and\nhypoechoic nodule with coarse\ncalcifications. Left lobe: normal."
    out = rows(ex, text)
    assert [(r["side"], r["position"], r["size_mm"], r["echogenicity"], r["echogenic_foci"]) for r in out] == [
        ("right", "lower", 16.0, "hypoechoic", "macrocalcification")]


def test_a_named_part_of_the_nodule_is_not_its_composition(ex):
    text = ("Left lobe: 15 mm mixed cystic and solid nodule, mid pole.\n"
            "ADDENDUM: the bright foci of the left mid nodule lie within its cystic component, comet-tail artefacts.")
    out = rows(ex, text)
    assert [(r["side"], r["composition"]) for r in out] == [("left", "mixed")]


# -- templates: several keys on one line, bare words in a feature's cell ------------------------------------------

def test_several_keys_on_one_line(ex):
    text = ("Nodule 3 - left mid pole, 13 mm.\n"
            "  Composition: solid    Echogenicity: hypoechoic    Shape: wider-than-tall\n"
            "  Margin: smooth    Echogenic foci: none")
    out = rows(ex, text)
    assert [(r["composition"], r["echogenicity"], r["shape"], r["margin"], r["echogenic_foci"], r["tirads_level"])
            for r in out] == [("solid", "hypoechoic", "wider_than_tall", "smooth", "none", "TR4")]
    # one space inside a value does not split it
    out = rows(ex, "Nodule 1 - right lower pole, 9 mm.\n  Composition: mixed cystic and solid  (1)\n  Margin: ill defined")
    assert (out[0]["composition"], out[0]["margin"]) == ("mixed", "ill_defined")


def test_bare_words_in_echogenicity_and_shape_cells(ex):
    text = ("| No | Side | Size (mm) | Echo | Orientation |\n|---|---|---|---|---|\n"
            "| 1 | L | 11 | low | vertical |\n| 2 | R | 6 | iso | horizontal |")
    out = rows(ex, text)
    assert [(r["echogenicity"], r["shape"]) for r in out] == [("hypoechoic", "taller_than_wide"),
                                                             ("isoechoic", "wider_than_tall")]
    # outside a cell the words say nothing: "lower pole" is not "low", "hyperplasia" not "hyper"
    out = rows(ex, "Nodule 1 (right, lower pole): 22 mm, solid, isoechoic, oval.")
    assert (out[0]["position"], out[0]["echogenicity"]) == ("lower", "isoechoic")


# -- echogenic foci: hedged interpretation, foci of a prior exam, a feature sentence on the next line --------------

def test_hedged_reading_of_tiny_foci_is_uncertain(ex):
    out = rows(ex, "Left lobe: 10 mm solid nodule with minute bright foci, probably microcalcifications.")
    assert (out[0]["microcalcifications"], out[0]["echogenic_foci"]) == ("uncertain", "")
    out = rows(ex, "Right lobe: 13 mm solid nodule, ?punctate foci vs comet tail artefact.")
    assert (out[0]["microcalcifications"], out[0]["echogenic_foci"]) == ("uncertain", "")
    # an unhedged reading stays present
    out = rows(ex, "Right lobe: 13 mm solid nodule with minute bright foci in keeping with microcalcifications.")
    assert (out[0]["microcalcifications"], out[0]["echogenic_foci"]) == ("present", "punctate")


def test_foci_of_a_prior_exam_or_supposed_are_not_this_exams(ex):
    text = ("Right lobe: 12 mm solid nodule; the calcifications noted before are no longer visible.\n"
            "Left lobe: 6 mm cyst. If new microcalcifications develop, sample it.")
    out = rows(ex, text)
    assert [(r["echogenic_foci"], r["microcalcifications"]) for r in out] == [("", "not_mentioned"),
                                                                             ("", "not_mentioned")]


def test_feature_sentence_on_the_next_line_continues_the_nodule(ex):
    text = "Left lobe: 16 mm solid hypoechoic nodule, lower pole.\nThe margins are spiculated.\nRight lobe: normal."
    out = rows(ex, text)
    assert [(r["side"], r["margin"]) for r in out] == [("left", "lobulated_irregular")]


def test_template_answers_with_scores_and_minus_signs(ex):
    text = ("| # | Site | EF | Comp |\n|---|---|---|---|\n| 1 | L mid | none (0) | solid (2) |\n"
            "Nodule 2 - right upper pole, 7 mm\n  Calcification: (-)\n  Shape: wider-than-tall\n"
            "Nodule 3 - right lower pole, 5 mm\n  Echogenic foci: none   = TR2")
    out = rows(ex, text)
    assert [(r["echogenic_foci"], r["microcalcifications"]) for r in out] == [
        ("none", "absent"), ("none", "absent"), ("none", "absent")]
    assert out[0]["composition"] == "solid"
    # a plus sign is not a minus sign
    assert rows(ex, "Right lobe: 14 mm solid nodule, microcalcification (+).")[0]["microcalcifications"] == "present"
    assert rows(ex, "Left lobe: 9 mm solid nodule, calcification (-).")[0]["echogenic_foci"] == "none"


def test_table_sizes_with_several_dimensions_under_a_unit_header(ex):
    text = ("No | Where | Size cm | Comp\n1 | L upper | 2.3 x 1.4 x 1.9 | solid\n"
            "2 | R mid | 0.7x0.5 | cystic")
    assert [r["size_mm"] for r in rows(ex, text)] == [23.0, 7.0]
    # a bare number without a unit header states no size
    text = "No | Where | Size | Comp\n1 | L upper | 2.3 x 1.4 | solid\n"
    assert [r["size_mm"] for r in rows(ex, text)] == [None]


def test_undecided_u_score_stays_as_written(ex):
    assert rows(ex, "Left lobe: 9 mm solid nodule. Conclusion: U3/U4 left nodule.")[0]["stated_category"] == "U3/U4"
    assert rows(ex, "Left lobe: 9 mm solid nodule. Conclusion: U3 left nodule.")[0]["stated_category"] == "U3"


def test_place_heading_over_feature_lines(ex):
    text = ("Isthmus, inferior pole: 0.9 x 0.7 cm\n"
            "    Composition: solid\n    Echogenicity: isoechoic\n"
            "Right lobe: no nodule.")
    out = rows(ex, text)
    assert [(r["side"], r["position"], r["size_mm"], r["composition"]) for r in out] == [
        ("isthmus", "lower", 9.0, "solid")]
    # feature lines after a blank line are not placed by the line above the blank
    text = "Left lobe, upper pole: 4.1 cm\n\n    Composition: solid\n    Echogenicity: isoechoic"
    assert [(r["position"], r["size_mm"]) for r in rows(ex, text)] == [("unspecified", None)]


def test_category_in_an_impression_naming_no_nodule(ex):
    text = "Right lobe: 31 mm mixed nodule with colloid, comet tails.\nSummary: U2. Discharge to GP."
    assert [r["stated_category"] for r in rows(ex, text)] == ["U2"]
    # with two nodules the category belongs to neither
    text = "Right lobe: 31 mm mixed nodule. Left lobe: 8 mm cyst.\nSummary: U2. Discharge to GP."
    assert [r["stated_category"] for r in rows(ex, text)] == ["", ""]
    # nor to a group's largest member
    text = "Several cysts in both lobes, the largest 9 mm on the right.\nSummary: benign multinodular gland, U2."
    assert [r["stated_category"] for r in rows(ex, text)] == [""]


def test_gland_wide_statement_does_not_fill_a_nodules_foci(ex):
    text = "Left lobe: 10 mm cystic nodule. No microcalcification or other worrying feature in either lobe."
    out = rows(ex, text)
    assert (out[0]["echogenic_foci"], out[0]["microcalcifications"]) == ("", "not_mentioned")
    # the nodule's own denial still counts
    out = rows(ex, "Left lobe: 10 mm cystic nodule without micro calcifications.")
    assert (out[0]["echogenic_foci"], out[0]["microcalcifications"]) == ("", "absent")


def test_indented_and_parenthesised_lines_continue_the_nodule(ex):
    text = "Isthmus nodule:\n   Size 1.3 x 0.9 cm; solid; isoechoic; ill-defined margins\nRight lobe: normal."
    out = rows(ex, text)
    assert [(r["side"], r["size_mm"], r["composition"], r["margin"]) for r in out] == [
        ("isthmus", 13.0, "solid", "ill_defined")]
    text = "Left lower pole: solid nodule of 12 mm, orientation\n(taller than wide), lobulated."
    assert rows(ex, text)[0]["shape"] == "taller_than_wide"


def test_translated_nodule_wording_and_internal_echo_key(ex):
    text = "LEFT LOBE: in its lower third a solid nodular formation of 17 x 12 mm, oval, with smooth edges."
    out = rows(ex, text)
    assert [(r["side"], r["position"], r["size_mm"], r["composition"]) for r in out] == [("left", "lower", 17.0, "solid")]
    assert rows(ex, "Right lobe: without nodular images.") == []
    text = "Nodule No.2  Site: left lobe   Size: 11 mm\n      Internal echo: low   Composition: solid"
    out = rows(ex, text)
    assert [(r["side"], r["size_mm"], r["echogenicity"], r["composition"]) for r in out] == [
        ("left", 11.0, "hypoechoic", "solid")]


def test_coarse_calcs_written_short_or_with_a_place_word(ex):
    out = rows(ex, "Left lobe: 21 mm solid nodule with coarse central calcifications. Right lobe: 9 mm cyst, coarse calcs.")
    assert [r["echogenic_foci"] for r in out] == ["macrocalcification", "macrocalcification"]
