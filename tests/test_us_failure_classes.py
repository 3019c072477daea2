"""Ultrasound report fields for the failure classes of issue 11, in this project's own wording (several wordings per
class). Keys as in test_ultrasound_fields.py: mc, ext, clu, lat, mass, fec."""
import pytest

KEYS = {"mc": "microcalcifications", "ext": "microcalcification_extent", "clu": "microcalcification_clustered",
        "lat": "microcalcification_laterality", "mass": "mass", "fec": "focal_echogenicity_change"}

LYMPH_NODE_LINES = [
    ("Thyroid: 8 mm isoechoic nodule in the right lobe, no calcification.\n"
     "- Level IV right: 12 mm rounded node with microcalcifications and cystic change.",
     {"mc": "absent", "mass": "present"}),
    ("Neck:\n• Level III (L): abnormal node containing punctate echogenic foci\n• Level VI: nil\n"
     "Thyroid gland: homogeneous, no nodules.",
     {"mc": "not_mentioned", "mass": "absent"}),
    ("Right lobe: unremarkable.\n* left level IIa - 9 mm oval, microcalcs present, hilum lost",
     {"mc": "not_mentioned"}),
    ("Thyroid lobes normal.\n1. R IV: 14 mm, round, fine calcifications, no hilum.\n2. R III: reactive.",
     {"mc": "not_mentioned"}),
]

SURVEILLANCE = [
    ("Status post left hemithyroidectomy. The nodule with microcalcifications seen on the 2019 study has since been "
     "removed. Left thyroid bed: clear. Right lobe normal, no nodules.",
     {"mc": "not_mentioned", "mass": "absent"}),
    ("Post right lobectomy.\nRight thyroid bed: no residual lesion.\nLeft lobe: 4.1 cm, homogeneous.",
     {"mass": "absent", "mc": "not_mentioned"}),
    ("Surveillance after hemithyroidectomy. Thyroid bed clear. Contralateral lobe without nodules.",
     {"mass": "absent"}),
    ("The microcalcified left nodule described previously has since been excised. Residual right lobe: 5 mm "
     "simple cyst.",
     {"mc": "not_mentioned", "mass": "present"}),
]

HEDGES = [
    ("Bright foci in the right lobe nodule; microcalcification is not excluded.",
     {"mc": "uncertain", "lat": "right"}),
    ("Several tiny echogenic foci within the left nodule. Microcalcifications cannot be excluded.",
     {"mc": "uncertain"}),
    ("Microcalcifications in the lower pole of the right lobe may be present.",
     {"mc": "uncertain", "lat": "right"}),
    ("Punctate foci in the isthmus; these may be microcalcifications.",
     {"mc": "uncertain", "lat": "isthmus"}),
    ("Likely microcalcifications in the left nodule.", {"mc": "uncertain", "lat": "left"}),
    ("Appearances suggestive of microcalcification within the right nodule.", {"mc": "uncertain"}),
    ("Questionable fine calcifications, left upper pole.", {"mc": "uncertain", "lat": "left"}),
    # the hedge qualifies the diagnosis, not the finding
    ("Clustered microcalcifications in the right lobe, suspicious for papillary carcinoma.",
     {"mc": "present", "clu": "true"}),
    ("A cluster of microcalcifications at the left lower pole likely represents the primary tumour.",
     {"mc": "present", "clu": "true", "lat": "left"}),
    ("Microcalcifications in the right nodule, which is probably malignant.", {"mc": "present"}),
]

EXTENT = [
    ("Microcalcifications confined to the lower part of the left lobe. No mass.",
     {"mc": "present", "ext": "localized", "lat": "left"}),
    ("Microcalcifications are seen in the lower half of the right lobe.",
     {"mc": "present", "ext": "localized", "lat": "right"}),
    ("Microcalcifications in the upper third of the left lobe, no nodule.",
     {"mc": "present", "ext": "localized", "lat": "left"}),
    ("Punctate echogenic foci inside the nodule of the right lobe.",
     {"mc": "present", "ext": "localized", "lat": "right"}),
    ("Scattered microcalcifications in both lobes, with a denser cluster in the right mid lobe.",
     {"mc": "present", "ext": "diffuse", "lat": "bilateral", "clu": "true"}),
    ("Fine calcifications throughout the left lobe and the right lobe; the densest group is on the left.",
     {"mc": "present", "ext": "diffuse", "lat": "bilateral", "clu": "true"}),
    ("Right lobe nodule with microcalcifications. Left lobe nodule with microcalcifications as well.",
     {"mc": "present", "ext": "localized", "lat": "bilateral"}),
    ("Background of diffuse microcalcifications in both lobes. Clustered microcalcifications in the left lobe.",
     {"mc": "present", "ext": "diffuse", "lat": "bilateral", "clu": "true"}),
]

TEMPLATES = [
    ("Nodule 1\nlocation = right, lower third\nsize = 11 mm\ncalcs = yes, lower third\ngrouping = no",
     {"mc": "present", "lat": "right", "clu": "false", "mass": "present"}),
    ("nodules = none\ncalcification = none\nlymph nodes = normal",
     {"mc": "absent", "mass": "absent"}),
    ("Thyroid nodule 1 (left): solid, 9 mm\nMicrocalcifications = absent\nTI-RADS = 4",
     {"mc": "absent", "mass": "present"}),
    ("Nodules:\n| # | Side | Size | Calc |\n|---|---|---|---|\n| 1 | right | 12 mm | micro |\n"
     "| 2 | left | 6 mm | none |",
     {"mc": "present", "lat": "right", "mass": "present"}),
    ("Nodules:\n| Site | Size (mm) | Calcification |\n| right | 9 | none |\n| left | 7 | none |",
     {"mc": "absent", "mass": "present"}),
    ("Nodule table\nsite | size | calcifications\nleft mid | 15 mm | microcalcifications\n",
     {"mc": "present", "lat": "left", "mass": "present"}),
]

ADDENDA = [
    ("Right lobe: 8 mm hypoechoic nodule.\nADDENDUM: on re-scanning, the right lobe nodule is a pseudonodule of "
     "thyroiditis; no true nodule is present.",
     {"mass": "absent"}),
    ("Impression: microcalcifications in the left lobe.\nCorrected impression: the echogenic foci in the left lobe "
     "are colloid with comet-tail artefact; there are no microcalcifications.",
     {"mc": "absent"}),
    ("Left nodule with microcalcifications, 10 mm.\nAmended report: the foci in the left nodule are re-read as "
     "inspissated colloid, not microcalcifications.",
     {"mc": "absent", "mass": "present"}),
    ("Left lobe: 7 mm solid nodule.\nAddendum: the left nodule also contains microcalcifications.",
     {"mc": "present", "mass": "present", "lat": "left"}),
]

KOREAN = [
    ("우엽: 미세석회화 있음, 결절 없음", {"mc": "present", "lat": "right", "mass": "absent"}),
    ("Left lobe (좌엽): 저에코 결절 1.2 cm, 미세석회화 없음", {"mc": "absent", "mass": "present"}),
    ("협부에 미세석회화 noted, no nodule.", {"mc": "present", "lat": "isthmus", "mass": "absent"}),
    ("Both lobes: 석회화 없음. 결절 없음.", {"mc": "absent", "mass": "absent"}),
]

FOCAL_CHANGE = [
    ("A 10 mm hypoechoic nodule in the right lobe with microcalcifications.",
     {"mc": "present", "fec": "not_mentioned"}),
    ("Markedly hypoechoic solid nodule, left lobe, containing punctate echogenic foci.",
     {"mc": "present", "fec": "not_mentioned"}),
    ("Microcalcifications in the left lobe surrounded by a faint hypoechoic rim of parenchyma. No nodule.",
     {"mc": "present", "fec": "present", "mass": "absent"}),
    ("Scattered microcalcifications in the right lobe; the surrounding echotexture is unremarkable.",
     {"mc": "present", "fec": "absent"}),
    ("Clustered microcalcifications, right mid lobe, with no focal change in the adjacent parenchyma.",
     {"mc": "present", "fec": "absent"}),
    ("No microcalcifications. No focal echogenicity change.", {"mc": "absent", "fec": "absent"}),
    ("Hypoechoic nodule, 9 mm, left lobe. No calcification.", {"fec": "not_mentioned"}),
]

CASES = [*LYMPH_NODE_LINES, *SURVEILLANCE, *HEDGES, *EXTENT, *TEMPLATES, *ADDENDA, *KOREAN, *FOCAL_CHANGE]


@pytest.mark.parametrize("text, expected", CASES, ids=[c[0][:40] for c in CASES])
def test_failure_class(us_fields, text, expected):
    row = us_fields(text)
    got = {key: row[KEYS[key]] for key in expected}
    assert got == expected
