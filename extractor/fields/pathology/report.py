"""PathologyAggregator: report-level cytology and surgical pathology fields (CONTRACT.md) from the report text,
the rule files in patterns/pathology/ and, for evidence, the shared pipeline's mention rows.

Every FieldValue carries ``.rule`` = the rule id(s) that decided it, each as ``<rule id>@<character offset>``, and
``.evidence`` = the mention_index of any mention row covering one of those offsets.
"""
from __future__ import annotations

import re
from typing import Mapping

from ...knowledge.pathology_rules import load_pathology_rules
from ...knowledge.ruleset import RuleSet
from ...nlp.sections import SectionFinder
from ..ultrasound import FieldValue
from . import bethesda, findings, histology, nodes, sites, sizes, tumour
from .text import Report

PATHOLOGY_FIELDS = (
    "bethesda_category", "malignancy", "histology", "ptc_subtype", "psammoma_bodies", "tumor_size_mm",
    "tumor_focality", "lymph_node_metastasis", "extrathyroidal_extension", "mass_in_specimen",
    "lymphocytic_thyroiditis", "fna_site", "tumor_site",
)
CYTOLOGY_FIELDS = {"bethesda_category", "malignancy", "histology", "ptc_subtype", "psammoma_bodies", "lymphocytic_thyroiditis"}
_OFFSET = re.compile(r"@(\d+)")
# Explainable misses: a field that applies but is empty / not_stated / not_mentioned / unspecified carries
# ``miss:<reason code>`` (docs/data-dictionary.md) as its rule, optionally followed by the rule refs behind it.
MISS = "miss:"
UNSTATED = {"", "not_stated", "not_mentioned", "unspecified"}
MISS_CODES = {
    "no diagnosis found": "no_diagnosis",
    "no named type": "no_named_type",
    "no subtype stated": "no_subtype_stated",
    "no mention": "no_mention",
    "no focality statement": "no_focality_statement",
    "no extrathyroidal extension statement": "no_extension_statement",
    "no node examined or no node status": "no_node_status",
    "no gross description": "no_gross_description",
    "gross description names no lesion": "gross_names_no_lesion",
    "no category stated": "no_category_stated",
    "category none": "no_category_stated",
}


def _code(reason: str) -> str:
    """A reason without its own code: the template answer or rule refs that decided it."""
    if reason.startswith("category "):
        return f"category_{reason.split()[1]}_states_no_type"
    return f"decided_by {reason}"


class PathologyAggregator:
    def __init__(self, ruleset: RuleSet, *, directory=None):
        directory = (directory or ruleset.directory / "pathology")
        self.rules = load_pathology_rules(directory.resolve(), tuple(ruleset.sections))
        self.finder = SectionFinder(self.rules.sections)
        self.site_cues = sites.SiteCues(self.rules.sites)

    def report(self, text: str) -> Report:
        return Report(text or "", self.rules, self.finder)

    def aggregate(self, kind: str, text: str, mentions: list[Mapping] = ()) -> dict[str, FieldValue]:
        report = self.report(text)
        raw = self.cytology(report) if kind == "cytology" else self.surgical(report)
        out = {}
        for name in PATHOLOGY_FIELDS:
            if name in raw:
                value, rule = raw[name]
                if value in UNSTATED and not rule.startswith(MISS):
                    rule = MISS + MISS_CODES.get(rule, _code(rule))
            else:
                value, rule = "", f"field does not apply to {kind}"
            cited = _evidence(rule, mentions) if value or rule.startswith(MISS) else []
            out[name] = FieldValue(value, cited, rule)
        return out

    # -- cytology -------------------------------------------------------------------------------------------
    def cytology(self, report: Report) -> dict[str, tuple[str, str]]:
        category, hits, reason = bethesda.bethesda_category(report)
        refs = ",".join(h.ref for h in hits) or reason
        out = {"bethesda_category": (category, f"{reason}: {refs}" if hits else reason)}
        out["malignancy"] = (self.rules.bethesda_malignancy.get(category, "not_stated"), f"category {category or 'none'}")
        if category == "VI":
            named = histology.malignant_histology(report)
            out["histology"] = (named[0].value, named[0].ref) if named else ("not_stated", "no named type")
        elif category == "II":
            out["histology"] = ("benign", "category II")
        else:
            out["histology"] = ("not_stated", f"category {category or 'none'}")
        if out["histology"][0] == "papillary_carcinoma":
            out["ptc_subtype"] = ("unspecified", "cytological papillary carcinoma")
        out["psammoma_bodies"] = findings.presence(report, self.rules.psammoma, "psammoma_bodies")
        out["lymphocytic_thyroiditis"] = findings.presence(report, self.rules.thyroiditis, "lymphocytic_thyroiditis")
        out["fna_site"] = sites.fna_site(self.site_cues, report.repaired)
        return out

    # -- surgical pathology ---------------------------------------------------------------------------------
    def surgical(self, report: Report) -> dict[str, tuple[str, str]]:
        out = {}
        named = histology.malignant_histology(report)
        if named and histology.benign_final_word(report, named):
            named = []  # the diagnosis names only a benign lesion (NIFTP, adenoma): a carcinoma in the microscopy is not it
        if named:
            out["histology"] = (named[0].value, named[0].ref)
            out["malignancy"] = ("malignant", named[0].ref)
        else:
            benign = histology.benign_statement(report)
            if benign:
                out["histology"] = ("benign", benign[0].ref)
                out["malignancy"] = ("benign", benign[0].ref)
            else:
                out["histology"] = out["malignancy"] = ("not_stated", "no diagnosis found")
                deferred = histology.indeterminate_neoplasm(report)
                if deferred:  # "follicular neoplasm, classification deferred", FT-UMP
                    out["malignancy"] = ("indeterminate", deferred[0].ref)
        if out["histology"][0] == "papillary_carcinoma":
            value, hits = histology.subtype(report)
            out["ptc_subtype"] = (value, hits[0].ref if hits else "no subtype stated")
        out["psammoma_bodies"] = findings.presence(report, self.rules.psammoma, "psammoma_bodies")
        out["lymphocytic_thyroiditis"] = findings.presence(report, self.rules.thyroiditis, "lymphocytic_thyroiditis")
        out["tumor_size_mm"] = sizes.tumor_size(report, malignant=out["malignancy"][0] == "malignant")
        out["lymph_node_metastasis"] = nodes.lymph_node_metastasis(report)
        if report.node_only:  # a neck dissection without thyroid: no primary tumour to describe (contract v1.1)
            out["tumor_focality"] = out["extrathyroidal_extension"] = ("not_stated", "miss:node_only_specimen")
        else:
            out["tumor_focality"] = tumour.tumor_focality(report)
            out["extrathyroidal_extension"] = tumour.extrathyroidal_extension(report)
        out["mass_in_specimen"] = findings.mass_in_specimen(report)
        if out["malignancy"][0] == "malignant":
            out["tumor_site"] = sites.tumor_site(self.site_cues, report.repaired)
        return out


def _evidence(rule: str, mentions) -> list[int]:
    """mention_index of the mention rows that cover an offset named in the rule string (a rule hit starting inside
    a mention is that mention's finding; a mention merely nearby is not evidence)."""
    offsets = [int(o) for o in _OFFSET.findall(rule)]
    hits = []
    for m in mentions or ():
        start, end = int(m.get("start_char", -1)), int(m.get("end_char", -1))
        if any(start <= o < end for o in offsets):
            hits.append(int(m["mention_index"]))
    return sorted(set(hits))
