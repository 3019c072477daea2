"""Nodule rows on reports written for these tests (new wording, several per layout and convention).

Each case: the report, then per nodule (side, position, size_mm, composition, echogenicity, shape, margin,
echogenic_foci, microcalcifications, tirads_points, tirads_level, stated_category); None = empty."""
import pytest

from extractor.fields.nodules import NoduleExtractor
from extractor.knowledge.ruleset import load_ruleset

FIELDS = ("side", "position", "size_mm", "composition", "echogenicity", "shape", "margin", "echogenic_foci",
          "microcalcifications", "tirads_points", "tirads_level", "stated_category")

CASES = {
    'blk1': ('US THYROID\nFINDINGS:\nNodule #1\n Location: Left lobe, upper pole\n Size: 0.7 x 0.6 x 0.9 cm\n Composition: Mixed cystic and solid (1)\n Echogenicity: Hyperechoic (1)\n Shape: Wider-than-tall (0)\n Margin: Smooth (0)\n Echogenic foci: Macrocalcifications (1)\n ACR TI-RADS: TR3 (3 points)\nNodule #2\n Location: Right lobe, lower pole\n Size: 2.8 x 1.9 x 2.0 cm\n Composition: Solid (2)\n Echogenicity: Isoechoic (1)\n Shape: Wider-than-tall (0)\n Margin: Lobulated (2)\n Echogenic foci: Peripheral rim calcification (2)\n ACR TI-RADS: TR4 (7 points)\nIMPRESSION:\n1. Nodule #2 (right lower pole, 2.8 cm) meets criteria for FNA.\n2. Nodule #1 is TR3 and below threshold.',
        [('left', 'upper', 9.0, 'mixed', 'hyperechoic', 'wider_than_tall', 'smooth', 'macrocalcification', 'absent', 3, 'TR3', 'TR3'),
         ('right', 'lower', 28.0, 'solid', 'isoechoic', 'wider_than_tall', 'lobulated_irregular', 'rim', 'absent', 7, 'TR5', 'TR4')]),
    'blk2': ('Nodule 1 - isthmus\nSize = 4 mm\nComposition = cystic\nEchogenicity = anechoic\nShape = wider than tall\nMargin = smooth\nEchogenic foci = none\nNodule 2 - right interpolar\nSize = 12 mm\nComposition = solid\nEchogenicity = very hypoechoic\nShape = taller than wide\nMargin = extrathyroidal extension\nEchogenic foci = punctate\n',
        [('isthmus', 'unspecified', 4.0, 'cystic', 'anechoic', 'wider_than_tall', 'smooth', 'none', 'absent', 0, 'TR1', ''),
         ('right', 'mid', 12.0, 'solid', 'very_hypoechoic', 'taller_than_wide', 'extrathyroidal_extension', 'punctate', 'present', 14, 'TR5', '')]),
    'tbl1': ('FINDINGS\n| Nodule | Side | Pole | Size (mm) | Composition | Echogenicity | Orientation | Margin | Foci | TR |\n| 1 | Left | Lower | 16 | solid | hypoechoic | parallel | ill-defined | none | TR4 |\n| 2 | Right | Upper | 5 | spongiform | - | - | - | - | TR1 |\nIMPRESSION: Left lower nodule TR4, 16 mm: FNA recommended.',
        [('left', 'lower', 16.0, 'solid', 'hypoechoic', 'wider_than_tall', 'ill_defined', 'none', 'absent', 4, 'TR4', 'TR4'),
         ('right', 'upper', 5.0, 'spongiform', 'unspecified', 'unspecified', 'unspecified', '', 'not_mentioned', 0, 'TR1', 'TR1')]),
    'kv1': ('Right thyroid nodule: lower pole; 1.9 cm; solid; hypoechoic; wider-than-tall; smooth; no echogenic foci. ACR TR4 (4 points).',
        [('right', 'lower', 19.0, 'solid', 'hypoechoic', 'wider_than_tall', 'smooth', 'none', 'absent', 4, 'TR4', 'TR4')]),
    'one1': ('IMPRESSION:\n1. Right upper pole nodule, 8 mm, solid hypoechoic with punctate echogenic foci, taller than wide, irregular margin: TR5 (10 points).\n2. Left mid pole 22 mm mixed cystic and solid isoechoic nodule, wider than tall, smooth, no calcifications: TR3.',
        [('right', 'upper', 8.0, 'solid', 'hypoechoic', 'taller_than_wide', 'lobulated_irregular', 'punctate', 'present', 12, 'TR5', 'TR5'),
         ('left', 'mid', 22.0, 'mixed', 'isoechoic', 'wider_than_tall', 'smooth', 'none', 'absent', 2, 'TR2', 'TR3')]),
    'prose1': ('FINDINGS: The right lobe measures 4.9 x 1.7 x 1.6 cm and contains two nodules: a 1.1 cm solid isoechoic nodule in the upper pole and a 0.6 cm cyst in the lower pole. The left lobe measures 4.5 x 1.5 x 1.4 cm with a 2.3 cm heterogeneous mixed solid and cystic nodule at the mid pole, which contains coarse calcifications. No lymphadenopathy.\nIMPRESSION: Bilateral thyroid nodules. The left mid nodule is the largest (2.3 cm, TR3).',
        [('right', 'upper', 11.0, 'solid', 'isoechoic', 'unspecified', 'unspecified', '', 'not_mentioned', None, '', ''),
         ('right', 'lower', 6.0, 'cystic', 'unspecified', 'unspecified', 'unspecified', '', 'not_mentioned', None, '', ''),
         ('left', 'mid', 23.0, 'mixed', 'unspecified', 'unspecified', 'unspecified', 'macrocalcification', 'not_mentioned', None, '', 'TR3')]),
    'prose2': ('Findings: Right lobe: normal. Left lobe: there is a 15 mm solid, markedly hypoechoic nodule with spiculated margins in the lower third, taller than wide, with microcalcifications; it abuts the capsule without definite extrathyroidal extension.\nImpression: Highly suspicious left lower nodule (EU-TIRADS 5).',
        [('left', 'lower', 15.0, 'solid', 'very_hypoechoic', 'taller_than_wide', 'lobulated_irregular', 'punctate', 'present', 13, 'TR5', 'EU-TIRADS 5')]),
    'prose3': ('Thyroid ultrasound. Both lobes show multiple subcentimetre cysts. In the left lobe there is also a 1.4 cm solid hypoechoic nodule with smooth margins. No calcifications are seen in the nodule.\nConclusion: Left 1.4 cm solid nodule, K-TIRADS 4. Multiple small cysts.',
        [('left', 'unspecified', 14.0, 'solid', 'hypoechoic', 'unspecified', 'smooth', 'none', 'absent', None, '', 'K-TIRADS 4')]),
    'kor1': ('갑상선 초음파\n좌엽 상극에 0.9 cm 크기의 고형 저에코 결절이 있으며 경계는 불규칙하고 미세석회화가 동반됨. 우엽에는 결절 없음.\n결론: 좌엽 결절, K-TIRADS 5. FNA 권고.',
        [('left', 'upper', 9.0, 'solid', 'hypoechoic', 'unspecified', 'lobulated_irregular', 'punctate', 'present', None, '', 'K-TIRADS 5')]),
    'kor2': ('Thyroid US\nRt. lobe 하극: 1.6 cm 등에코 고형 결절, smooth margin, 석회화 없음.\nLt. lobe: 0.4 cm 낭종.\nImpression: Rt. lower nodule K-TIRADS 3.',
        [('right', 'lower', 16.0, 'solid', 'isoechoic', 'unspecified', 'smooth', 'none', 'absent', None, '', 'K-TIRADS 3'),
         ('left', 'unspecified', 4.0, 'cystic', 'unspecified', 'unspecified', 'unspecified', '', 'not_mentioned', None, '', '')]),
    'ref1': ('FINDINGS: In the left lobe there is a dominant 3.1 cm solid isoechoic nodule in the mid pole, and a 6 mm solid hypoechoic nodule in the upper pole with punctate echogenic foci. The right lobe has a 4 mm cyst.\nIMPRESSION: The dominant left nodule is TR3. The small left upper pole nodule with punctate foci is TR5 and should be biopsied.',
        [('left', 'mid', 31.0, 'solid', 'isoechoic', 'unspecified', 'unspecified', '', 'not_mentioned', None, '', 'TR3'),
         ('left', 'upper', 6.0, 'solid', 'hypoechoic', 'unspecified', 'unspecified', 'punctate', 'present', None, '', 'TR5'),
         ('right', 'unspecified', 4.0, 'cystic', 'unspecified', 'unspecified', 'unspecified', '', 'not_mentioned', None, '', '')]),
    'neg1': ('FINDINGS: No thyroid nodules. Right level III lymph node 1.2 cm with microcalcifications.\nIMPRESSION: No thyroid nodule; suspicious right level III node.',
        []),
    'hist1': ('COMPARISON: 2021 study showed a 9 mm left nodule.\nFINDINGS: The previously seen left nodule is no longer visualized. Right lobe unremarkable.\nIMPRESSION: Resolution of the left nodule.',
        []),
    'add1': ('FINDINGS: Nodule 1: right lobe, mid, 10 mm, solid, isoechoic. Nodule 2: left lobe, lower, 7 mm, solid, hypoechoic.\nIMPRESSION: Two nodules, TR3 and TR4.\nADDENDUM: Nodule 2 was reported in error; it represents a prominent lymph node. Disregard.',
        [('right', 'mid', 10.0, 'solid', 'isoechoic', 'unspecified', 'unspecified', '', 'not_mentioned', None, '', '')]),
    'q1': ('FINDINGS: Questionable 4 mm hypoechoic area in the right lobe, possibly a nodule vs. focal thyroiditis. Left lobe: 1.0 cm spongiform nodule.\nIMPRESSION: Left spongiform nodule (TR1).',
        [('left', 'unspecified', 10.0, 'spongiform', 'unspecified', 'unspecified', 'unspecified', '', 'not_mentioned', 0, 'TR1', 'TR1')]),
    'grp1': ('FINDINGS: Multinodular goitre. Innumerable nodules throughout both lobes, the largest in the right lower pole measuring 3.4 cm, solid and isoechoic.\nIMPRESSION: Multinodular goitre. FNA of the dominant right lower pole nodule.',
        [('right', 'lower', 34.0, 'solid', 'isoechoic', 'unspecified', 'unspecified', '', 'not_mentioned', None, '', '')]),
    'ata1': ('Findings: Left lobe upper pole 1.2 cm solid hypoechoic nodule with microcalcifications. ATA high suspicion pattern.',
        [('left', 'upper', 12.0, 'solid', 'hypoechoic', 'unspecified', 'unspecified', 'punctate', 'present', None, '', 'ATA high suspicion')]),
    'u1': ('Findings: Right lobe 18 mm nodule, solid, hyperechoic, with a halo. U2.',
        [('right', 'unspecified', 18.0, 'solid', 'hyperechoic', 'unspecified', 'unspecified', '', 'not_mentioned', None, '', 'U2')]),
    'vs1': ('Findings: Right mid 9 mm solid hypoechoic nodule with possible microcalcifications. TR4 vs TR5.',
        [('right', 'mid', 9.0, 'solid', 'hypoechoic', 'unspecified', 'unspecified', '', 'uncertain', None, '', 'TR4 vs TR5')]),
    'na1': ('Nodule 1:\n Location: left lobe, mid\n Size: 1.0 cm\n Composition: n/a\n TI-RADS: n/a',
        [('left', 'mid', 10.0, 'unspecified', 'unspecified', 'unspecified', 'unspecified', '', 'not_mentioned', None, '', '')]),
    'b2a': ('ULTRASOUND THYROID\nFindings:\nRight lobe: 4.4 x 1.3 x 1.2 cm. A well-circumscribed 7 mm isoechoic solid nodule is seen in the inferior pole.\nLeft lobe: 4.6 x 1.4 x 1.5 cm. A 13 x 9 x 11 mm predominantly solid nodule with a small cystic component is present in the superior pole; it is hypoechoic and taller-than-wide, with an irregular margin and several punctate echogenic foci.\nIsthmus: 3 mm. No nodules.\nImpression:\n1. Left superior pole nodule, ACR TI-RADS 5: recommend FNA.\n2. Right inferior pole nodule, 7 mm: no follow-up needed.',
        [('right', 'lower', 7.0, 'solid', 'isoechoic', 'unspecified', 'smooth', '', 'not_mentioned', None, '', ''),
         ('left', 'upper', 13.0, 'mixed', 'hypoechoic', 'taller_than_wide', 'lobulated_irregular', 'punctate', 'present', 11, 'TR5', 'TR5')]),
    'b2b': ('THYROID US\nRight: 1.0 cm cyst with layering debris, upper pole. Left: unremarkable.\nImpression: simple right cyst, benign.',
        [('right', 'upper', 10.0, 'cystic', 'unspecified', 'unspecified', 'unspecified', '', 'not_mentioned', None, '', '')]),
    'b2c': ('Report: There is a solitary nodule in the left lobe measuring 2.5 cm. It is solid and isoechoic with a thin hypoechoic halo. No calcification. Shape is wider than tall and the margin is smooth.\nConclusion: Left thyroid nodule, TR3.',
        [('left', 'unspecified', 25.0, 'solid', 'isoechoic', 'wider_than_tall', 'smooth', 'none', 'absent', 3, 'TR3', 'TR3')]),
    'b2d': ('Thyroid US\nRt. lobe: 1.2 x 0.9 cm ill-defined, markedly hypoechoic solid nodule at upper pole with microcalcification, nonparallel orientation. K-TIRADS 5.\nLt. lobe: 0.5 cm isoechoic nodule, mid portion, K-TIRADS 3.\nConclusion:\n1. Rt. upper nodule, K-TIRADS 5. FNA recommended.\n2. Lt. mid nodule, K-TIRADS 3.',
        [('right', 'upper', 12.0, 'solid', 'very_hypoechoic', 'taller_than_wide', 'ill_defined', 'punctate', 'present', 11, 'TR5', 'K-TIRADS 5'),
         ('left', 'mid', 5.0, 'unspecified', 'isoechoic', 'unspecified', 'unspecified', '', 'not_mentioned', None, '', 'K-TIRADS 3')]),
    'b2e': ('FINDINGS: \nNodule A: left mid, 1.5 cm, spongiform, TR1.\nNodule B: right lower, 0.8 cm, solid hypoechoic, smooth, wider than tall, no echogenic foci, TR4 (4 points).',
        [('left', 'mid', 15.0, 'spongiform', 'unspecified', 'unspecified', 'unspecified', '', 'not_mentioned', 0, 'TR1', 'TR1'),
         ('right', 'lower', 8.0, 'solid', 'hypoechoic', 'wider_than_tall', 'smooth', 'none', 'absent', 4, 'TR4', 'TR4')]),
    'b2f': ('US neck: previously noted right thyroid cyst has been aspirated and is no longer seen. A new 6 mm hypoechoic solid nodule is present in the left upper pole.',
        [('left', 'upper', 6.0, 'solid', 'hypoechoic', 'unspecified', 'unspecified', '', 'not_mentioned', None, '', '')]),
    'b2g': ('Findings: The isthmus contains a 9 mm hypoechoic nodule with peripheral eggshell calcification. Both lobes are normal in size and echotexture with no focal lesion.',
        [('isthmus', 'unspecified', 9.0, 'unspecified', 'hypoechoic', 'unspecified', 'unspecified', 'rim', 'not_mentioned', None, '', '')]),
    'b2h': ('Thyroid: heterogeneous, consistent with Hashimoto thyroiditis. Several pseudonodules noted bilaterally. No discrete nodule.',
        []),
    'b2i': ('IMPRESSION: 3.2 cm right thyroid mass with extrathyroidal extension into the strap muscles, concerning for malignancy.',
        [('right', 'unspecified', 32.0, 'unspecified', 'unspecified', 'unspecified', 'extrathyroidal_extension', '', 'not_mentioned', None, '', '')]),
    'b2j': ('FINDINGS: Left lower pole: 11 mm mixed nodule (50% cystic), isoechoic solid part, smooth. Echogenic foci: comet-tail artefacts in the cystic part only.\nIMPRESSION: Left lower pole nodule, TR2.',
        [('left', 'lower', 11.0, 'mixed', 'isoechoic', 'unspecified', 'smooth', 'comet_tail', 'not_mentioned', None, '', 'TR2')]),
    'c1': ('FINDINGS:\nNodule 1 (right lower pole): 1.2 cm, solid, hypoechoic, wider-than-tall, smooth margins, no echogenic foci. ACR TI-RADS score 4 points (TR4).\nNodule 2 (left upper pole): 0.6-cm cyst.',
        [('right', 'lower', 12.0, 'solid', 'hypoechoic', 'wider_than_tall', 'smooth', 'none', 'absent', 4, 'TR4', 'TR4'),
         ('left', 'upper', 6.0, 'cystic', 'unspecified', 'unspecified', 'unspecified', '', 'not_mentioned', None, '', '')]),
    'c2': ('FINDINGS:\n1. Right lobe, upper pole: 8 mm solid hypoechoic nodule with punctate echogenic foci.\n2. Left lobe, mid: 1.0-cm spongiform nodule.\nIMPRESSION: Right upper pole nodule TI-RADS category 5.',
        [('right', 'upper', 8.0, 'solid', 'hypoechoic', 'unspecified', 'unspecified', 'punctate', 'present', None, '', 'TR5'),
         ('left', 'mid', 10.0, 'spongiform', 'unspecified', 'unspecified', 'unspecified', '', 'not_mentioned', 0, 'TR1', '')]),
    'c3': ('The left lobe contains a nodule measuring 1.2cm x 0.8cm x 1.0cm, which is solid and isoechoic with macrocalcification and punctate echogenic foci. TR 4.',
        [('left', 'unspecified', 12.0, 'solid', 'isoechoic', 'unspecified', 'unspecified', 'macrocalcification;punctate', 'present', None, '', 'TR4')]),
    'c4': ('Right lobe: nodule at the lower pole measuring 2.0 x 1.1 x 1.5 cm (previously 1.6 x 1.0 x 1.2 cm on 2022-03-01), solid, hypoechoic, ill-defined margin.\nLeft lobe: subcentimeter cyst.\nImpression: Interval growth of the right lower pole nodule, now 2.0 cm. FNA.',
        [('right', 'lower', 20.0, 'solid', 'hypoechoic', 'unspecified', 'ill_defined', '', 'not_mentioned', None, '', ''),
         ('left', 'unspecified', None, 'cystic', 'unspecified', 'unspecified', 'unspecified', '', 'not_mentioned', None, '', '')]),
    'c5': ('Findings: Within the right lobe mid portion is a 14 x 10 x 9 mm solid nodule that is hypoechoic relative to the strap muscles, taller than wide, with lobulated margins and no calcifications.\nImpression: TR5 right mid nodule.',
        # ACR TI-RADS: very hypoechoic = hypoechoic relative to the strap muscles (echogenicity.tsv nec-016)
        [('right', 'mid', 14.0, 'solid', 'very_hypoechoic', 'taller_than_wide', 'lobulated_irregular', 'none', 'absent', 10, 'TR5', 'TR5')]),
    'd1': ('FINDINGS:\nRIGHT LOBE: 4.8 x 1.6 x 1.5 cm.\n - 1.2 cm solid hypoechoic nodule, upper pole, smooth.\n - 0.5 cm anechoic cyst, lower pole.\nLEFT LOBE: 4.5 x 1.5 x 1.4 cm. No nodules.\nIMPRESSION:\nNodule 1: TR4. Nodule 2: TR1.',
        [('right', 'upper', 12.0, 'solid', 'hypoechoic', 'unspecified', 'smooth', '', 'not_mentioned', None, '', 'TR4'),
         ('right', 'lower', 5.0, 'cystic', 'anechoic', 'unspecified', 'unspecified', '', 'not_mentioned', None, '', 'TR1')]),
    'd2': ('Dominant nodule:\n  Site: left lobe, lower pole\n  Size: 25 mm\n  Composition: Solid (2 pts)\n  Echogenicity: Isoechoic (1 pt)\n  Shape: Wider than tall (0)\n  Margin: Ill-defined (0)\n  Calcifications: Rim (2)\n  TIRADS: TR4\nOther: small colloid cysts bilaterally, the largest 3 mm in the right lobe.',
        [('left', 'lower', 25.0, 'solid', 'isoechoic', 'wider_than_tall', 'ill_defined', 'rim', 'absent', 5, 'TR4', 'TR4')]),
    'd3': ('Ultrasound thyroid\nFindings: In the right lobe, there is a well defined, iso-echoic, solid nodule measuring 21 x 15 mm with a smooth halo and no calcification, appearances consistent with a benign nodule (U2). The left lobe contains a 6 mm simple cyst (U2).\nConclusion: U2 nodules bilaterally. No FNA.',
        [('right', 'unspecified', 21.0, 'solid', 'isoechoic', 'unspecified', 'smooth', 'none', 'absent', None, '', 'U2'),
         ('left', 'unspecified', 6.0, 'cystic', 'unspecified', 'unspecified', 'unspecified', '', 'not_mentioned', None, '', 'U2')]),
    'd4': ('Lt. lobe: 0.7 x 0.5 cm hypoechoic nodule with microcalcification at mid portion, taller-than-wide. \nRt. lobe: 0.4 cm spongiform nodule.\nConclusion:\n1. Lt. mid nodule, K-TIRADS 5. US-FNA recommended.\n2. Rt. spongiform nodule, K-TIRADS 2.',
        [('left', 'mid', 7.0, 'unspecified', 'hypoechoic', 'taller_than_wide', 'unspecified', 'punctate', 'present', None, '', 'K-TIRADS 5'),
         ('right', 'unspecified', 4.0, 'spongiform', 'unspecified', 'unspecified', 'unspecified', '', 'not_mentioned', 0, 'TR1', 'K-TIRADS 2')]),
}


@pytest.fixture(scope="module")
def ex():
    return NoduleExtractor(load_ruleset(None))


@pytest.mark.parametrize("name", sorted(CASES))
def test_report(ex, name):
    text, expected = CASES[name]
    rows = ex.rows({"report_id": name, "patient_id": "P", "text": text})
    got = [tuple(None if (r[f] is None or r[f] != r[f]) else r[f] for f in FIELDS) for r in rows]
    assert got == expected
