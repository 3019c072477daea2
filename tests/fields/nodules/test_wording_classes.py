"""Nodule failure classes of the third reading of the blind batches' misses (issue 17): message wrappers and glossed
headers, OCR misreadings, system words of the stated category, shape and margin wording, directions that are not a
lobe, referral lines and services named like a nodule, table and sentence layouts. Each class is fixed as a general
rule and tested here in wording that appears in no corpus, with cases that must not fire."""
import pytest

from extractor.fields.nodules import NoduleExtractor, OcrMisread, section_view
from extractor.knowledge.ruleset import load_ruleset


@pytest.fixture(scope="module")
def ex():
    return NoduleExtractor(load_ruleset(None))


def rows(ex, text):
    return ex.rows({"report_id": "T1", "patient_id": "P1", "text": text})


# -- an HL7 observation identifier names the section -------------------------------------------------------------

def test_hl7_observation_identifier_opens_the_impression(ex):
    text = ("OBX|1|TX|RAD^FINDINGS||Right mid pole: 18 x 12 x 10 mm solid hypoechoic nodule, smooth.||||||F\n"
            "OBX|2|TX|RAD^FINDINGS||Left lobe unremarkable.||||||F\n"
            "OBX|3|TX|RAD^IMPRESSION||Right mid pole 18 mm nodule, TR4.||||||F\n")
    out = rows(ex, text)
    assert len(out) == 1
    assert (out[0]["side"], out[0]["stated_category"], out[0]["composition"]) == ("right", "TR4", "solid")


def test_hl7_view_keeps_length_and_names_each_section_once(ex):
    text = ("OBX|1|TX|X^FINDINGS||one||||||F\nOBX|2|TX|X^FINDINGS||two||||||F\nOBX|3|TX|X^CONCLUSION||three||||||F\n"
            "OBX|4|TX|X^SIGNED||Dr A||||||F")
    view = section_view(text)
    assert len(view) == len(text)
    assert view.count("FINDINGS:") == 1 and view.count("CONCLUSION:") == 1 and "SIGNED:" not in view


@pytest.mark.parametrize("header", ["Sonographic prompt (impression):", "Report summary (conclusion):",
                                    "Final reading (Opinion):"])
def test_glossed_impression_header_refers_back(ex, header):
    text = ("Findings: Left lower pole: a 9 mm solid isoechoic nodule, smooth margin.\n"
            "Cervical lymph nodes: unremarkable.\n"
            f"{header}\nLeft lower pole solid nodule, TR3.")
    out = rows(ex, text)
    assert len(out) == 1 and out[0]["stated_category"] == "TR3"


# -- OCR misreadings ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("written, read", [
    ("a 2.4 cm rnixed nodule", "a 2.4 cm mixed  nodule"),
    ("s0lid n0dule, wlder than tall", "solid nodule, wider than tall"),
    ("IMPRESSl0N: lsthmic nodule", "IMPRESSION: isthmic nodule"),
    ("measuring l.4 x 0.8 x 0.7 cm", "measuring 1.4 x 0.8 x 0.7 cm"),
    ("lobe 3.l cm", "lobe 3.1 cm"),
])
def test_ocr_misread_letters_are_read_as_the_word(ex, written, read):
    assert ex.ocr_misread(written) == read


@pytest.mark.parametrize("text", ["Nodule L1 in the left lobe, TR1.", "I saw 10 mm, O.K.", "The corner of the lobe"])
def test_ocr_misreading_leaves_real_words_and_labels(ex, text):
    assert ex.ocr_misread(text) == text


def test_ocr_misread_report_gives_its_features(ex):
    text = ("FlNDINGS: ln the left rnid lobe a so1id hyp0echoic n0dule of l.6 x l.1 x 0.9 cm, wlder than tall,\n"
            "with smooth margins.\nIMPRESSl0N: left n0dule, ACR Tl-RADS TR4.")
    out = rows(ex, text)
    assert len(out) == 1
    r = out[0]
    assert (r["position"], r["composition"], r["shape"], r["size_mm"], r["stated_category"]) == \
        ("mid", "solid", "wider_than_tall", 16.0, "TR4")


def test_ocr_misread_is_a_same_length_view():
    reader = OcrMisread(["nodule", "mixed"])
    text = "rnixed n0dule l.2 cm"
    assert len(reader(text)) == len(text)


# -- the stated category with its system word and "score" ------------------------------------------------------------

@pytest.mark.parametrize("words, normal", [
    ("EU-TIRADS score 4", "EU-TIRADS 4"),
    ("K-TIRADS class 3", "K-TIRADS 3"),
    ("C-TIRADS level 4A", "C-TIRADS 4A"),
])
def test_category_with_score_word(ex, words, normal):
    assert rows(ex, f"Right lobe: 12 mm solid nodule, smooth. {words}.")[0]["stated_category"] == normal


# -- shape and margin wording -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("words, shape", [
    ("thicker than wide", "taller_than_wide"),
    ("deeper-than-wide", "taller_than_wide"),
    ("wider then tall", "wider_than_tall"),
    ("A/T ratio > 1", "taller_than_wide"),
    ("aspect ratio <1", "wider_than_tall"),
    ("aspect ratio 1.2", "unspecified"),
])
def test_shape_wording(ex, words, shape):
    assert rows(ex, f"Left lobe: 10 mm solid nodule, {words}.")[0]["shape"] == shape


@pytest.mark.parametrize("words, margin", [
    ("irregular margin, extrathyroidal extension suspected", "lobulated_irregular"),
    ("irregular margin, ETE is possible", "lobulated_irregular"),
    ("irregular margin with extension through the capsule", "extrathyroidal_extension"),
    ("ill-def margin", "ill_defined"),
])
def test_margin_wording(ex, words, margin):
    assert rows(ex, f"Left lobe: 20 mm solid nodule, {words}.")[0]["margin"] == margin


def test_ill_defined_abbreviation_in_a_table_cell(ex):
    text = ("| # | Side | Size mm | Comp | Margin |\n|---|---|---|---|---|\n"
            "| 1 | L | 9 | solid | ill-def |\n")
    assert rows(ex, text)[0]["margin"] == "ill_defined"


# -- a direction is not a lobe --------------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence", ["The nodule pushes the trachea to the left.",
                                      "The mass deviates the oesophagus towards the right."])
def test_direction_is_not_a_side(ex, sentence):
    out = rows(ex, f"Right lobe: 40 mm solid hypoechoic mass. {sentence}")
    assert [r["side"] for r in out] == ["right"]


def test_nodule_in_the_left_lobe_still_has_its_side(ex):
    assert rows(ex, "A nodule extends to the left lobe, 12 mm, solid.")[0]["side"] == "left"


# -- referral lines, services and statements about the nodules described ---------------------------------------

@pytest.mark.parametrize("line", ["Referral: thyroid nodule, GP letter", "Reason for exam: nodule follow-up",
                                  "Clinical question: nodule?"])
def test_referral_line_gives_no_nodule(ex, line):
    text = f"Date: 2020-01-01    {line}\nRight lobe: 8 mm cyst.\n"
    out = rows(ex, text)
    assert [r["composition"] for r in out] == ["cystic"]


@pytest.mark.parametrize("title", ["THYROID NODULE CLINIC - REPORT", "Nodule service, Radiology"])
def test_service_name_is_not_a_nodule(ex, title):
    out = rows(ex, f"{title}\nLeft lobe: 11 mm solid nodule.")
    assert len(out) == 1 and out[0]["side"] == "left"


def test_statement_about_the_nodules_described(ex):
    text = ("Right lobe: 12 mm solid isoechoic nodule. Left lobe: 7 mm cyst.\n"
            "No microcalcifications in the nodules described.")
    out = rows(ex, text)
    assert [r["microcalcifications"] for r in out] == ["absent", "absent"]


def test_favoured_interpretation_is_not_a_second_nodule(ex):
    text = "IMPRESSION: 2.5 cm mixed nodule in the right lobe, favour a benign colloid nodule. TR3."
    assert len(rows(ex, text)) == 1


# -- layouts: a "Level" column of poles, labels opening sentences, a line going on with a measurement ---------------

def test_level_column_of_pole_words_is_the_position(ex):
    text = ("| # | Side | Level | Size mm | Comp | TR |\n|---|---|---|---|---|---|\n"
            "| 1 | R | lower | 14 | solid | TR4 |\n| 2 | L | mid | 6 | cystic | TR1 |\n")
    out = rows(ex, text)
    assert [(r["position"], r["stated_category"]) for r in out] == [("lower", "TR4"), ("mid", "TR1")]


def test_labels_open_sentences(ex):
    text = ("Nodule 1: right upper, 12 mm, solid.\nNodule 2: left mid, 15 mm, mixed.\n"
            "IMPRESSION: #2 left mid 15 mm TR3, follow up. #1 TR4 -> FNA.")
    out = rows(ex, text)
    assert [(r["position"], r["stated_category"]) for r in out] == [("upper", "TR4"), ("mid", "TR3")]


@pytest.mark.parametrize("joint", ["nodule\n17 x 12 x 9 mm", "nodule\n1.7 x 1.2 cm"])
def test_line_going_on_with_a_measurement(ex, joint):
    text = f"Left lobe, upper third: a solid hypoechoic {joint}, taller than wide, irregular margin."
    out = rows(ex, text)
    assert len(out) == 1
    assert (out[0]["size_mm"], out[0]["shape"]) == (17.0, "taller_than_wide")


def test_numbered_line_after_a_full_stop_is_a_new_sentence(ex):
    text = "Right lobe: 12 mm solid nodule.\n14 mm cyst in the left lobe."
    out = rows(ex, text)
    assert [r["side"] for r in out] == ["right", "left"]


# -- forms with tick boxes ----------------------------------------------------------------------------------------------

def test_only_the_ticked_choices_are_stated(ex):
    text = ("Nodule A   Side: [ ] right  [x] left    Pole: [x] upper [ ] mid [ ] lower\n"
            "  Size: 2.2 x 1.4 x 1.0 cm\n"
            "  Composition:  [ ] cystic [ ] spongiform [x] mixed [ ] solid\n"
            "  Echogenicity: [ ] anechoic [x] hyper/iso [ ] hypo [ ] very hypo\n"
            "  Shape:        [ ] wider-than-tall [x] taller-than-wide\n"
            "  Margin:       [ ] smooth [ ] ill-defined [x] lobulated/irregular [ ] ETE\n"
            "  Foci:         [ ] none/large comet-tail [x] macro [ ] peripheral [ ] punctate\n")
    r = rows(ex, text)[0]
    assert (r["side"], r["position"], r["composition"], r["shape"], r["margin"], r["echogenic_foci"]) == \
        ("left", "upper", "mixed", "taller_than_wide", "lobulated_irregular", "macrocalcification")
    assert r["microcalcifications"] == "absent"


def test_ticked_none_or_comet_tail_is_no_foci(ex):
    text = ("Nodule 1   Location: [x] right [ ] left\n  Size: 9 mm\n"
            "  Echogenic foci: [x] none/large comet-tail [ ] macro [ ] punctate\n")
    r = rows(ex, text)[0]
    assert (r["echogenic_foci"], r["microcalcifications"]) == ("none", "absent")


def test_unticked_form_states_nothing(ex):
    text = "Nodule 1   Location: [x] left\n  Size: 9 mm\n  Composition: [ ] cystic [ ] solid\n"
    assert rows(ex, text)[0]["composition"] == "unspecified"


# -- addenda: translated dated headers, quoted statements, corrected places ------------------------------------------

@pytest.mark.parametrize("header", ["ADENDA (2 May 2021):", "Adendo (02/05/2021):", "Nachtrag (02.05.2021):"])
def test_translated_dated_addendum_corrects_the_foci(ex, header):
    text = ("Findings: Left lobe, mid third: solid isoechoic nodule of 13 mm, wider than tall, smooth margins, with "
            "microcalcifications. TI-RADS 5.\nImpression: left nodule TR5.\n\n"
            f"{header} On review, the foci in the left nodule are comet-tail artefacts; no microcalcifications. "
            "The category is corrected to TI-RADS 3.")
    out = rows(ex, text)
    assert len(out) == 1
    assert (out[0]["echogenic_foci"], out[0]["microcalcifications"], out[0]["stated_category"]) == \
        ("comet_tail", "absent", "TR3")


def test_quoted_statement_that_is_withdrawn_states_no_foci(ex):
    text = ("Findings: Right upper pole nodule 14 mm, mixed cystic and solid, with punctate echogenic foci.\n"
            "ADDENDUM: the right nodule shows large comet-tail artefacts, not punctate echogenic foci. "
            "The phrase \"with punctate echogenic foci\" is withdrawn.")
    out = rows(ex, text)
    assert len(out) == 1
    assert (out[0]["echogenic_foci"], out[0]["microcalcifications"]) == ("comet_tail", "absent")


def test_addendum_correcting_the_pole_moves_the_nodule(ex):
    text = ("Findings: Right lobe: at the mid pole a 7 mm spongiform nodule.\n"
            "ADDENDUM: the 7 mm spongiform nodule lies in the lower pole of the right lobe, not in the mid pole.")
    out = rows(ex, text)
    assert [(r["side"], r["position"]) for r in out] == [("right", "lower")]


def test_addendum_pole_correction_needs_a_single_candidate(ex):
    text = ("Findings: Right lobe: 7 mm spongiform nodule in the mid pole. Left lobe: 7 mm spongiform nodule in "
            "the upper pole.\nADDENDUM: a 7 mm spongiform nodule is also seen at the lower pole of the right lobe.")
    assert len(rows(ex, text)) == 3


# -- the side of a lobe heading that opens the line -------------------------------------------------------------------

@pytest.mark.parametrize("heading", ["Residual right lobe: 40 x 15 mm.", "Right thyroid lobe: normal size."])
def test_lobe_heading_gives_the_side(ex, heading):
    out = rows(ex, f"{heading} In its upper third there is a 6 mm cyst.")
    assert [(r["side"], r["position"]) for r in out] == [("right", "upper")]


def test_hyperechoic_foci_are_not_an_echogenicity(ex):
    r = rows(ex, "Left lobe: 10 mm solid nodule with hyperechoic foci, then isoechoic rim.")[0]
    assert r["echogenicity"] == "isoechoic"


# -- translated conclusion headers, a points line after the description -----------------------------------------------

@pytest.mark.parametrize("header", ["Conclusie:", "Slutsats:", "Avaliação:"])
def test_translated_conclusion_header_refers_back(ex, header):
    text = ("Findings:\nRight, lower pole: solid isoechoic nodule of 12 mm, smooth outline.\n"
            f"{header} TR3 nodule right 12 mm.")
    out = rows(ex, text)
    assert len(out) == 1 and out[0]["stated_category"] == "TR3"


def test_points_line_after_the_description_gives_its_category(ex):
    text = ("Left, upper pole: mixed isoechoic nodule of 19 mm, wider than tall, smooth.\n"
            "TI-RADS: composition 1 + echogenicity 1 + shape 0 + margin 0 + foci 0 = 2 -> TR2.")
    assert rows(ex, text)[0]["stated_category"] == "TR2"


# -- look-alikes in the sentence of a nodule --------------------------------------------------------------------------

def test_words_before_a_lookalike_describe_the_nodule(ex):
    text = "IMPRESSION: TR4 nodule right 16 mm with two suspicious level VI nodes."
    out = rows(ex, text)
    assert [(r["side"], r["size_mm"], r["stated_category"]) for r in out] == [("right", 16.0, "TR4")]


def test_category_after_a_lookalike_is_the_nodules(ex):
    text = "Impression: Large left thyroid mass with ETE and nodal disease, ATA high suspicion pattern."
    out = rows(ex, text)
    assert [r["stated_category"] for r in out] == ["ATA high suspicion"]


# -- one nodule called solid and predominantly solid ----------------------------------------------------------------

def test_predominantly_solid_in_the_impression_is_the_solid_nodule(ex):
    text = ("Findings: The right lobe holds a 28 mm solid isoechoic nodule with a halo.\n"
            "Opinion: Right thyroid nodule, U3 given the predominantly solid isoechoic lesion.")
    out = rows(ex, text)
    assert len(out) == 1
    assert (out[0]["composition"], out[0]["stated_category"]) == ("solid", "U3")


def test_a_cyst_and_a_solid_nodule_stay_two(ex):
    text = "Findings: Left lobe: a 10 mm cyst and a 10 mm solid nodule.\nImpression: left solid nodule, TR4."
    out = rows(ex, text)
    assert [(r["composition"], r["stated_category"]) for r in out] == [("cystic", ""), ("solid", "TR4")]


# -- the group's largest member described in the next sentence --------------------------------------------------------

@pytest.mark.parametrize("sentence", ["The largest is in the left upper pole, 24 x 18 mm, solid.",
                                      "The biggest measures 24 mm, solid, in the left upper pole.",
                                      "Largest: left upper pole, 2.4 cm, solid."])
def test_largest_member_in_its_own_sentence(ex, sentence):
    text = f"Both lobes contain numerous nodules, too many to count. {sentence}"
    out = rows(ex, text)
    assert [(r["side"], r["position"], r["size_mm"], r["composition"]) for r in out] == \
        [("left", "upper", 24.0, "solid")]


def test_largest_without_a_size_gives_no_row(ex):
    assert rows(ex, "Numerous nodules in both lobes. The largest is in the left lobe.") == []


# -- templates: a nodule count, labels before keys, Latin lobe names ------------------------------------------------

def test_nodule_count_cell_is_not_a_nodule(ex):
    text = ("Lobe, right: 40x15x13 mm  NODULES: 0\n"
            "Lobe, left: 45x16x15 mm  NODULES: 1\n"
            "  N1 LOC : lower pole           SIZE : 11x9x8 mm\n"
            "  N1 COMP: spongiform           ECHO : iso\n")
    out = rows(ex, text)
    assert [(r["side"], r["position"], r["size_mm"], r["composition"], r["nodule_label"]) for r in out] == \
        [("left", "lower", 11.0, "spongiform", "Nodule 1")]


def test_labels_before_keys_split_the_nodules(ex):
    text = ("N1 Site: right upper\nN1 Size: 12 mm\nN1 Comp: solid\n"
            "N2 Site: left lower\nN2 Comp: cystic\n")
    out = rows(ex, text)
    assert [(r["side"], r["composition"]) for r in out] == [("right", "solid"), ("left", "cystic")]


@pytest.mark.parametrize("words, side", [("Lobus dexter", "right"), ("lobus sin.", "left"), ("Lobe dx", "right")])
def test_latin_lobe_names(ex, words, side):
    assert rows(ex, f"{words}: an 8 mm solid nodule.")[0]["side"] == side


# -- outline words and hedged template answers -----------------------------------------------------------------------

@pytest.mark.parametrize("words, shape", [("oval", "unspecified"), ("round", "unspecified"),
                                          ("oval, parallel to the skin", "wider_than_tall"),
                                          ("round, taller than wide", "taller_than_wide")])
def test_outline_words_are_not_an_orientation(ex, words, shape):
    assert rows(ex, f"Right lobe: 14 mm solid isoechoic nodule, {words}, smooth.")[0]["shape"] == shape


def test_hedge_inside_a_labelled_template_answer(ex):
    text = ("NODULE 3 = left mid, 1.2 cm, solid, hypoechoic\n"
            "NODULE 3 FOCI = a few tiny bright foci, possible punctate echogenic foci vs artefact\n")
    out = rows(ex, text)
    assert [(r["echogenic_foci"], r["microcalcifications"]) for r in out] == [("", "uncertain")]


# -- echogenic foci vocabulary (lexicon 2.6) --------------------------------------------------------------------------

@pytest.mark.parametrize("words, foci, micro", [
    ("with punctate foci", "punctate", "present"),
    ("with punctiform echoes", "punctate", "present"),
    ("with a shadowing echogenic focus", "macrocalcification", "not_mentioned"),
    ("with a bright focus casting an acoustic shadow", "macrocalcification", "not_mentioned"),
    ("densely calcified", "macrocalcification", "not_mentioned"),
    ("with popcorn calcification", "macrocalcification", "not_mentioned"),
    ("with comet-like artefacts", "comet_tail", "not_mentioned"),
    ("with echoes in cola de cometa", "comet_tail", "not_mentioned"),
    ("devoid of calcification", "none", "absent"),
    ("calcific foci not seen", "none", "absent"),
    ("with punctate margins", "", "not_mentioned"),
])
def test_foci_vocabulary(ex, words, foci, micro):
    r = rows(ex, f"Right lobe: 13 mm solid isoechoic nodule {words}.")[0]
    assert (r["echogenic_foci"], r["microcalcifications"]) == (foci, micro)


def test_speech_recognition_comet_tail(ex):
    r = rows(ex, "Left lobe: 9 mm cystic nodule with echogenic foci and comment tail artefact.")[0]
    assert r["echogenic_foci"] == "comet_tail"


@pytest.mark.parametrize("words, side, position", [("Sin lob, nedre pol", "left", "lower"),
                                                   ("Dx lob, övre pol", "right", "upper")])
def test_scandinavian_place_words(ex, words, side, position):
    r = rows(ex, f"{words}: 9 mm solid nodule.")[0]
    assert (r["side"], r["position"]) == (side, position)


def test_ocr_centimetres_and_hyphenated_micro(ex):
    r = rows(ex, "Left Iobe: a 1.4 crn solid nodule with rnicro- calcifications.")[0]
    assert (r["side"], r["size_mm"], r["echogenic_foci"]) == ("left", 14.0, "punctate")


@pytest.mark.parametrize("words, foci, micro", [
    ("with calcifications (macro)", "macrocalcification", "not_mentioned"),
    ("with calcified foci showing posterior shadowing", "macrocalcification", "not_mentioned"),
    ("with fine and coarse calcifications", "macrocalcification;punctate", "present"),
    ("with macro- and microcalcifications", "macrocalcification;punctate", "present"),
    ("with both micro and macro calcifications", "macrocalcification;punctate", "present"),
    ("with no micro- or macrocalcification", "none", "absent"),
    ("without coarse or fine calcifications", "none", "absent"),
])
def test_two_kinds_of_calcification_in_one_phrase(ex, words, foci, micro):
    r = rows(ex, f"Left lobe: 16 mm solid hypoechoic nodule {words}.")[0]
    assert (r["echogenic_foci"], r["microcalcifications"]) == (foci, micro)


def test_korean_comet_tail(ex):
    assert rows(ex, "좌엽: 7 mm 혜성꼬리 인공물이 있는 낭성 결절")[0]["echogenic_foci"] == "comet_tail"


@pytest.mark.parametrize("words, normal", [
    ("EU-TIRADS 4 vs 5", "EU-TIRADS 4 vs 5"),
    ("K-TIRADS 3 or 4", "K-TIRADS 3 or 4"),
    ("C-TIRADS 4a/4b", "C-TIRADS 4A/4B"),
    ("EU-TIRADS score of 3", "EU-TIRADS 3"),
    ("ATA category: intermediate suspicion", "ATA intermediate suspicion"),
    ("high suspicion sonographic pattern (ATA)", "ATA high suspicion"),
])
def test_more_category_wording(ex, words, normal):
    assert rows(ex, f"Left lobe: 15 mm solid nodule, {words}.")[0]["stated_category"] == normal


# -- a group's category in the impression -------------------------------------------------------------------------

def test_group_category_goes_to_its_described_largest_member(ex):
    text = ("FINDINGS: Numerous spongiform nodules in both lobes; the largest, in the left mid pole, measures 12 mm.\n"
            "IMPRESSION: Multiple spongiform nodules bilaterally, ACR TI-RADS TR1.")
    out = rows(ex, text)
    assert [(r["side"], r["stated_category"]) for r in out] == [("left", "TR1")]


def test_group_category_does_not_go_to_a_nodule_of_its_own(ex):
    text = ("FINDINGS: Right lobe: 14 mm solid hypoechoic nodule.\n"
            "IMPRESSION: Several tiny cysts in the left lobe, TR1. Right nodule for FNA.")
    assert [r["stated_category"] for r in rows(ex, text)] == [""]


# -- echogenicity wording of translated and dictated reports -----------------------------------------------------

@pytest.mark.parametrize("words, echogenicity", [
    ("markedly hypoechogenic", "very_hypoechoic"),
    ("low echo", "hypoechoic"),
    ("extremely low echo", "very_hypoechoic"),
    ("echo-poor", "hypoechoic"),
    ("echo-rich", "hyperechoic"),
    ("극저에코", "very_hypoechoic"),
    ("isoecho", "isoechoic"),
    ("mixed with low-level echoes", "unspecified"),
])
def test_echogenicity_wording(ex, words, echogenicity):
    assert rows(ex, f"Left lobe: 11 mm {words} nodule.")[0]["echogenicity"] == echogenicity


@pytest.mark.parametrize("words, size", [("1,4 x 0,9 x 0,8 cm", 14.0), ("0,7 cm", 7.0), ("9,5 mm", 9.5),
                                         ("1.4 x 0.9 cm", 14.0)])
def test_decimal_comma_sizes(ex, words, size):
    assert rows(ex, f"Left lobe: solid nodule of {words}.")[0]["size_mm"] == size


def test_a_comma_list_is_not_a_decimal(ex):
    assert rows(ex, "Left lobe: solid nodule, 2,15 cm from the isthmus.")[0]["size_mm"] is None


@pytest.mark.parametrize("words, foci", [
    ("with echogenic foci showing posterior reverberation", "comet_tail"),
    ("with bright foci representing inspissated colloid", "comet_tail"),
    ("with a 5 mm calcification", "macrocalcification"),
    ("with a calcification measuring 3 mm", "macrocalcification"),
    ("with 0.5 mm calcifications", ""),
    ("with calcified walls", "rim"),
])
def test_foci_described_by_size_or_interpretation(ex, words, foci):
    assert rows(ex, f"Right lobe: 21 mm mixed isoechoic nodule {words}.")[0]["echogenic_foci"] == foci


# -- a microcalcifications key answered yes / possible; bare foci cell words ---------------------------------------

@pytest.mark.parametrize("answer, foci, micro", [
    ("yes", "punctate", "present"), ("(+)", "punctate", "present"), ("있음", "punctate", "present"),
    ("equivocal", "", "uncertain"), ("?", "", "uncertain"), ("+/-", "", "uncertain"),
    ("no", "", "absent"), ("n/a", "", "not_mentioned"),
])
def test_microcalcification_key_answers(ex, answer, foci, micro):
    text = f"Nodule 2: left mid, 9 mm\n  Composition: solid\n  Microcalcification: {answer}\n"
    r = rows(ex, text)[0]
    assert (r["echogenic_foci"], r["microcalcifications"]) == (foci, micro)


def test_a_yes_under_echogenic_foci_names_no_kind(ex):
    r = rows(ex, "Nodule 2: left mid, 9 mm\n  Composition: solid\n  Echogenic foci: yes\n")[0]
    assert (r["echogenic_foci"], r["microcalcifications"]) == ("", "not_mentioned")


@pytest.mark.parametrize("cell, foci", [("comet", "comet_tail"), ("reverb", "comet_tail"),
                                        ("shadowing", "macrocalcification"), ("dense", "macrocalcification")])
def test_bare_foci_cell_words(ex, cell, foci):
    text = f"| # | Side | Size mm | Comp | EF |\n|---|---|---|---|---|\n| 1 | R | 12 | mixed | {cell} |\n"
    assert rows(ex, text)[0]["echogenic_foci"] == foci


# -- dimensions named by their axes ---------------------------------------------------------------------------------

@pytest.mark.parametrize("words", ["AP 9 mm, TR 11 mm, CC 16 mm", "9 mm AP x 16 mm CC", "9 (AP) x 11 (TR) x 16 (CC) mm",
                                   "0.9 cm anteroposterior, 1.6 cm longitudinal"])
def test_dimensions_named_by_axes_give_the_largest(ex, words):
    assert rows(ex, f"Left lobe: a solid nodule, {words}, smooth.")[0]["size_mm"] == 16.0


def test_two_sizes_without_axes_stay_apart(ex):
    assert rows(ex, "Left lobe: a solid nodule of 9 mm, 16 mm from the isthmus.")[0]["size_mm"] == 9.0
