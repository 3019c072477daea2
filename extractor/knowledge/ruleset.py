"""The whole of patterns/ loaded and validated as one :class:`RuleSet` (no spaCy here)."""
from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..errors import PatternError
from .resources import patterns_dir
from .rules import (
    Rule,
    check_unique_ids,
    read_rule_dir,
    read_rule_file,
    read_toml,
    rule_lines,
)

CONTEXT_DIRECTIONS = {"forward", "backward", "bidirectional", "terminate", "pseudo"}
CONTEXT_CATEGORIES = {"NEGATED", "UNCERTAIN", "HISTORICAL", "HYPOTHETICAL", "FAMILY", "PSEUDO", "TERMINATE", "CURRENT"}
ATTRIBUTE_VALUES = {
    "extent": {"diffuse", "localized"},
    "clustering": {"clustered"},
    "laterality": {"right", "left", "bilateral", "isthmus"},
    "organ": {"lymph_node", "thyroid", "other"},
}
TARGET_POLARITIES = {"", "negated"}  # negated: the matched words themselves state an absence ("surrounding echotexture
# unremarkable", a table cell "none" under a calcification column)
REPORT_KINDS = {"ultrasound", "cytology", "surgical_pathology", "other"}
KIND_SOURCES = {"hint", "text", "title", "marker", "discount"}  # see patterns/report_kinds.tsv
WEIGHTED_KIND_SOURCES = {"text", "title", "marker"}
MENTION_STATUSES = ("affirmed", "uncertain", "negated")
FIELD_VALUES = {
    "microcalcifications": {"present", "absent", "uncertain"},
    "mass": {"present", "absent", "uncertain"},
    "focal_echogenicity_change": {"present", "absent"},
}


@dataclass(frozen=True)
class KindSettings:
    """How the report-kind rules are combined (patterns/report_kinds.toml; the defaults are the shipped values)."""

    tie_order: tuple[str, ...] = ("surgical_pathology", "cytology", "ultrasound", "other")
    strong_score: int = 8
    marker_override_score: int = 20
    max_hits_per_cue: int = 3
    title_lines: int = 3
    title_max_chars: int = 90
    title_lead_max_words: int = 5
    title_prose_words: int = 8


def _kind_settings(path: Path) -> KindSettings:
    """patterns/report_kinds.toml, strictly: every key known, present and of its type; errors name the file and line."""
    data, lines = read_toml(path)

    def line_of(key: str) -> int | None:
        return next((n for n, line in enumerate(lines, 1) if re.match(rf"\s*{re.escape(key)}\s*=", line)), None)

    known = KindSettings.__dataclass_fields__
    for key in data:
        if key not in known:
            raise PatternError(f"unknown key {key!r} (known: {sorted(known)})", path=str(path), line=line_of(key))
    values = {}
    for key in known:
        if key not in data:
            raise PatternError(f"missing key {key!r}", path=str(path))
        value = data[key]
        if key == "tie_order":
            if not isinstance(value, list) or sorted(value) != sorted(REPORT_KINDS):
                raise PatternError(f"tie_order must list each of {sorted(REPORT_KINDS)} once", path=str(path),
                                   line=line_of(key))
            value = tuple(value)
        elif isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise PatternError(f"{key} must be a whole number of at least 1", path=str(path), line=line_of(key))
        values[key] = value
    return KindSettings(**values)


@dataclass(frozen=True)
class RuleSet:
    directory: Path
    targets: tuple[Rule, ...]
    context: tuple[Rule, ...]
    attributes: dict[str, tuple[Rule, ...]]
    sections: tuple[Rule, ...]
    report_kinds: tuple[Rule, ...]
    abbreviations: tuple[Rule, ...]
    fields: tuple[Rule, ...]
    tables: tuple[Rule, ...] = ()
    amendments: tuple[Rule, ...] = ()
    precedence: tuple[Rule, ...] = ()  # patterns/precedence.tsv, by rank
    patient_evidence: tuple[Rule, ...] = ()  # patterns/patient_evidence.tsv
    kind_settings: KindSettings = field(default_factory=KindSettings)  # patterns/report_kinds.toml

    def evidence_labels(self) -> dict[str, set[str]]:
        """patients field -> the mention labels its evidence quotes (patterns/patient_evidence.tsv)."""
        labels: dict[str, set[str]] = {}
        for rule in self.patient_evidence:
            labels.setdefault(rule.get("field"), set()).add(rule.get("label"))
        return labels

    @property
    def target_labels(self) -> set[str]:
        return {r.category for r in self.targets}

    def fingerprint(self) -> str:
        """SHA-256 over every rule file, so a run can say exactly which knowledge produced it."""
        digest = hashlib.sha256()
        for path in sorted(self.directory.rglob("*")):
            if path.is_file() and path.suffix in {".tsv", ".toml", ".md"}:
                digest.update(str(path.relative_to(self.directory)).encode())
                digest.update(path.read_bytes())
        return digest.hexdigest()


def _directional_rule_dir(directory: Path) -> list[Rule]:
    rules = read_rule_dir(
        directory,
        required=["direction"],
        optional=["max_scope"],
        choices={"direction": CONTEXT_DIRECTIONS},
    )
    for rule in rules:
        if rule.category not in CONTEXT_CATEGORIES:
            raise PatternError(
                f"context file name must be one of {sorted(c.lower() for c in CONTEXT_CATEGORIES)}",
                path=rule.path, line=rule.line, rule_id=rule.id,
            )
        scope = rule.get("max_scope")
        if scope and not scope.isdigit():
            raise PatternError("max_scope must be a whole number of tokens", path=rule.path, line=rule.line, rule_id=rule.id)
    return rules


def _field_rules(path: Path, target_labels: set[str]) -> list[Rule]:
    rules = read_rule_file(
        path,
        required=["field", "label"],
        optional=[*MENTION_STATUSES, "requires"],
        choices={"field": set(FIELD_VALUES), "requires": set(FIELD_VALUES) | {""}},
        category="FIELD",
        needs_literal=False,
    )
    for rule in rules:
        if rule.get("label") not in target_labels:
            raise PatternError(
                f"label {rule.get('label')!r} has no file in targets/ (known: {sorted(target_labels)})",
                path=rule.path, line=rule.line, rule_id=rule.id,
            )
        allowed = FIELD_VALUES[rule.get("field")]
        for status in MENTION_STATUSES:
            value = rule.get(status)
            if value and value not in allowed:
                raise PatternError(
                    f"{status} value {value!r} is not one of {sorted(allowed)}", path=rule.path, line=rule.line, rule_id=rule.id
                )
    return rules


def _table_rules(path: Path, target_labels: set[str]) -> list[Rule]:
    if not path.is_file():
        return []
    rules = read_rule_file(path, required=["role", "label"], optional=["polarity"],
                           choices={"role": {"column", "value"}, "polarity": TARGET_POLARITIES}, category="TABLE")
    for rule in rules:
        if rule.get("label") not in target_labels:
            raise PatternError(f"label {rule.get('label')!r} has no file in targets/ (known: {sorted(target_labels)})",
                               path=rule.path, line=rule.line, rule_id=rule.id)
    return rules


def _amendment_rules(path: Path, target_labels: set[str]) -> list[Rule]:
    if not path.is_file():
        return []
    rules = read_rule_file(path, required=["role"], optional=["label", "by", "by_status"],
                           choices={"role": {"header", "cue", "withdraw", "preliminary", "final"}, "by_status": {"", "negated", "any"}},
                           category="AMENDMENT")
    for rule in rules:
        if rule.get("role") != "withdraw":
            continue
        for column in ("label", "by"):
            if rule.get(column) not in target_labels:
                raise PatternError(f"{column} {rule.get(column)!r} has no file in targets/", path=rule.path,
                                   line=rule.line, rule_id=rule.id)
        if not rule.get("by_status"):
            raise PatternError("withdraw rules need by_status (negated or any)", path=rule.path, line=rule.line,
                               rule_id=rule.id)
    return rules


def rule_ids(directory: Path) -> list[tuple[str, str, int | None]]:
    """Every rule id under ``directory`` (patterns/): the ``id`` column of every ``*.tsv`` in every folder and the
    ``id`` of every case definition (definitions/*.toml), as (id, file, line). Files are only scanned here; each
    loader validates its own files."""
    found: list[tuple[str, str, int | None]] = []
    for path in sorted(directory.rglob("*.tsv")):
        column = None
        for number, raw in rule_lines(path):
            cells = [c.strip() for c in raw.split("\t")]
            if column is None:
                if "id" not in cells:
                    raise PatternError("missing column(s) ['id']", path=str(path), line=number)
                column = cells.index("id")
                continue
            if column < len(cells) and cells[column]:
                found.append((cells[column], str(path), number))
    for path in sorted((directory / "definitions").glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
            raise PatternError(f"cannot read definition: {e}", path=str(path)) from e
        if isinstance(data.get("id"), str):
            found.append((data["id"], str(path), None))
    return found


def check_ids_across(directory: Path) -> None:
    """Rule ids are unique across the whole of patterns/ (every folder), so evidence such as ``hist-001@193``
    names one rule."""
    seen: dict[str, tuple[str, int | None]] = {}
    for rule_id, path, line in rule_ids(directory):
        if rule_id in seen:
            first_path, first_line = seen[rule_id]
            first = first_path + (f":{first_line}" if first_line is not None else "")
            raise PatternError(f"duplicate id (first used at {first})", path=path, line=line, rule_id=rule_id)
        seen[rule_id] = (path, line)


# the patients fields an ultrasound's mentions stand behind (patterns/patient_evidence.tsv)
EVIDENCE_FIELDS = (*FIELD_VALUES, "microcalcification_extent", "microcalcification_clustered",
                   "microcalcification_laterality", "us_pattern")


def _patient_evidence_rules(path: Path, target_labels: set[str]) -> list[Rule]:
    if not path.is_file():
        return []
    rules = read_rule_file(path, required=["field", "label"], choices={"field": set(EVIDENCE_FIELDS)},
                           category="PATIENT_EVIDENCE", needs_literal=False)
    for rule in rules:
        if rule.get("label") not in target_labels:
            raise PatternError(f"column 'label': {rule.get('label')!r} has no file in targets/ (known: "
                               f"{sorted(target_labels)})", path=rule.path, line=rule.line, rule_id=rule.id)
        if not rule.get("field"):
            raise PatternError("column 'field' is blank", path=rule.path, line=rule.line, rule_id=rule.id)
    return rules


PRECEDENCE_VALUES = ("present", "uncertain", "absent", "not_mentioned")
NO_MENTION_VALUE = "not_mentioned"


def _precedence_rules(path: Path) -> list[Rule]:
    """patterns/precedence.tsv: one row per report value, ranked 1, 2, ... with no gap; every value of
    PRECEDENCE_VALUES once; not_mentioned (no mention gives the field a value) last."""
    rules = read_rule_file(path, required=["rank", "value"], optional=["when", "example"],
                           choices={"value": set(PRECEDENCE_VALUES)}, category="PRECEDENCE", needs_literal=False)
    seen: dict[str, Rule] = {}
    for rule in rules:
        if not rule.get("value"):
            raise PatternError("column 'value' is blank", path=rule.path, line=rule.line, rule_id=rule.id)
        if not rule.get("rank").isdigit() or int(rule.get("rank")) < 1:
            raise PatternError(f"column 'rank' must be a whole number from 1, not {rule.get('rank')!r}",
                               path=rule.path, line=rule.line, rule_id=rule.id)
        if rule.get("value") in seen:
            first = seen[rule.get("value")]
            raise PatternError(f"column 'value': {rule.get('value')!r} already ranked at line {first.line}",
                               path=rule.path, line=rule.line, rule_id=rule.id)
        seen[rule.get("value")] = rule
    ranked = sorted(rules, key=lambda r: int(r.get("rank")))
    for expected, rule in enumerate(ranked, start=1):
        if int(rule.get("rank")) != expected:
            raise PatternError(f"column 'rank': ranks must run 1, 2, 3 ... without a gap or a repeat; expected "
                               f"{expected}, found {rule.get('rank')}", path=rule.path, line=rule.line, rule_id=rule.id)
    missing = [v for v in PRECEDENCE_VALUES if v not in seen]
    if missing:
        raise PatternError(f"column 'value': no row for {missing}", path=str(path))
    if ranked[-1].get("value") != NO_MENTION_VALUE:
        rule = seen[NO_MENTION_VALUE]
        raise PatternError(f"column 'rank': {NO_MENTION_VALUE} (no mention gives a value) must have the last rank, "
                           f"{len(ranked)}", path=rule.path, line=rule.line, rule_id=rule.id)
    return ranked


@lru_cache(maxsize=8)
def _load(directory: Path) -> RuleSet:
    if not directory.is_dir():
        raise PatternError("patterns directory not found", path=str(directory))
    check_ids_across(directory)
    targets = read_rule_dir(directory / "targets", optional=["polarity"], choices={"polarity": TARGET_POLARITIES})
    attributes = {}
    for name, values in ATTRIBUTE_VALUES.items():
        weight_column = ["weight"] if name == "extent" else []
        attributes[name] = tuple(
            read_rule_file(
                directory / "attributes" / f"{name}.tsv",
                required=["value"],
                optional=weight_column,
                choices={"value": values, **({"weight": {"1", "2"}} if weight_column else {})},
            )
        )
    section_rules = read_rule_file(
        directory / "sections.tsv",
        required=["section", "current"],
        optional=["laterality", "extent", "organ"],
        choices={
            "current": {"yes", "no"},
            "laterality": ATTRIBUTE_VALUES["laterality"] | {""},
            "extent": ATTRIBUTE_VALUES["extent"] | {""},
            "organ": ATTRIBUTE_VALUES["organ"] | {""},
        },
        category="SECTION",
    )
    kinds = read_rule_file(
        directory / "report_kinds.tsv",
        required=["kind", "source"],
        optional=["weight"],
        choices={"kind": REPORT_KINDS | {"any"}, "source": KIND_SOURCES},
        category="REPORT_KIND",
    )
    for rule in kinds:
        if (rule.get("kind") == "any") != (rule.get("source") == "discount"):
            raise PatternError("kind 'any' is for discount rules, and discount rules have kind 'any'", path=rule.path,
                               line=rule.line, rule_id=rule.id)
        if rule.get("source") in WEIGHTED_KIND_SOURCES and not rule.get("weight").isdigit():
            raise PatternError(f"{rule.get('source')} cues need a whole-number weight", path=rule.path, line=rule.line,
                               rule_id=rule.id)
    abbreviations = read_rule_file(directory / "abbreviations.tsv", required=[], category="ABBREVIATION")
    tables = _table_rules(directory / "tables.tsv", {r.category for r in targets})
    amendments = _amendment_rules(directory / "amendments.tsv", {r.category for r in targets})
    context = _directional_rule_dir(directory / "context")
    check_unique_ids(
        [*targets, *context, *section_rules, *kinds, *abbreviations, *tables, *amendments,
         *(r for rs in attributes.values() for r in rs)]
    )
    fields = _field_rules(directory / "fields.tsv", {r.category for r in targets})
    precedence = _precedence_rules(directory / "precedence.tsv")
    patient_evidence = _patient_evidence_rules(directory / "patient_evidence.tsv", {r.category for r in targets})
    return RuleSet(
        directory=directory,
        targets=tuple(targets),
        context=tuple(context),
        attributes=attributes,
        sections=tuple(section_rules),
        report_kinds=tuple(kinds),
        abbreviations=tuple(abbreviations),
        fields=tuple(fields),
        tables=tuple(tables),
        amendments=tuple(amendments),
        precedence=tuple(precedence),
        patient_evidence=tuple(patient_evidence),
        kind_settings=_kind_settings(directory / "report_kinds.toml"),
    )


def load_ruleset(directory: str | Path | None = None) -> RuleSet:
    """Load and validate patterns/ (cached per directory)."""
    return _load(patterns_dir(directory).resolve())
