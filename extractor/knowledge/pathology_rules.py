"""Load and validate patterns/pathology/*.tsv (one concept per file) into one :class:`PathologyRules`.

Every file is read with :func:`extractor.knowledge.rules.read_rule_file`, so unknown columns, blank literals, duplicate ids,
bad regular expressions and values outside a column's vocabulary fail with file, line and rule id.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ..errors import PatternError
from .bethesda import BETHESDA, read_bethesda_categories
from .rules import Rule, check_unique_ids, read_rule_file

HISTOLOGY = {"papillary_carcinoma", "follicular_carcinoma", "medullary_carcinoma", "anaplastic_carcinoma", "other_malignant"}
SUBTYPES = {"classic", "follicular", "tall_cell", "diffuse_sclerosing", "other", "none"}
# the roles of patterns/pathology/sites.tsv (extractor/fields/pathology/sites.py reads the sides with them)
SITE_ROLES = ("skip_line", "right", "left", "bilateral", "isthmus", "tumour_sentence", "node_sentence", "specimen_line",
              "one_sided_specimen", "total_resection", "lesion_sentence", "negation", "tumour_denied", "organ_word",
              "other_lesion", "coordination", "isthmectomy")
SECTION_ROLES = {"final", "body", "comment", "microscopic", "gross", "excluded"}
FIELDS = {
    "tumor_size_mm", "tumor_focality", "extrathyroidal_extension", "lymph_node_metastasis", "psammoma_bodies",
    "lymphocytic_thyroiditis", "histology", "mass_in_specimen",
}
_LITERAL_WORD = re.compile(r"[A-Za-z]{2,}")
_PATTERN_WORD = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{3,}(?![A-Za-z])")  # a run of letters not after a backslash
KEY_VALUES = {"none", "unifocal", "multifocal", "absent", "present", "not_stated", "not_mentioned"}


@dataclass(frozen=True)
class PathologyRules:
    directory: Path
    section_roles: dict[str, tuple[str, int, str]]  # section name -> (role, rank, rule id)
    sections: tuple[Rule, ...]
    bethesda_names: tuple[Rule, ...]
    bethesda_numbers: tuple[Rule, ...]
    lookalikes: tuple[Rule, ...]
    histology: tuple[Rule, ...]
    benign: tuple[Rule, ...]
    subtypes: tuple[Rule, ...]
    psammoma: tuple[Rule, ...]
    thyroiditis: tuple[Rule, ...]
    negation: tuple[Rule, ...]
    hedges: tuple[Rule, ...]  # hedges.tsv: a presence finding only hedged states nothing
    family: tuple[Rule, ...]
    number_words: dict[str, int]
    units: tuple[Rule, ...]
    size_exclusions: tuple[Rule, ...]
    size_subjects: tuple[Rule, ...]
    thyroid_site: tuple[Rule, ...]
    synoptic_keys: tuple[Rule, ...]
    synoptic_answers: tuple[Rule, ...]
    focality: tuple[Rule, ...]
    lymph_nodes: tuple[Rule, ...]
    extrathyroidal: tuple[Rule, ...]
    gross_lesion: tuple[Rule, ...]
    sites: tuple[Rule, ...]
    molecular: tuple[Rule, ...]
    specimen_parts: tuple[Rule, ...]
    benign_neoplasm: tuple[Rule, ...]
    amendment_cues: tuple[Rule, ...]
    checklist_labels: tuple[Rule, ...]
    negation_terminators: tuple[Rule, ...]
    extrathyroidal_answers: tuple[Rule, ...]
    bethesda_malignancy: dict[str, str]  # category -> malignancy of a cytology report (bethesda_categories.tsv)
    # the ConText historical cues that look forward (../context/historical.tsv): a clause about an earlier operation or
    # finding ("Previous left lobectomy showed ...", "status post", "history of") gives no tumour size
    historical: tuple[Rule, ...] = ()

    @cached_property
    def terminator(self) -> re.Pattern:
        """One expression for every negation terminator (negation_terminators.tsv): a search finds any of them."""
        return re.compile("|".join(f"(?:{r.regex.pattern})" for r in self.negation_terminators), re.IGNORECASE)

    @cached_property
    def vocabulary(self) -> frozenset[str]:
        """Every word the rules are written in (lower case): the words of each rule's literal and the plain words of
        its pattern. OCR repair (extractor/fields/pathology/text.py) only turns a garbled word into one of these."""
        words: set[str] = set()
        for name in self.__dataclass_fields__:
            for rule in getattr(self, name) if isinstance(getattr(self, name), tuple) else ():
                if isinstance(rule, Rule):
                    words.update(w.lower() for w in _LITERAL_WORD.findall(rule.literal))
                    words.update(w.lower() for w in _PATTERN_WORD.findall(rule.pattern or ""))
        return frozenset(words)

    def answer_is(self, text: str, value: str) -> str:
        """The id of the extrathyroidal_answers.tsv rule of ``value`` that the answer ``text`` starts with, or ""."""
        text = text.lstrip()
        return next((r.id for r in self.extrathyroidal_answers if r.get("value") == value and r.regex.match(text)), "")


def _positive_int(rule: Rule, column: str) -> None:
    value = rule.get(column)
    if value and not value.isdigit():
        raise PatternError(f"{column} must be a whole number", path=rule.path, line=rule.line, rule_id=rule.id)


def _directional(path: Path, optional=(), choices=None) -> tuple[Rule, ...]:
    rules = read_rule_file(path, required=["direction", "max_chars"], optional=optional,
                           choices={"direction": {"pre", "post"}, **(choices or {})})
    for rule in rules:
        if not rule.get("max_chars").isdigit():
            raise PatternError("max_chars must be a whole number", path=rule.path, line=rule.line, rule_id=rule.id)
    return tuple(rules)


def _values(path: Path, values, **kwargs) -> tuple[Rule, ...]:
    return tuple(read_rule_file(path, required=["value", *kwargs.pop("required", [])], choices={"value": set(values), **kwargs.pop("choices", {})}, **kwargs))


def _earlier_cues(path: Path) -> tuple[Rule, ...]:
    """The forward and bidirectional historical cues of the shared ConText list (one list for both readers)."""
    if not path.is_file():
        return ()
    rules = read_rule_file(path, required=["direction"], optional=["max_scope"])
    return tuple(r for r in rules if r.get("direction") in ("forward", "bidirectional"))


_CACHE: dict[tuple[Path, int], PathologyRules] = {}


def load_pathology_rules(directory: Path, shared_sections: tuple[Rule, ...]) -> PathologyRules:
    """Cached :func:`read_pathology_rules` (per directory and shared section rule set)."""
    key = (directory, hash(tuple((r.path, r.line, r.id) for r in shared_sections)))
    if key not in _CACHE:
        _CACHE[key] = read_pathology_rules(directory, shared_sections)
    return _CACHE[key]


def read_pathology_rules(directory: Path, shared_sections: tuple[Rule, ...]) -> PathologyRules:
    """Read every pathology rule file under ``directory`` (patterns/pathology) and check it against its vocabulary."""
    if not directory.is_dir():
        raise PatternError("pathology rule directory not found", path=str(directory))
    d = directory
    roles = read_rule_file(d / "section_roles.tsv", required=["role", "rank"], choices={"role": SECTION_ROLES})
    for rule in roles:
        _positive_int(rule, "rank")
    extra_sections = read_rule_file(
        d / "sections.tsv",
        required=["section", "current"],
        optional=["laterality", "extent", "organ"],
        choices={"current": {"yes", "no"}},
        category="SECTION",
    )
    section_roles = {r.literal: (r.get("role"), int(r.get("rank")), r.id) for r in roles}
    for rule in extra_sections:
        if rule.get("section") not in section_roles:
            raise PatternError(f"section {rule.get('section')!r} has no row in section_roles.tsv",
                               path=rule.path, line=rule.line, rule_id=rule.id)
    sections = tuple(extra_sections) + tuple(r for r in shared_sections if r.get("section") in section_roles)
    names = _values(d / "bethesda_names.tsv", BETHESDA, required=["strength"], choices={"strength": {"name", "interpretation"}})
    numbers = _values(d / "bethesda_numbers.tsv", (*BETHESDA, "numeral"), required=["kind"],
                      choices={"kind": {"system", "local_system", "bare_numeral"}})
    for rule in numbers:
        if rule.get("value") == "numeral" and "(?P<num>" not in rule.pattern:
            raise PatternError("a numeral rule needs a (?P<num>...) group", path=rule.path, line=rule.line, rule_id=rule.id)
    subtypes = _values(d / "ptc_subtype.tsv", SUBTYPES, optional=["min_percent"])
    for rule in subtypes:
        _positive_int(rule, "min_percent")
    number_words = read_rule_file(d / "number_words.tsv", required=["value"])
    for rule in number_words:
        _positive_int(rule, "value")
    units = read_rule_file(d / "size_units.tsv", required=["value"])
    for rule in units:
        _positive_int(rule, "value")
    keys = read_rule_file(d / "synoptic_keys.tsv", required=["field", "negative", "cannot"], optional=["affirmed"],
                          choices={"field": FIELDS, "negative": KEY_VALUES, "cannot": KEY_VALUES, "affirmed": KEY_VALUES})
    nodes = _values(d / "lymph_nodes.tsv", {"count", "present", "absent", "not_stated", "node_word"}, required=["kind"],
                    choices={"kind": {"count", "stage", "cue", "context", "none_examined"}})
    for rule in nodes:
        if rule.get("kind") == "count" and "(?P<pos>" not in rule.pattern:
            raise PatternError("a count rule needs a (?P<pos>...) group", path=rule.path, line=rule.line, rule_id=rule.id)
    rules = PathologyRules(
        directory=d,
        section_roles=section_roles,
        sections=sections,
        bethesda_names=names,
        bethesda_numbers=numbers,
        lookalikes=tuple(read_rule_file(d / "category_lookalikes.tsv")),
        histology=_values(d / "histology.tsv", HISTOLOGY, optional=["scope"], choices={"scope": {"synoptic_answer"}}),
        benign=tuple(read_rule_file(d / "benign_diagnosis.tsv", optional=["final_word"], choices={"final_word": {"yes"}})),
        subtypes=subtypes,
        psammoma=_values(d / "psammoma.tsv", {"present"}),
        thyroiditis=_values(d / "lymphocytic_thyroiditis.tsv", {"present", "negation_only"}),
        negation=_directional(d / "negation.tsv"),
        hedges=_directional(d / "hedges.tsv"),
        family=tuple(read_rule_file(d / "family.tsv")),
        number_words={r.literal.lower(): int(r.get("value")) for r in number_words},
        units=tuple(units),
        size_exclusions=_directional(d / "size_exclusions.tsv", optional=["reason", "after_carcinoma"],
                                     choices={"after_carcinoma": {"ignored"}}),
        size_subjects=tuple(read_rule_file(d / "size_subjects.tsv")),
        thyroid_site=tuple(read_rule_file(d / "thyroid_site.tsv")),
        synoptic_keys=tuple(keys),
        synoptic_answers=_values(d / "synoptic_answers.tsv", {"negative", "cannot"}),
        focality=_values(d / "focality.tsv", {"unifocal", "multifocal", "count", "negated_only", "none"}, optional=["scope"],
                         choices={"scope": {"synoptic_answer"}}),
        lymph_nodes=nodes,
        extrathyroidal=_values(d / "extrathyroidal.tsv", {"present", "absent", "none"}),
        gross_lesion=_values(d / "gross_lesion.tsv", {"present"}),
        sites=_values(d / "sites.tsv", SITE_ROLES),
        molecular=tuple(read_rule_file(d / "molecular.tsv")),
        benign_neoplasm=tuple(read_rule_file(d / "benign_neoplasm.tsv", optional=["malignancy"],
                                             choices={"malignancy": {"indeterminate"}})),
        amendment_cues=tuple(read_rule_file(d / "amendment_cues.tsv")),
        checklist_labels=tuple(read_rule_file(d / "checklist_labels.tsv")),
        specimen_parts=_values(d / "specimen_parts.tsv", {"label", "thyroid", "node", "other_organ"}),
        negation_terminators=tuple(read_rule_file(d / "negation_terminators.tsv")),
        extrathyroidal_answers=_values(d / "extrathyroidal_answers.tsv", {"yes", "no", "stated"}),
        bethesda_malignancy=read_bethesda_categories(d / "bethesda_categories.tsv"),
        historical=_earlier_cues(d.parent / "context" / "historical.tsv"),
    )
    check_unique_ids([r for name in rules.__dataclass_fields__ if isinstance(getattr(rules, name), tuple)
                      for r in getattr(rules, name) if isinstance(r, Rule) and r.path.startswith(str(d))]
                     + list(roles) + list(number_words))
    return rules
