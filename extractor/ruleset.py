"""The whole of patterns/ loaded and validated as one :class:`RuleSet` (no spaCy here)."""
from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import PatternError
from .resources import patterns_dir
from .rules import Rule, check_unique_ids, read_rule_dir, read_rule_file

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
    max_hits_per_cue: int = 3
    title_lines: int = 3
    title_max_chars: int = 90
    title_lead_max_words: int = 5
    title_prose_words: int = 8


def _kind_settings(path: Path) -> KindSettings:
    """patterns/report_kinds.toml, strictly: every key known, present and of its type; errors name the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise PatternError(f"cannot read file: {e}", path=str(path)) from e
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        match = re.search(r"line (\d+)", str(e))
        raise PatternError(f"not valid TOML: {e}", path=str(path), line=int(match.group(1)) if match else None) from e
    lines = text.splitlines()

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
    kind_settings: KindSettings = field(default_factory=KindSettings)

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
                           choices={"role": {"header", "cue", "withdraw"}, "by_status": {"", "negated", "any"}},
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


@lru_cache(maxsize=8)
def _load(directory: Path) -> RuleSet:
    if not directory.is_dir():
        raise PatternError("patterns directory not found", path=str(directory))
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
        kind_settings=_kind_settings(directory / "report_kinds.toml"),
    )


def load_ruleset(directory: str | Path | None = None) -> RuleSet:
    """Load and validate patterns/ (cached per directory)."""
    return _load(patterns_dir(directory).resolve())
