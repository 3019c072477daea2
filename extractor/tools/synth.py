"""Seeded synthetic corpus: thyroid ultrasound, FNA cytology, surgical pathology and a few other reports per patient.

Made for scale tests and benchmarks, never for accuracy claims: the wording is combinatorial (phrases, numbers,
sides, styles and the look-alike traps of corpora/sample/ - diffuse microcalcifications only, clusters, comet-tail
artefact, lymph-node calcification, eggshell rims, negations, comparisons, hedges), so that a tokenizer cache or a
repeated sentence cannot flatter a speed figure. A patient follows a plausible course: ultrasound -> (FNA ->
(surgery)) with increasing dates. Deterministic: the same ``patients`` and ``seed`` give the same rows, and the
first N patients of a larger corpus are the N-patient corpus. No spaCy here.
"""
from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pandas as pd

COLUMNS = ["report_id", "patient_id", "report_date", "report_type", "text"]
_EPOCH = dt.date(2014, 1, 1)


class _Gen:
    """One patient's random choices (a thin layer over random.Random with report-writing helpers)."""

    def __init__(self, rng: random.Random):
        self.r = rng

    def p(self, *options):
        return self.r.choice(options)

    def yes(self, probability: float) -> bool:
        return self.r.random() < probability

    def cm(self, lo=0.3, hi=3.5) -> str:
        return f"{self.r.uniform(lo, hi):.1f}"

    def dims(self, lo=0.3, hi=3.0, unit="cm") -> str:
        if unit == "mm":
            return " x ".join(str(self.r.randint(int(lo * 10), int(hi * 10))) for _ in range(self.r.choice((2, 3)))) + " mm"
        return " x ".join(self.cm(lo, hi) for _ in range(3)) + " cm"

    def lobe_dims(self) -> str:
        return f"{self.cm(3.8, 6.4)} x {self.cm(1.3, 2.7)} x {self.cm(1.2, 2.5)} cm"

    def side(self) -> str:
        return self.p("right", "left")

    def short_side(self, side: str) -> str:
        return {"right": self.p("Rt.", "Rt", "R", "right"), "left": self.p("Lt.", "Lt", "L", "left")}[side]

    def pole(self) -> str:
        return self.p("upper pole", "lower pole", "mid portion", "mid", "interpolar region", "lateral aspect")


def _extras(g: _Gen, pool: tuple, lo: int, hi: int) -> str:
    """lo..hi distinct filler sentences from ``pool`` (each a template with {n}, {cm}, {side} and {date})."""
    picked = g.r.sample(pool, g.r.randint(lo, min(hi, len(pool))))
    return " ".join(t.format(n=g.r.randint(2, 9), cm=g.cm(0.3, 2.5), side=g.side(), date=f"20{g.r.randint(10, 23)}-{g.r.randint(1, 12):02d}-{g.r.randint(1, 28):02d}")
                    for t in picked)


_US_EXTRAS = (
    "Vascularity is {side} predominant but within normal limits.", "No abnormal vascularity on colour Doppler.",
    "The trachea is midline.", "Both common carotid arteries are unremarkable.", "Parathyroid glands are not seen.",
    "Submandibular glands are normal.", "Prior study from {date} was reviewed for comparison.",
    "Images were obtained with a {n} MHz linear transducer.", "The patient tolerated the examination well.",
    "Right lobe volume about {n} mL; left lobe volume about {n} mL.", "A {cm} cm simple cyst is incidentally noted.",
    "Level VI is clear.", "The strap muscles are normal.", "Findings were discussed with the referring physician.",
)
_CYTO_EXTRAS = (
    "{n} air-dried and {n} alcohol-fixed smears received.", "A cell block was prepared.", "ThinPrep slide reviewed.",
    "Rapid on-site evaluation: adequate.", "Aspiration performed by the radiologist under ultrasound guidance.",
    "Clinical information: nodule {cm} cm on ultrasound.", "Specimen received in CytoLyt.",
    "Correlation with imaging is recommended.", "Reviewed by a second cytopathologist.", "Colloid is scant.",
    "Macrophages are present in moderate numbers.", "The findings were communicated to the clinical team.",
)
_SP_EXTRAS = (
    "Frozen section: deferred to permanents.", "Ischaemic time less than {n} hours.", "Immunohistochemistry: TTF-1 positive.",
    "{n} parathyroid gland(s) identified, unremarkable.", "Additional levels examined.", "Cassettes A1-A{n} submitted.",
    "Fixation time {n} hours in formalin.", "The capsule is intact where sampled.", "Case reviewed at the tumour board on {date}.",
    "Specimen received in formalin labelled with the patient's name.", "A {cm} cm separate nodule is benign.",
)


# -- ultrasound --------------------------------------------------------------------------------------------------
_MC = ("microcalcifications", "microcalcification", "micro-calcifications", "punctate echogenic foci",
       "tiny punctate echogenic foci", "punctate microcalcifications", "fine calcifications", "stippled calcifications")
_SCENARIOS = ("dmo", "clustered", "nodule_mc", "nodule_no_mc", "comet", "normal", "dtd", "eggshell", "macro",
              "uncertain", "lymph_node", "followup_gone")


def _finding(g: _Gen, scenario: str, side: str) -> tuple[str, str]:
    """(finding sentence(s), impression phrase) for one lobe."""
    s = g.short_side(side)
    size = g.cm(0.4, 3.2)
    mm = g.r.randint(4, 28)
    mc = g.p(*_MC)
    if scenario == "dmo":
        return (f"{g.p('Innumerable', 'Multiple', 'Numerous', 'Countless')} {mc} {g.p('scattered throughout', 'diffusely distributed in', 'throughout', 'involving most of')} the {side} lobe "
                f"{g.p('without discrete mass', 'with no definable nodule', 'without a focal lesion')}."
                + (f" The foci are {g.p('densely concentrated', 'aggregated', 'most dense')} at the {g.pole()} (approx. {g.cm(0.5, 1.5)} cm area)." if g.yes(0.5) else ""),
                f"Diffuse {mc} only in {s} lobe, {g.p('r/o DSV of PTC', 'diffuse sclerosing variant to be excluded', 'suspicious')}")
    if scenario == "clustered":
        return (f"{g.p('Clustered', 'A cluster of', 'Grouped', 'Aggregated')} {mc} at the {side} {g.pole()}, approx. {mm} mm in extent, "
                f"{g.p('without associated mass', 'with no discrete nodule', 'without a mass')}"
                + g.p(", with subtle focal hypoechoic change around them.", ". No focal hypoechoic area around them.", "."),
                f"Clustered {mc} in the {side} lobe without mass. {g.p('K-TIRADS 4', 'TR4', 'EU-TIRADS 4')}")
    if scenario == "nodule_mc":
        return (f"{g.p('A', 'There is a', 'One')} {size} cm {g.p('solid', 'solid hypoechoic', 'markedly hypoechoic', 'taller-than-wide solid')} nodule at the {side} {g.pole()} "
                f"with {g.p('ill-defined', 'irregular', 'spiculated', 'microlobulated')} margins and {g.p('internal', 'multiple', 'a few')} {mc}.",
                f"{s} {g.pole()} nodule {size} cm with {mc}. {g.p('K-TIRADS 5', 'TR5', 'U5', 'EU-TIRADS 5')}. {g.p('FNA recommended.', 'US-FNA advised.', 'Biopsy suggested.')}")
    if scenario == "nodule_no_mc":
        return (f"{g.p('A', 'There is a', 'Well-defined')} {size} cm {g.p('isoechoic', 'mixed cystic and solid', 'spongiform', 'hyperechoic', 'partially cystic')} nodule in the {side} {g.pole()}, "
                f"{g.p('without microcalcification', 'with no calcification', 'no echogenic foci', 'without suspicious features')}.",
                f"{g.p('Benign-appearing', 'Probably benign', 'Low suspicion')} {s} nodule, {g.p('K-TIRADS 3', 'TR2', 'TR3', 'U2')}")
    if scenario == "comet":
        return (f"{g.p('A', 'One')} {size} cm {g.p('cystic', 'spongiform', 'colloid', 'mixed')} nodule in the {side} lobe with "
                f"{g.p('echogenic foci with comet-tail artifact', 'large comet-tail artifacts', 'inspissated colloid', 'colloid crystals with ring-down artifact')}.",
                f"{g.p('Colloid', 'Benign')} nodule {s} lobe, {g.p('TR1', 'K-TIRADS 2', 'U2')}")
    if scenario == "dtd":
        return (f"{g.p('Diffusely heterogeneous', 'Coarse', 'Mildly heterogeneous')} parenchymal echotexture{g.p(' with echogenic septations', '', ' and pseudonodular hypoechoic areas')}. "
                f"{g.p('No nodule.', 'No true nodule.', 'No focal lesion.')}",
                g.p("Diffuse thyroid disease, c/w chronic thyroiditis", "DTD (Hashimoto)", "Sonographic changes of thyroiditis"))
    if scenario == "eggshell":
        return (f"{size} cm nodule at the {side} {g.pole()} with {g.p('complete eggshell calcification', 'peripheral rim calcification', 'coarse calcification and posterior shadowing')}.",
                f"{s} nodule with {g.p('rim', 'eggshell', 'coarse')} calcification, {g.p('U3', 'TR4', 'K-TIRADS 4')}")
    if scenario == "macro":
        return (f"{g.p('A coarse calcification', 'Macrocalcification', 'Dense calcification with posterior acoustic shadowing')} in the {side} lobe, {mm} mm.",
                f"{g.p('Macrocalcification', 'Coarse calcification')} {s} lobe, {g.p('benign appearing', 'indeterminate')}")
    if scenario == "uncertain":
        return (f"{g.p('New tiny echogenic foci', 'A few tiny bright foci', 'Faint echogenic dots')} at the {side} {g.pole()}, "
                f"{g.p('possibly microcalcifications', 'cannot exclude microcalcification', 'questionable microcalcifications')}. No discrete nodule is seen.",
                f"{g.p('Indeterminate', 'Equivocal')} echogenic foci {s} lobe; {g.p('FU US in 6 months', 'FNA or follow-up', 'short-interval follow-up')}")
    if scenario == "lymph_node":
        return (f"{g.p('No nodule in the thyroid.', 'Thyroid parenchyma homogeneous.')} "
                f"{g.p('Enlarged round', 'Suspicious', 'Cystic')} {side} level {g.p('III', 'IV', 'VI', 'II-IV')} lymph nodes with {g.p('internal microcalcifications', 'punctate calcifications', 'loss of fatty hilum and microcalcifications')}, the largest {g.cm(0.8, 2.4)} cm.",
                f"Suspicious {side} cervical lymph nodes; {g.p('FNA of node recommended', 'occult primary to be excluded')}")
    if scenario == "followup_gone":
        return (f"Previously noted {g.p('microcalcifications', 'punctate echogenic foci', 'calcifications')} in the {side} lobe are no longer seen. "
                f"{g.p('No nodule.', 'Stable appearance otherwise.')}",
                f"{g.p('Resolution', 'Interval disappearance')} of {side} lobe echogenic foci")
    return (f"{g.p('Normal size and echotexture.', 'Homogeneous parenchyma.', 'Unremarkable.')} {g.p('No nodule.', 'No focal lesion.', 'No calcification.')}",
            g.p("Normal thyroid", "No thyroid nodule", "Unremarkable thyroid"))


def _us_style_korean(g, findings, other, history):
    lines = [g.p("THYROID US", "Thyroid US", "US Thyroid", "Thyroid ultrasonography")]
    if history:
        lines.append(f"{g.p('Compared with', 'Comparison:')} {history}.")
    if g.yes(0.4):
        lines.append(g.p("Diffuse thyroid disease.", "No diffuse thyroid disease.", "Mildly heterogeneous parenchymal echogenicity."))
    for side, (finding, _) in findings:
        lines.append(f"{g.short_side(side).capitalize()} lobe: {finding}")
    lines.append(f"{g.p('Isthmus', 'Isthmus and other lobe')}: {g.p('unremarkable', 'normal', 'no focal lesion')}.")
    lines.append(g.p("No suspicious LN.", "LN: a few oval nodes with preserved fatty hilum.", "No abnormal LN in both necks."))
    impression = "; ".join(i for _, (_, i) in findings)
    lines.append(f"{g.p('Conclusion', 'Impression')}: {impression}.")
    return "\n".join(lines + other)


def _us_style_structured(g, findings, other, history):
    lines = [g.p("EXAM: US THYROID", "US NECK / THYROID", "THYROID ULTRASOUND"),
             f"{g.p('CLINICAL HISTORY', 'HISTORY', 'INDICATION')}: {g.r.randint(19, 82)}-year-old {g.p('woman', 'man', 'patient')} with "
             f"{g.p('a palpable nodule', 'abnormal TFTs', 'neck fullness', 'Hashimoto thyroiditis', 'incidental nodule on CT')}.",
             f"TECHNIQUE: {g.p('Grey-scale and colour Doppler sonography', 'High-frequency linear transducer; grey-scale and Doppler', 'Transverse and longitudinal images')}.",
             f"COMPARISON: {history or g.p('None.', 'None available.')}",
             "FINDINGS:"]
    sides = dict(findings)
    for side in ("right", "left"):
        text = sides[side][0] if side in sides else g.p("No nodules.", "Normal echotexture. No nodule.", "Unremarkable.")
        lines.append(f"{side.upper()} LOBE: {g.lobe_dims()}. {text}")
    lines.append(f"ISTHMUS: {g.cm(0.2, 0.7)} cm.")
    lines.append(f"LYMPH NODES: {g.p('No pathologic adenopathy.', 'Small reactive-appearing level VI nodes.', 'Unremarkable.')}")
    lines.append("IMPRESSION:")
    lines += [f"{i}. {imp}." for i, (_, (_, imp)) in enumerate(findings, start=1)]
    return "\n".join(lines + other)


def _us_style_tirads(g, findings, other, history):
    lines = [g.p("THYROID ULTRASOUND - ACR TI-RADS", "US THYROID (TI-RADS)"),
             f"Indication: {g.p('palpable neck fullness', 'nodule follow-up', 'dysphagia', 'incidental nodule')}.",
             f"Right lobe {g.lobe_dims()}. Left lobe {g.lobe_dims()}. Isthmus {g.cm(0.2, 0.6)} cm.", ""]
    for n, (side, (finding, _)) in enumerate(findings, start=1):
        foci = g.p("punctate echogenic foci (3)", "none (0)", "large comet-tail artifacts (0)", "macrocalcifications (1)", "peripheral rim calcifications (2)")
        lines += [f"Nodule {n}", f"  Location: {side} lobe, {g.pole()}", f"  Size: {g.dims(0.4, 3.0)}",
                  f"  Composition: {g.p('solid (2)', 'mixed cystic and solid (1)', 'spongiform (0)')}",
                  f"  Echogenicity: {g.p('very hypoechoic (3)', 'hypoechoic (2)', 'isoechoic (1)')}",
                  f"  Echogenic foci: {foci}", f"  Total: {g.r.randint(0, 12)} points - TR{g.r.randint(1, 5)}",
                  f"  Comment: {finding}"]
    lines += ["", f"Cervical lymph nodes: {g.p('no abnormal lymph nodes.', 'normal.')}", "IMPRESSION:"]
    lines += [f"{i}. {imp}." for i, (_, (_, imp)) in enumerate(findings, start=1)]
    return "\n".join(lines + other)


def _us_style_uk(g, findings, other, history):
    body = " ".join(f"In the {side} lobe: {finding}" for side, (finding, _) in findings)
    return "\n".join([
        g.p("Ultrasound thyroid", "Ultrasound neck", "US thyroid"),
        f"Clinical details: {g.p('Neck swelling', 'Known thyroid nodule', 'Left neck lump', 'Goitre')}{g.p(', right side.', '.', ', follow up.')}",
        f"{g.p('Findings', 'Report')}: {body} {g.p('No cervical lymphadenopathy.', 'No abnormal cervical lymph nodes.')}",
        f"Conclusion: {'. '.join(i for _, (_, i) in findings)}.",
    ] + other)


def _us_style_informal(g, findings, other, history):
    lines = [g.p("thyroid sono ordered for abnl TFTs", "US thyroid -- pt referred by GP", "thyroid us, f/u")]
    for side, (finding, _) in findings:
        lines.append(f"{g.short_side(side)} lobe: {finding.lower()}")
    lines.append(f"isthmus nml.    {g.p('no LAD.', 'nodes normal.')}")
    lines.append("impression -")
    lines += [f" * {imp.lower()}" for _, (_, imp) in findings]
    lines.append(f" * {g.p('suggest f/u US 1 yr', 'fna advised', 'no further imaging')}")
    return "\n".join(lines + other)


_US_STYLES = (_us_style_korean, _us_style_structured, _us_style_tirads, _us_style_uk, _us_style_informal)
_US_HINTS = ("US", "US", "US", "ultrasound", "THYROID US", "US NECK", "", "")


def ultrasound(g: _Gen, date: dt.date, *, suspicious: bool) -> tuple[str, str, str]:
    """(hint, text, worst side) for one ultrasound."""
    scenario = g.p("dmo", "clustered", "nodule_mc", "uncertain", "lymph_node") if suspicious else g.p(*_SCENARIOS)
    side = g.side()
    findings = [(side, _finding(g, scenario, side))]
    if g.yes(0.45):
        other_side = "left" if side == "right" else "right"
        findings.append((other_side, _finding(g, g.p("normal", "nodule_no_mc", "comet", "macro", "dtd", "eggshell"), other_side)))
    history = ""
    if g.yes(0.25):
        history = (f"{(date - dt.timedelta(days=g.r.randint(200, 900))).isoformat()}, "
                   f"{g.p('no microcalcification was seen', 'previous nodule stable', 'interval growth')}")
    other = []
    if g.yes(0.2):
        other.append(g.p("If microcalcifications develop, FNA is recommended.", "Family history of thyroid cancer.",
                         "Recommendation: FU US in 6 months or FNA.", "Note: no microcalcification on the prior study."))
    if g.yes(0.95):
        other.append(_extras(g, _US_EXTRAS, 2, 5))
    text = g.p(*_US_STYLES)(g, findings, other, history)
    return g.p(*_US_HINTS), text, side


# -- cytology ----------------------------------------------------------------------------------------------------
_BETHESDA = {
    1: ("Nondiagnostic", "ND/UNS", "Thy1", ("scant cellularity, fewer than six groups of follicular cells", "blood only, no follicular cells", "cyst fluid with macrophages only")),
    2: ("Benign", "benign", "Thy2", ("abundant colloid and sheets of bland follicular cells", "lymphocytic thyroiditis; no malignant cells", "macrophages and colloid; consistent with a colloid nodule")),
    3: ("Atypia of undetermined significance", "AUS/FLUS", "Thy3a", ("microfollicular groups with mild nuclear enlargement", "focal nuclear atypia, insufficient for a neoplasm", "scattered atypical cells with rare grooves")),
    4: ("Follicular neoplasm", "FN/SFN", "Thy3f", ("crowded microfollicles and trabeculae with scant colloid", "predominantly Hurthle cells in a follicular pattern", "cellular aspirate of microfollicles")),
    5: ("Suspicious for malignancy", "SFM", "Thy4", ("nuclear enlargement, grooves and rare pseudoinclusions", "features suspicious for papillary carcinoma", "atypical papillary fragments, limited cells")),
    6: ("Malignant", "malignant", "Thy5", ("papillary carcinoma with grooves, pseudoinclusions and psammoma bodies", "papillary thyroid carcinoma; psammoma bodies seen", "cohesive papillary fragments with intranuclear inclusions")),
}
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI"}


def cytology(g: _Gen, side: str, category: int) -> tuple[str, str]:
    name, short, thy, micro = _BETHESDA[category]
    site = f"{g.p('Thyroid', 'THYROID')}, {side} {g.p('lobe', 'nodule', 'lower pole nodule', 'upper pole nodule')}"
    details = g.p(*micro)
    extras = [g.p("No psammoma bodies.", "Background clean with scant colloid.", "Hurthle cell change present.",
                  "Background lymphocytic thyroiditis.", "No papillary nuclear features.", "Cyst macrophages present.")]
    style = g.r.randint(0, 3)
    if style == 0:
        text = [g.p("CYTOLOGY REPORT", "FNA CYTOLOGY", "NON-GYN CYTOLOGY"),
                f"Source: {site}, US-guided FNA ({g.p('TR5', 'TR4', 'K-TIRADS 4', 'U5', 'U3')}).",
                f"Specimen adequacy: {g.p('satisfactory for evaluation', 'adequate', 'limited by blood')}.",
                f"DIAGNOSIS: {name.upper()} (Bethesda category {_ROMAN[category]})",
                f" - {details.capitalize()}.",
                f"Microscopic: {' '.join(extras)}"]
    elif style == 1:
        text = [f"FNA {site.lower()} ({g.p('diffuse calcifications on US', 'nodule', 'clustered foci')})",
                f"Adequacy: {g.p('satisfactory', 'adequate', 'satisfactory, >6 groups of follicular cells')}",
                f"Dx: Bethesda {category} - {name.lower()}. {details.capitalize()}.",
                f"Notes: {' '.join(extras).lower()}"]
    elif style == 2:
        text = [f"{site}, FNA.",
                f"DIAGNOSIS: {name} ({short}), Bethesda category {_ROMAN[category]}.",
                f"{details.capitalize()}. {' '.join(extras)}",
                g.p("Repeat FNA or molecular testing is recommended.", "Comment: Molecular testing may be considered.", "")]
    else:
        text = [f"{g.p('Repeat FNA', 'FNA', 'Ultrasound-guided FNA')}, {side} thyroid nodule {g.cm(0.6, 3.5)} cm. {g.p('25G needle', '23G needle')}, {g.r.randint(2, 5)} passes.",
                f"Smears show {details}.",
                f"Conclusion: {thy} - {g.p('non-neoplastic', 'neoplastic', 'see comment', 'consistent with the Bethesda category above') if category != 6 else 'malignant'}.",
                f"{' '.join(extras)}"]
    text.append(_extras(g, _CYTO_EXTRAS, 3, 7))
    return g.p("FNA", "FNA", "cytology", "thyroid FNA", ""), "\n".join(t for t in text if t)


# -- surgical pathology ------------------------------------------------------------------------------------------
_HISTOLOGY = ("Papillary thyroid carcinoma, classic type", "Papillary carcinoma, follicular variant",
              "Papillary microcarcinoma", "Papillary carcinoma, tall cell subtype", "Papillary carcinoma, diffuse sclerosing subtype",
              "Follicular carcinoma, minimally invasive", "Follicular adenoma", "Nodular hyperplasia (adenomatoid nodule)",
              "Hashimoto thyroiditis, no malignancy", "Oncocytic carcinoma")


def surgery(g: _Gen, side: str, malignant: bool) -> tuple[str, str]:
    histology = g.p(*_HISTOLOGY[:6]) if malignant else g.p(*_HISTOLOGY[6:])
    procedure = g.p("Total thyroidectomy", "Right hemithyroidectomy" if side == "right" else "Left hemithyroidectomy",
                    f"{side.capitalize()} lobectomy", "Completion thyroidectomy")
    size = g.cm(0.3, 4.2)
    nodes_examined = g.r.randint(0, 24)
    nodes_involved = g.r.randint(0, nodes_examined) if malignant and nodes_examined else 0
    ete = g.p("not identified", "present, minimal", "absent") if malignant else "not applicable"
    style = g.r.randint(0, 2)
    if style == 0:  # narrative
        text = [g.p("SURGICAL PATHOLOGY REPORT", "SURGICAL PATHOLOGY", "PATHOLOGY REPORT"),
                f"CLINICAL HISTORY: {g.p('Right', 'Left')} thyroid nodule; FNA {g.p('Bethesda V', 'Bethesda VI', 'suspicious for PTC', 'AUS')}.",
                f"SPECIMEN: {procedure}.",
                f"GROSS DESCRIPTION: {g.p('Received fresh', 'Received in formalin')} is a {procedure.lower()} specimen weighing {g.r.randint(6, 60)} g. "
                f"Serial sections of the {side} lobe reveal a {g.p('firm, tan-white', 'gritty white', 'well-circumscribed, encapsulated', 'ill-defined')} nodule measuring {g.dims(0.2, 4.0)}. "
                f"{g.p('Representative sections submitted.', 'Entirely submitted.', 'Inked and serially sectioned.')}",
                f"MICROSCOPIC DESCRIPTION: {histology} {g.p('with infiltrative borders', 'with a complete capsule', 'with psammoma bodies', 'without lymphovascular invasion')}. "
                f"{g.p('Background lymphocytic thyroiditis.', 'Background unremarkable.', 'No psammoma bodies.')}",
                "FINAL DIAGNOSIS:",
                f" - {histology}, {size} cm, {side} lobe, {g.p('unifocal', 'multifocal')}.",
                f" - Extrathyroidal extension {ete}." if malignant else f" - {g.p('No malignancy identified.', 'Negative for malignancy.')}",
                f" - Lymph nodes: {nodes_involved}/{nodes_examined} involved." if nodes_examined else " - No lymph nodes submitted."]
    elif style == 1:  # synoptic
        text = ["SURGICAL PATHOLOGY", f"Procedure: {procedure}.",
                f"GROSS: {g.p('Total thyroid', 'Lobe')}, {g.r.randint(6, 60)} g; {side} lobe {g.lobe_dims()}. {g.p('No discrete mass identified grossly.', 'A firm nodule is present.')}",
                "CANCER CASE SUMMARY (THYROID)" if malignant else "SUMMARY",
                f"Procedure: {procedure}",
                f"Tumor Focality: {g.p('Unifocal', 'Multifocal, bilateral', 'Multifocal, unilateral')}" if malignant else "Tumor Focality: Not applicable",
                f"Tumor Site: {side.capitalize()} lobe",
                f"Tumor Size: {size} cm" if malignant else "Tumor Size: Not applicable",
                f"Histologic Type: {histology}",
                f"Extrathyroidal Extension: {ete.capitalize()}",
                f"Margins: {g.p('Uninvolved by carcinoma', 'Involved', 'Negative')}",
                f"Regional Lymph Nodes: Number examined {nodes_examined}; number involved {nodes_involved}",
                f"Additional Findings: {g.p('Chronic lymphocytic thyroiditis.', 'Nodular hyperplasia.', 'Numerous psammoma bodies.', 'None.')}"]
    else:  # one paragraph
        text = [f"{procedure}: {histology}, {int(float(size) * 10)} mm maximum dimension, {g.p('unifocal', 'multifocal')}, "
                f"{g.p('confined to the thyroid (no extrathyroidal extension)', 'with minimal extrathyroidal extension', 'ETE absent')}. "
                f"{g.p('Lymphovascular invasion not seen.', 'LVI absent.', 'Angioinvasion present (2 vessels).')} "
                f"Margins {g.p('clear', 'negative', 'involved')}. Background {g.p('thyroid unremarkable', 'mild lymphocytic thyroiditis')}. "
                f"{'Nodes: ' + str(nodes_involved) + '/' + str(nodes_examined) + ' involved.' if nodes_examined else 'Nodes: none.'} "
                f"{g.p('pT1a', 'pT1b', 'pT2', 'pT3a')} {g.p('pN0', 'pN1a', 'NX')}."]
    text.append(_extras(g, _SP_EXTRAS, 2, 6))
    return g.p("SP", "surgical pathology", "pathology", "", "SP"), "\n".join(text)


# -- other -------------------------------------------------------------------------------------------------------
def other(g: _Gen, side: str) -> tuple[str, str]:
    if g.yes(0.5):
        return "CT", "\n".join([
            g.p("CT NECK WITH CONTRAST", "CT NECK"),
            f"Indication: {g.p('suspicious nodes on US', 'neck mass', 'staging')}.",
            f"Findings: {g.p('Enhancing', 'Partly cystic', 'Conglomerate of')} {side} level {g.p('III', 'IV', 'VI')} lymph nodes with {g.p('punctate calcifications', 'necrosis')}, the largest {g.cm(0.8, 3.0)} cm. "
            f"Thyroid gland {g.p('normal in size', 'enlarged')} with {g.p('homogeneous', 'heterogeneous')} enhancement. Lung apices clear.",
            f"Impression: {g.p('Nodal disease, likely metastatic thyroid carcinoma.', 'No thyroid lesion on CT.', 'Indeterminate nodes.')}"])
    return g.p("clinic note", "", "consult"), "\n".join([
        g.p("ENDOCRINE SURGERY CLINIC NOTE", "ENDOCRINOLOGY FOLLOW-UP NOTE"),
        f"{g.r.randint(19, 80)}-year-old {g.p('woman', 'man')} referred after a thyroid ultrasound showed {g.p('a suspicious nodule', 'diffuse microcalcifications', 'a cluster of calcifications')} in the {side} lobe. "
        f"{g.p('No family history of thyroid cancer.', 'Mother had thyroid cancer.')} Examination: {g.p('firm, non-tender gland', 'no palpable cervical nodes')}.",
        f"Plan: {g.p('total thyroidectomy', 'hemithyroidectomy', 'active surveillance')}. {g.p('Risks discussed. Consent obtained.', 'Review in 6 months.')}"])


# -- patients ----------------------------------------------------------------------------------------------------
def patient_reports(seed: int, index: int) -> list[dict]:
    """The reports of one patient (deterministic for (seed, index))."""
    g = _Gen(random.Random(f"radpath-synth:{seed}:{index}"))
    patient_id = f"P{index + 1:07d}"
    date = _EPOCH + dt.timedelta(days=g.r.randint(0, 365 * 10))
    rows = []

    def add(hint, text, when):
        rows.append({"report_id": f"{patient_id}-{len(rows) + 1:02d}", "patient_id": patient_id,
                     "report_date": when.isoformat(), "report_type": hint, "text": text})

    suspicious = g.yes(0.45)
    hint, text, side = ultrasound(g, date, suspicious=suspicious)
    add(hint, text, date)
    if g.yes(0.25):  # a follow-up ultrasound
        date += dt.timedelta(days=g.r.randint(120, 500))
        hint, text, _ = ultrasound(g, date, suspicious=suspicious and g.yes(0.5))
        add(hint, text, date)
    if suspicious or g.yes(0.35):
        date += dt.timedelta(days=g.r.randint(7, 60))
        category = g.p(5, 6, 6, 4, 3) if suspicious else g.p(1, 2, 2, 2, 3, 4)
        add(*cytology(g, side, category), date)
        if category in (4, 5, 6) or g.yes(0.15):
            if g.yes(0.15):
                date += dt.timedelta(days=g.r.randint(5, 30))
                add(*other(g, side), date)
            date += dt.timedelta(days=g.r.randint(21, 120))
            add(*surgery(g, side, malignant=category in (5, 6) or (category == 4 and g.yes(0.3))), date)
    elif g.yes(0.05):
        add(*other(g, side), date + dt.timedelta(days=g.r.randint(5, 60)))
    return rows


def generate(patients: int, *, seed: int = 0) -> pd.DataFrame:
    """A corpus of ``patients`` synthetic patients (about 2 reports each) in radpath's input columns."""
    rows = [row for index in range(patients) for row in patient_reports(seed, index)]
    return pd.DataFrame(rows, columns=COLUMNS)


# -- hostile text -------------------------------------------------------------------------------------------------
# For robustness tests, never for accuracy: texts built to find super-linear paths, crashes and offset slips. Each
# row names its family in ``hostile_family`` (radpath ignores the extra column). Lone surrogates stand for invalid
# UTF-8: write_corpus writes them as raw invalid bytes in CSV / TSV, and as U+FFFD where the format cannot hold them.
_PUNCTUATION = "!?.,;:()[]{}<>/\\|-_=+*&^%$#@~`'\""
_MENTIONS = ("microcalcifications", "no microcalcifications", "possibly microcalcifications", "echogenic foci",
             "comet-tail artefact", "coarse calcification", "punctate echogenic foci", "no calcification",
             "history of microcalcifications", "microcalcifications cannot be excluded", "eggshell calcification")
_NEGATIONS = ("no ", "no evidence of ", "without ", "not ", "negative for ", "absence of ", "no ", "nor ")
_ODD_CHARS = ("\x00", "\u200b", "\u200e", "\u202e", "\ufeff", "\r", "\x0c", "\x0b", "\t", "\u0301", "\U0001f600",
              "\u2028", "\x1b[31m", "\x85", "\xa0", "\ufffd")
HOSTILE_FAMILIES = ("punctuation", "mentions", "negation", "nul", "invalid_utf8", "huge", "control", "run_on",
                    "nesting", "normal")
_HOSTILE_WEIGHTS = (15, 3, 12, 10, 10, 2, 8, 5, 5, 30)
_HOSTILE_TYPES = ("US", "US", "FNA", "Surgical pathology", "", "CT neck", "US\x00", "ultrasound " * 50)


def _log_uniform(g: _Gen, lo: int, hi: int) -> int:
    return int(round(lo * (hi / lo) ** g.r.random()))


def _insert(g: _Gen, text: str, pieces: tuple, count: int) -> str:
    chars = list(text)
    for _ in range(count):
        chars.insert(g.r.randint(0, len(chars)), g.r.choice(pieces))
    return "".join(chars)


def hostile_text(g: _Gen, family: str, normal: str, scale: float = 1.0) -> str:
    """One text of ``family``; ``normal`` is a plain synthetic report to build on; ``scale`` multiplies the
    largest sizes (run lengths, chain lengths, mentions per sentence, field sizes)."""

    def upto(lo: int, hi: int) -> int:
        return _log_uniform(g, lo, max(lo + 1, int(hi * scale)))

    if family == "punctuation":
        run = (g.p(*_PUNCTUATION) if g.yes(0.5) else "".join(g.r.choices(_PUNCTUATION, k=g.r.randint(2, 8))))
        length = upto(200, 30_000)
        block = (run * (length // len(run) + 1))[:length]
        return g.p(block, f"Findings: {block}microcalcifications{block[::-1]} in the {g.side()} lobe.",
                   normal[:200] + block + normal[200:])
    if family == "mentions":
        k = upto(20, 600)
        return "Findings: " + ", ".join(g.r.choice(_MENTIONS) for _ in range(k)) + "."
    if family == "negation":
        k = upto(50, 6000)
        if g.yes(0.3):
            return ", ".join(g.r.choice(_NEGATIONS) + g.r.choice(_MENTIONS) for _ in range(min(k, 1000))) + "."
        return "".join(g.r.choice(_NEGATIONS) for _ in range(k)) + g.r.choice(_MENTIONS) + "."
    if family == "nul":
        return _insert(g, normal, ("\x00", "\x00" * g.r.randint(2, 500)), g.r.randint(1, 20))
    if family == "invalid_utf8":
        return _insert(g, normal, tuple(chr(c) for c in range(0xDC80, 0xDD00)), g.r.randint(1, 30))
    if family == "huge":
        length = upto(50_000, 1_000_000)
        return (normal + "\n\n") * (length // (len(normal) + 2) + 1)
    if family == "control":
        return _insert(g, normal, _ODD_CHARS, g.r.randint(5, 400))
    if family == "run_on":  # one enormous sentence: words, no full stop, no line break
        words = normal.replace(".", " ").replace("\n", " ").split()
        return " ".join(g.r.choice(words) for _ in range(upto(1000, 15_000)))
    if family == "nesting":
        depth = upto(10, 5000)
        mention = g.r.choice(_MENTIONS)
        return g.p("(" * depth + mention + ")" * depth, "\"" * depth + mention + "'" * depth,
                   "[" * depth + normal + "]" * depth, ("<" + mention + "> ") * depth)
    return normal


def hostile(rows: int, *, seed: int = 0, scale: float = 1.0) -> pd.DataFrame:
    """``rows`` hostile report texts (see HOSTILE_FAMILIES), deterministic for (rows' index, seed); every row has
    a distinct report id and a valid patient id and date, so only the text (and a few report types) is hostile.
    ``scale`` < 1 shrinks the largest sizes (a quick test sample); the families stay the same."""
    out = []
    for index in range(rows):
        g = _Gen(random.Random(f"radpath-hostile:{seed}:{index}"))
        family = HOSTILE_FAMILIES[index] if index < len(HOSTILE_FAMILIES) else \
            g.r.choices(HOSTILE_FAMILIES, weights=_HOSTILE_WEIGHTS)[0]  # the first rows cover every family
        reports = patient_reports(seed, index)
        normal = g.r.choice(reports)
        out.append({"report_id": f"H{index + 1:07d}", "patient_id": f"HP{index // 3 + 1:06d}",
                    "report_date": normal["report_date"],
                    "report_type": normal["report_type"] if family == "normal" else g.p(*_HOSTILE_TYPES),
                    "text": hostile_text(g, family, normal["text"], scale), "hostile_family": family})
    # object columns: an Arrow string column cannot hold the lone surrogates that stand for invalid bytes
    return pd.DataFrame({name: pd.Series([row[name] for row in out], dtype=object)
                         for name in [*COLUMNS, "hostile_family"]})


def _without_surrogates(frame: pd.DataFrame) -> pd.DataFrame:
    """Lone surrogates (invalid UTF-8 in a hostile corpus) as U+FFFD, for formats that hold only valid text."""
    def clean(value):
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace") if isinstance(value, str) else value

    return pd.DataFrame({name: [clean(v) for v in frame[name]] for name in frame.columns})


def write_corpus(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a corpus as CSV, Parquet (row groups of 10,000) or JSON Lines, by the file's extension. Lone
    surrogates in a text are written as the invalid bytes they stand for in CSV / TSV, as U+FFFD elsewhere."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".tsv", ".tab"} and "hostile_family" in frame.columns:
        frame = _without_surrogates(frame)
    if suffix in {".parquet", ".pq"}:
        frame.to_parquet(path, index=False, row_group_size=10_000)
    elif suffix in {".jsonl", ".ndjson"}:
        frame.to_json(path, orient="records", lines=True, force_ascii=False)
    elif suffix in {".tsv", ".tab"}:
        frame.to_csv(path, index=False, sep="\t", errors="surrogateescape")
    else:
        frame.to_csv(path, index=False, errors="surrogateescape")
    return path
