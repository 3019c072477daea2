"""Nodule feature failure classes of the second reading of the blind batches' misses (issue 17): echogenic foci,
microcalcifications, the stated category and the features the TI-RADS points follow. Each class is fixed as a
general rule and tested here in wording that appears in no corpus, with cases that must not fire."""
import pytest

from extractor.fields.nodules import NoduleExtractor
from extractor.knowledge.ruleset import load_ruleset


@pytest.fixture(scope="module")
def ex():
    return NoduleExtractor(load_ruleset(None))


def rows(ex, text):
    return ex.rows({"report_id": "T1", "patient_id": "P1", "text": text})


def foci(out):
    return [(r["echogenic_foci"], r["microcalcifications"]) for r in out]


# -- an addendum that corrects a feature: the corrected statement decides (contract "Amended reports") -----------

def test_addendum_correcting_the_foci_replaces_them(ex):
    text = ("FINDINGS: Left lobe, lower pole: 16 mm mixed cystic and solid nodule holding a few bright echogenic "
            "foci, thought to be microcalcifications.\n"
            "IMPRESSION: Left lower nodule with microcalcifications.\n\n"
            "ADDENDUM (3 March): After reviewing the clips, the foci in the left lower pole nodule carry large "
            "comet-tail artefacts (colloid). They are not microcalcifications.")
    out = rows(ex, text)
    assert len(out) == 1
    assert foci(out) == [("comet_tail", "absent")]


def test_banner_addendum_is_a_section_and_its_category_wins(ex):
    text = ("*** provisional read ***\n"
            "Right upper pole: 12 mm solid isoechoic nodule, wider than tall, smooth, with punctate echogenic foci. "
            "TR4?\n\n"
            "=== CONSULTANT ADDENDUM ===\n"
            "The right upper pole nodule shows comet-tail artefacts in its cystic part, not microcalcifications; the "
            "mention of punctate foci is withdrawn.\n"
            "Revised: right upper pole nodule, TR3.")
    out = rows(ex, text)
    assert len(out) == 1
    assert foci(out) == [("comet_tail", "absent")]
    assert out[0]["stated_category"] == "TR3"


def test_addendum_that_only_adds_keeps_the_first_description(ex):
    text = ("Right lobe: 14 mm solid hypoechoic nodule with punctate echogenic foci, smooth margin.\n"
            "ADDENDUM: the right nodule was discussed with the referring team; FNA booked.")
    out = rows(ex, text)
    assert foci(out) == [("punctate", "present")]
    assert out[0]["margin"] == "smooth"


def test_later_description_with_extrathyroidal_extension_raises_the_margin(ex):
    text = ("The left lobe holds a 30 mm solid hypoechoic mass with lobulated margins. The mass breaches the "
            "capsule with frank extrathyroidal extension into the strap muscles.")
    out = rows(ex, text)
    assert len(out) == 1 and out[0]["margin"] == "extrathyroidal_extension"
    # a later, lesser margin does not lower it
    out = rows(ex, "Right lobe: 22 mm solid nodule with irregular margins. Impression: right nodule, smooth "
                   "outline elsewhere.")
    assert out[0]["margin"] == "lobulated_irregular"


# -- layout: a block sentence broken over lines, a feature line under a prose nodule, a translated anchor -----------

def test_block_sentence_broken_over_two_lines(ex):
    text = ("Nodule 1 - left mid pole, 11 x 8 x 6 mm. Solid, hypoechoic, wider-than-tall, smooth outline,\n"
            "no calcification. TR4.\n"
            "Nodule 2 - right lobe, 4 mm cyst.")
    out = rows(ex, text)
    assert foci(out) == [("none", "absent"), ("", "not_mentioned")]
    assert [r["stated_category"] for r in out] == ["TR4", ""]
    # the same break inside an indented continuation line
    text = ("Nodule 1: right lower pole, 7 mm, spongiform, isoechoic, no echogenic\n"
            "      foci. TR1.")
    assert foci(rows(ex, text)) == [("none", "absent")]
    # a next line that starts a new sentence in capitals is not part of the block's sentence
    text = "Nodule 1 - left upper pole, 9 mm solid nodule,\nNo calcification in the right lobe."
    assert foci(rows(ex, text)) == [("", "not_mentioned")]


def test_microcalcification_line_under_a_prose_nodule(ex):
    text = "Lt lobe: 12 mm solid nodule, hypoechoic. Border: smooth.\nMicrocalcification (+), several."
    assert foci(rows(ex, text)) == [("punctate", "present")]
    text = "Rt lobe: 8 mm solid nodule, isoechoic.\nMicrocalcifications: none."
    assert foci(rows(ex, text)) == [("", "absent")]


def test_translated_anchor_in_parentheses_is_the_same_nodule(ex):
    out = rows(ex, "Rt lobe lower: 9 mm 등에코 결절 (isoechoic nodule), parallel, smooth - K-TIRADS 3.")
    assert len(out) == 1
    assert (out[0]["echogenicity"], out[0]["shape"], out[0]["stated_category"]) == ("isoechoic", "wider_than_tall",
                                                                                    "K-TIRADS 3")
    # two nodules named in one sentence stay two
    out = rows(ex, "Right lobe: a 9 mm solid nodule (upper pole) and a 5 mm cyst (lower pole).")
    assert len(out) == 2


# -- the stated category ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("written, normal", [
    ("TI-RADS 4 vs 5", "TR4 vs TR5"),
    ("TR3 or TR4", "TR3 or TR4"),
    ("ACR TR2-TR3", "TR2-TR3"),
    ("TIRADS 3/4", "TR3/TR4"),
    ("U3/U4", "U3/U4"),
    ("ACR 4", "TR4"),
    ("ACR category 5", "TR5"),
    ("TR 3", "TR3"),
    ("TIRADS-2", "TR2"),
    ("K-TIRADS 4", "K-TIRADS 4"),
    ("EU-TIRADS 4", "EU-TIRADS 4"),
])
def test_category_normal_forms(ex, written, normal):
    out = rows(ex, f"Left lobe: 13 mm solid isoechoic nodule, {written}.")
    assert out[0]["stated_category"] == normal


def test_points_sum_is_not_a_category(ex):
    out = rows(ex, "Right lobe: 15 mm solid isoechoic nodule, smooth. ACR TI-RADS: 2+1+0+0+0 = 3, TR3.")
    assert out[0]["stated_category"] == "TR3"
    out = rows(ex, "Right lobe: 15 mm solid isoechoic nodule. Category 4.")  # no system word: not a category
    assert out[0]["stated_category"] == ""
    out = rows(ex, "Right lobe: 15 mm solid isoechoic nodule, ACR 4 points.")
    assert out[0]["stated_category"] == ""


def test_questioned_category_yields_to_a_definite_one(ex):
    out = rows(ex, "Nodule 1 - left lower pole, 14 mm\n  Composition: solid\n  Points 6, TR4? Recounted: 8 points, TR5")
    assert out[0]["stated_category"] == "TR5"
    out = rows(ex, "Left lower pole: 14 mm solid nodule, TR4?\nIMPRESSION: left lower nodule, TR5.")
    assert out[0]["stated_category"] == "TR5"
    out = rows(ex, "Left lower pole: 14 mm solid nodule, TR4?")  # alone it is still what the report states
    assert out[0]["stated_category"] == "TR4"


def test_category_line_after_the_impression_nodule(ex):
    text = ("FINDINGS: Right lobe: 11 mm solid hypoechoic nodule, upper pole.\n"
            "IMPRESSION: 1. 11 mm right upper pole solid nodule.\nTR4 or TR5. Biopsy advised. 2. No other finding.")
    out = rows(ex, text)
    assert len(out) == 1 and out[0]["stated_category"] == "TR4 or TR5"


# -- microcalcifications: hedges, lines under a nodule, statements about every nodule -----------------------------

def test_hedged_foci_on_an_indented_line_and_a_summary_that_drops_the_hedge(ex):
    text = ("Lt. lobe mid: 1.1 cm partly cystic 결절 with a solid part, isoechoic, smooth margin.\n"
            "  Within the solid part a few minute bright foci (microcalcification 의심).\n"
            "Impression: Lt. nodule, partly cystic with PEF, K-TIRADS 4.")
    out = rows(ex, text)
    assert len(out) == 1 and foci(out) == [("", "uncertain")]
    # a summary's microcalcifications still fill a nodule the findings said nothing about
    out = rows(ex, "Lt. lobe mid: 1.1 cm solid nodule.\nImpression: Lt. nodule with PEF.")
    assert foci(out) == [("punctate", "present")]


@pytest.mark.parametrize("sentence, expected", [
    ("There are echogenic foci, suggestive microcalcifications.", ("", "uncertain")),
    ("No e/o microcalcification.", ("", "absent")),
    ("No e/o calcification.", ("none", "absent")),
    ("no 미세석회화.", ("", "absent")),
    ("The foci are not microcalcifications but colloid with comet tails.", ("comet_tail", "absent")),
    ("A few bright foci within it - microcalcifications cannot be excluded.", ("", "uncertain")),
])
def test_microcalcification_wording(ex, sentence, expected):
    out = rows(ex, f"Right lobe: 14 mm solid nodule. {sentence}")
    assert len(out) == 1 and foci(out) == [expected]


def test_hedge_on_a_finding_after_the_anchor_keeps_the_nodule(ex):
    out = rows(ex, "Right lobe: 40 mm solid hypoechoic mass - extrathyroidal extension cannot be excluded.")
    assert len(out) == 1 and out[0]["margin"] == "unspecified"
    out = rows(ex, "Right lobe: small hypoechoic nodule cannot be excluded.")  # the nodule itself is hedged
    assert out == []


def test_statement_about_every_nodule(ex):
    text = ("Right lobe: 28 mm mixed nodule with coarse calcification.\n"
            "Left lobe: 19 mm solid isoechoic nodule with rim calcification.\n"
            "Neither of these nodules shows microcalcifications.")
    assert foci(rows(ex, text)) == [("macrocalcification", "absent"), ("rim", "absent")]
    text = "Right lobe: 8 mm solid nodule.\nLeft lobe: 6 mm solid nodule.\nNo calcification in any nodule."
    assert foci(rows(ex, text)) == [("none", "absent"), ("none", "absent")]
    # a gland-wide statement still fills no nodule (contract)
    text = "Right lobe: 8 mm solid nodule.\nNo microcalcifications in either lobe."
    assert foci(rows(ex, text)) == [("", "not_mentioned")]


# -- the five ACR categories the points follow --------------------------------------------------------------------

@pytest.mark.parametrize("words, composition", [
    ("a 31 mm predominantly cystic nodule with a spongiform solid part", "mixed"),
    ("a 40 mm mixed cystic and solid nodule with a few spongiform areas", "mixed"),
    ("a 12 mm spongiform nodule", "spongiform"),
    ("a 12 mm nodule of spongiform appearance", "spongiform"),
])
def test_spongiform_part_is_not_a_spongiform_nodule(ex, words, composition):
    assert rows(ex, f"Left lobe contains {words}.")[0]["composition"] == composition


def test_acr_answer_with_its_choice_in_parentheses(ex):
    text = "Nodule 1 - right mid\n  Echogenicity: hyperechoic or isoechoic (iso)\n  Composition: solid"
    assert rows(ex, text)[0]["echogenicity"] == "isoechoic"
    text = "Nodule 1 - right mid\n  Echogenicity: hyperechoic or isoechoic (hyperechoic)"
    assert rows(ex, text)[0]["echogenicity"] == "hyperechoic"


@pytest.mark.parametrize("words, echogenicity", [
    ("R mid 1.4 cm solid iso nodule", "isoechoic"),
    ("R mid 1.4 cm hypo solid nodule", "hypoechoic"),
    ("R mid 1.4 cm isolated solid nodule", "unspecified"),
])
def test_echogenicity_shorthand_before_the_noun(ex, words, echogenicity):
    assert rows(ex, f"{words}, smooth.")[0]["echogenicity"] == echogenicity


@pytest.mark.parametrize("words, position", [
    ("Left lobe: 6 mm isoechoic solid nodule, upper, smooth.", "upper"),
    ("Left lobe: 6 mm isoechoic solid nodule, mid, no calcification.", "mid"),
    ("Left lobe: mid-lobar nodule of 12 mm, solid.", "mid"),
    ("Left lobe: lower-polar 12 mm solid nodule.", "lower"),
    ("Left lobe: 6 mm solid nodule, mid echogenicity.", "unspecified"),
])
def test_bare_pole_word_in_the_feature_list(ex, words, position):
    assert rows(ex, words)[0]["position"] == position


@pytest.mark.parametrize("words, shape", [
    ("Taller than wide: no.", "wider_than_tall"),
    ("Taller-than-wide shape: (-).", "wider_than_tall"),
    ("No taller-than-wide orientation.", "wider_than_tall"),
    ("Taller than wide: yes.", "taller_than_wide"),
])
def test_denied_taller_than_wide(ex, words, shape):
    assert rows(ex, f"Right lobe: 17 mm solid hypoechoic nodule. {words}")[0]["shape"] == shape


@pytest.mark.parametrize("words, margin", [
    ("Lobulated border. Extrathyroidal invasion: not evident.", "lobulated_irregular"),
    ("Smooth margin; ETE (-).", "smooth"),
    ("Extrathyroidal extension: present.", "extrathyroidal_extension"),
    ("Regular contours.", "smooth"),
])
def test_denied_extrathyroidal_extension(ex, words, margin):
    assert rows(ex, f"Right lobe: 30 mm solid nodule. {words}")[0]["margin"] == margin


def test_size_of_a_cluster_of_foci_is_not_the_nodule(ex):
    text = "Right lobe: 21 x 14 x 12 mm solid nodule with a cluster of punctate foci (about 8 foci within 4 mm)."
    assert rows(ex, text)[0]["size_mm"] == 21.0


def test_table_row_whose_nodule_cell_says_none(ex):
    text = ("| Side | Nodule | Size (mm) | Comp | Echo | Calc |\n|---|---|---|---|---|---|\n"
            "| R | yes | 14 | solid | iso | none |\n| L | no | - | - | - | none |\n| L | (-) | | | | |")
    out = rows(ex, text)
    assert [(r["side"], r["nodule_label"]) for r in out] == [("right", "")]


def test_compact_points_table_with_acr_letters(ex):
    text = ("| Nodule | Site | Size (mm) | C | E | S | M | EF | ACR |\n|---|---|---|---|---|---|---|---|---|\n"
            "| 1 | left upper | 17 | solid (2) | hypoechoic (2) | wider (0) | smooth (0) | none (0) | TR4 |")
    out = rows(ex, text)
    assert (out[0]["shape"], out[0]["margin"], out[0]["tirads_points"], out[0]["tirads_level"]) == \
        ("wider_than_tall", "smooth", 4, "TR4")


# -- a translated conclusion header refers back ---------------------------------------------------------------------

@pytest.mark.parametrize("header", ["Judgement", "Conclusione", "Conclusión", "Beurteilung"])
def test_translated_conclusion_header(ex, header):
    text = (f"Right lobe: 21 x 15 mm solid isoechoic nodule, oval, smooth.\nLymph nodes: none enlarged.\n"
            f"{header}: solid nodule of the right lobe, ACR TR3 (3 points).")
    out = rows(ex, text)
    assert len(out) == 1 and out[0]["stated_category"] == "TR3"
    # inside a sentence the word is no header
    out = rows(ex, f"Right lobe: 21 mm solid nodule; the {header.lower()}: pending.")
    assert out[0]["stated_category"] == ""


def test_hedged_interpretation_noun_leaves_the_description_to_the_nodule(ex):
    text = "Left lobe: 14 mm cystic nodule with bright foci\nshowing comet-tail artefacts - s/o a colloid nodule."
    out = rows(ex, text)
    assert len(out) == 1 and foci(out) == [("comet_tail", "not_mentioned")]
    # two nodules with a separator keep their own descriptions
    out = rows(ex, "Left lobe: 14 mm cystic nodule, and a 6 mm solid nodule with coarse calcification.")
    assert foci(out) == [("", "not_mentioned"), ("macrocalcification", "not_mentioned")]


# -- echogenic foci in words the rules lacked (lexicon 2.6) ---------------------------------------------------------

@pytest.mark.parametrize("words, expected", [
    ("with several hyperechoic dots without shadowing", ("punctate", "present")),
    ("with punctate hyperechogenicities", ("punctate", "present")),
    ("with microcalcific foci", ("punctate", "present")),
    ("with pinpoint calcific specks", ("punctate", "present")),
    ("with non-shadowing echogenic foci", ("punctate", "present")),
    ("with sand-like calcifications", ("punctate", "present")),
    ("with coarse echogenic foci with posterior shadowing", ("macrocalcification", "not_mentioned")),
    ("with a dystrophic calcification", ("macrocalcification", "not_mentioned")),
    ("with a calcification casting an acoustic shadow", ("macrocalcification", "not_mentioned")),
    ("with a disrupted rim calcification", ("rim", "not_mentioned")),
    ("with V-shaped echogenic foci in its cystic part", ("comet_tail", "not_mentioned")),
    ("with ring-down artefacts from colloid", ("comet_tail", "not_mentioned")),
    ("with an unqualified calcification", ("", "not_mentioned")),
])
def test_foci_wording(ex, words, expected):
    assert foci(rows(ex, f"Right lobe: 11 mm solid isoechoic nodule {words}.")) == [expected]


def test_tracheal_reverberation_is_not_a_comet_tail(ex):
    text = "Right lobe: 11 mm solid isoechoic nodule, no calcification. Minor reverberation artefact from the trachea."
    assert foci(rows(ex, text)) == [("none", "absent")]


def test_hedged_foci_versus_an_artefact(ex):
    text = "Right lobe: 11 mm solid nodule with questionable punctate foci versus ring-down artefact."
    assert foci(rows(ex, text)) == [("", "uncertain")]


@pytest.mark.parametrize("answer, expected", [
    ("Macrocalcification: none.", ("", "not_mentioned")),
    ("Macrocalcification: none. Microcalcification: none.", ("", "absent")),
    ("Rim calcification: (-).", ("", "not_mentioned")),
    ("Comet-tail artefacts: absent.", ("", "not_mentioned")),
    ("Macrocalcification: present.", ("macrocalcification", "not_mentioned")),
])
def test_template_denial_of_one_kind_of_foci(ex, answer, expected):
    # contract: "X: absent" negates its row's subject only - neither the other foci nor microcalcifications
    assert foci(rows(ex, f"Left lobe: 9 mm solid isoechoic nodule. {answer}")) == [expected]


@pytest.mark.parametrize("written, normal", [
    ("Korean TI-RADS 4", "K-TIRADS 4"),
    ("European TIRADS 5", "EU-TIRADS 5"),
    ("Chinese TI-RADS 4B", "C-TIRADS 4B"),
])
def test_other_systems_are_not_read_as_acr(ex, written, normal):
    assert rows(ex, f"Left lobe: 13 mm solid nodule. {written}.")[0]["stated_category"] == normal


# -- OCR: words split by one space -----------------------------------------------------------------------------------

def test_ocr_split_words_are_read_whole(ex):
    text = ("Clin ical history: right nod ule on palpation.\n"
            "Right lobe upper pole: 1.9 cm solid hypo echoic nod ule, well circum scribed, with com et-tail artefacts.\n"
            "Impres sion: right upper pole nodule, TR3.")
    out = rows(ex, text)
    assert len(out) == 1
    r = out[0]
    assert (r["echogenicity"], r["margin"], r["echogenic_foci"], r["stated_category"]) == \
        ("hypoechoic", "smooth", "comet_tail", "TR3")
    # the nodule's place in the text stays where the split word is
    assert text[r["start_char"]:r["start_char"] + 7] == "nod ule"
    # a space between two words of their own is left alone
    out = rows(ex, "Left lobe: 8 mm solid nodule with no calcification.")
    assert out[0]["echogenic_foci"] == "none"


# -- a label and a noun with nothing between them name one nodule; "and nodule 2" separates two ----------------------

def test_label_then_noun_is_one_nodule(ex):
    text = "#1 L mid, 2.2 cm, mixed, isoechoic.\n#2 R upper 0.5 cm simple cyst - not scored."
    out = rows(ex, text)
    assert [(r["nodule_label"], r["side"], r["size_mm"], r["composition"]) for r in out] == [
        ("#1", "left", 22.0, "mixed"), ("#2", "right", 5.0, "cystic")]


def test_and_before_a_numbered_nodule_separates_two(ex):
    out = rows(ex, "Right lobe: nodule 1 of 9 mm and nodule 2 of 12 mm, both solid.")
    assert [(r["nodule_label"], r["size_mm"]) for r in out] == [("nodule 1", 9.0), ("nodule 2", 12.0)]


# -- negations and comparisons in other words -------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Nodule 1: left lower 10 mm\n  Echogenic foci: none identified", ("none", "absent")),
    ("Nodule 1: left lower 10 mm\n  Calcification: not detected", ("none", "absent")),
    ("Left lobe: 10 mm solid nodule. Calcifications are absent.", ("none", "absent")),
    ("Left lobe: 10 mm solid nodule. Microcalcifications were not detected.", ("", "absent")),
    ("Left lobe: 10 mm solid nodule, calcification (+).", ("", "not_mentioned")),  # unqualified: not micro
])
def test_negated_foci_in_other_words(ex, text, expected):
    assert foci(rows(ex, text)) == [expected]


@pytest.mark.parametrize("words, echogenicity", [
    ("more hypoechoic than the neck muscles", "very_hypoechoic"),
    ("less echogenic than the strap muscles", "very_hypoechoic"),
    ("similar echogenicity to the surrounding thyroid tissue", "isoechoic"),
    ("less echogenic than the normal parenchyma", "hypoechoic"),
    ("echogenicity greater than the adjacent gland", "hyperechoic"),
    ("with hypoechoic areas", "unspecified"),
])
def test_echogenicity_by_comparison(ex, words, echogenicity):
    assert rows(ex, f"Left lobe: 10 mm solid nodule, {words}.")[0]["echogenicity"] == echogenicity


def test_solid_with_a_minimal_cystic_part_is_solid(ex):
    assert rows(ex, "Left lobe: 10 mm nodule, solid with trace cystic spaces.")[0]["composition"] == "solid"
    assert rows(ex, "Left lobe: 10 mm nodule, solid with a cystic portion.")[0]["composition"] == "mixed"
