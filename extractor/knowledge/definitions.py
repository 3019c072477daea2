"""Case definitions as data: one TOML file per definition in patterns/definitions/ (no spaCy, no pandas at import).

A definition names a cohort over the patients table (contract v1 fields plus radpath's additions)::

    id = "yoon2011_dmo"
    title = "Diffuse microcalcifications only (Yoon 2011)"
    citation = "Yoon JH et al. Ann Surg Oncol 2011;18(10):2899-2906"
    rationale = '''why these criteria'''

    [criteria]
    all = [
      { field = "microcalcifications", in = ["present"] },
      { field = "mass", in = ["absent", "not_mentioned"] },
    ]
    not = [ { field = "focal_echogenicity_change", in = ["present"] } ]

``[criteria]`` holds ``all`` (every item passes), ``any`` (at least one passes) and ``not`` (no item passes); all
the groups given must hold. An item is a test ``{ field = F, in = [values] }`` (or ``equals = value``) or a nested
group ``{ any = [...] }`` / ``{ all = [...] }`` / ``{ not = [...] }``. Unknown keys, fields or values raise
:class:`~extractor.errors.PatternError` with the file and line. Each patient gets ``def_<id>`` = ``true`` /
``false``; :func:`explain` says, per criterion, which field and value made it pass or fail.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from ..errors import PatternError
from .bethesda import BETHESDA
from .resources import patterns_dir
from .rules import read_toml  # noqa: F401  (re-exported: definitions files are TOML too)

GROUPS = ("all", "any", "not")
TOP_KEYS = {"id", "title", "citation", "rationale", "criteria", "notes", "version"}
REQUIRED_KEYS = ("id", "title", "citation", "rationale", "criteria")
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,62}$")

# Fields a criterion may test, with their value vocabularies ("" = empty = does not apply).
_REPORT_PRESENCE = {"present", "absent", "uncertain", "not_mentioned"}
_SIDES = {"right", "left", "bilateral", "isthmus", "unknown"}
_TRUE_FALSE = {"true", "false"}
FIELD_VOCABULARY: dict[str, set[str]] = {
    "us_pattern": {"microcalcifications_only", "microcalcifications_with_mass", "mass_only", "negative"},
    "microcalcifications": _REPORT_PRESENCE,
    "mass": _REPORT_PRESENCE,
    "microcalcification_clustered": _TRUE_FALSE,
    "microcalcification_extent": {"diffuse", "localized", "unspecified"},
    "microcalcification_laterality": {"right", "left", "bilateral", "isthmus", "unspecified"},
    "focal_echogenicity_change": {"present", "absent", "not_mentioned"},
    "bethesda_category": set(BETHESDA),
    "histology": {"papillary_carcinoma", "follicular_carcinoma", "medullary_carcinoma", "anaplastic_carcinoma",
                  "other_malignant", "benign", "not_stated"},
    "ptc_subtype": {"classic", "follicular", "tall_cell", "diffuse_sclerosing", "other", "unspecified"},
    "mass_in_specimen": {"present", "absent", "not_stated"},
    "psammoma_bodies": {"present", "absent", "not_mentioned"},
    "final_diagnosis": {"malignant", "benign", "indeterminate", "unknown"},
    "final_diagnosis_source": {"surgical_pathology", "cytology", "none"},
    "link_status": {"linked", "no_dated_ultrasound"},
    "us_side": _SIDES,
    "fna_site": _SIDES,
    "tumor_site": _SIDES,
    "laterality_concordance": {"concordant", "discordant", "unknown"},
    "flag_us_no_mass_specimen_mass": _TRUE_FALSE,
    "flag_cytology_surgery_discordant": _TRUE_FALSE,
    "flag_laterality_discordant": _TRUE_FALSE,
    "index_us_rule": {"latest_before_first_cytology", "latest_before_first_surgery", "earliest", "latest"},
}
for _values in FIELD_VOCABULARY.values():
    _values.add("")


# --- TOML with line numbers -------------------------------------------------------------------------------------


class LineFinder:
    """Finds the line a key or value was written on (tomllib keeps no positions); searches forward in order."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        self.cursor = 0

    def find(self, *needles: str, advance: bool = True) -> int | None:
        for number in range(self.cursor, len(self.lines)):
            code = self.lines[number].split("#", 1)[0] if "#" in self.lines[number] else self.lines[number]
            if all(n in code for n in needles):
                if advance:
                    self.cursor = number
                return number + 1
        for number, line in enumerate(self.lines):  # fall back to anywhere in the file
            if all(n in line for n in needles):
                return number + 1
        return None


# --- definitions ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Test:
    """One criterion: ``field`` takes one of ``values``."""

    field: str
    values: tuple[str, ...]
    line: int | None

    def describe(self) -> str:
        shown = ", ".join(repr(v) for v in self.values)
        return f"{self.field} in [{shown}]"


@dataclass(frozen=True)
class Group:
    """``all`` / ``any`` / ``not`` over tests and nested groups."""

    kind: str
    items: tuple  # of Test | Group
    line: int | None


@dataclass(frozen=True)
class Definition:
    id: str
    title: str
    citation: str
    rationale: str
    criteria: tuple[Group, ...]  # all must hold
    path: str
    notes: str = ""

    @property
    def column(self) -> str:
        return f"def_{self.id}"

    def fields(self) -> list[str]:
        out: list[str] = []
        for test in iter_tests(self.criteria):
            if test.field not in out:
                out.append(test.field)
        return out


def iter_tests(items: Iterable) -> Iterable[Test]:
    for item in items:
        if isinstance(item, Test):
            yield item
        else:
            yield from iter_tests(item.items)


def _parse_item(item, *, path: str, finder: LineFinder, where: str):
    if not isinstance(item, dict):
        raise PatternError(f"{where}: each criterion must be an inline table {{ field = ..., in = [...] }}",
                           path=path, line=finder.find(where.split(".")[-1], advance=False))
    groups = [g for g in GROUPS if g in item]
    if groups:
        if len(item) != 1:
            raise PatternError(f"{where}: a nested group holds exactly one of {list(GROUPS)} and nothing else",
                               path=path, line=finder.find(f"{groups[0]}", advance=False))
        return _parse_group(groups[0], item[groups[0]], path=path, finder=finder, where=f"{where}.{groups[0]}")
    unknown = set(item) - {"field", "in", "equals"}
    name = item.get("field")
    line = finder.find(f'"{name}"') if isinstance(name, str) else finder.find("field", advance=False)
    if unknown:
        raise PatternError(f"{where}: unknown key(s) {sorted(unknown)}; a test has field and in (or equals)",
                           path=path, line=line)
    if not isinstance(name, str) or not name:
        raise PatternError(f"{where}: a test needs field = \"<patients column>\"", path=path, line=line)
    if name not in FIELD_VOCABULARY:
        raise PatternError(f"unknown field {name!r}; known fields: {sorted(FIELD_VOCABULARY)}", path=path, line=line)
    if ("in" in item) == ("equals" in item):
        raise PatternError(f"field {name!r}: give exactly one of in = [...] or equals = \"...\"", path=path, line=line)
    values = item["in"] if "in" in item else [item["equals"]]
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        raise PatternError(f"field {name!r}: in must be a non-empty list of strings", path=path, line=line)
    for value in values:
        if value not in FIELD_VOCABULARY[name]:
            allowed = sorted(v for v in FIELD_VOCABULARY[name] if v)
            raise PatternError(f"field {name!r}: unknown value {value!r}; allowed: {allowed} (or \"\" for empty)",
                               path=path, line=line)
    return Test(name, tuple(values), line)


def _parse_group(kind: str, items, *, path: str, finder: LineFinder, where: str) -> Group:
    line = finder.find(kind, advance=False)
    if not isinstance(items, list) or not items:
        raise PatternError(f"{where}: must be a non-empty list of criteria", path=path, line=line)
    parsed = tuple(_parse_item(item, path=path, finder=finder, where=where) for item in items)
    return Group(kind, parsed, line)


def parse_definition(path: Path) -> Definition:
    data, lines = read_toml(path)
    finder = LineFinder(lines)
    spath = str(path)
    unknown = set(data) - TOP_KEYS
    if unknown:
        first = sorted(unknown)[0]
        raise PatternError(f"unknown key(s) {sorted(unknown)}; allowed: {sorted(TOP_KEYS)}", path=spath,
                           line=finder.find(first, advance=False))
    for key in REQUIRED_KEYS:
        if key not in data:
            raise PatternError(f"missing required key {key!r}", path=spath)
    for key in ("id", "title", "citation", "rationale"):
        if not isinstance(data[key], str) or not data[key].strip():
            raise PatternError(f"{key} must be a non-empty string", path=spath, line=finder.find(key, advance=False))
    if not ID_PATTERN.match(data["id"]):
        raise PatternError(f"id {data['id']!r} must be lower case letters, digits and _ (it becomes def_<id>)",
                           path=spath, line=finder.find("id", advance=False))
    criteria = data["criteria"]
    if not isinstance(criteria, dict) or not criteria:
        raise PatternError("[criteria] must be a table with all / any / not lists", path=spath,
                           line=finder.find("criteria", advance=False))
    bad = set(criteria) - set(GROUPS)
    if bad:
        raise PatternError(f"[criteria]: unknown key(s) {sorted(bad)}; allowed: {list(GROUPS)}", path=spath,
                           line=finder.find(sorted(bad)[0], advance=False))
    finder.cursor = (finder.find("[criteria]", advance=False) or 1) - 1
    groups = tuple(_parse_group(kind, criteria[kind], path=spath, finder=finder, where=f"criteria.{kind}")
                   for kind in GROUPS if kind in criteria)
    return Definition(id=data["id"], title=data["title"].strip(), citation=data["citation"].strip(),
                      rationale=data["rationale"].strip(), criteria=groups, path=spath,
                      notes=str(data.get("notes", "")).strip())


def definitions_dir() -> Path:
    return patterns_dir() / "definitions"


def _files(source: Path) -> list[Path]:
    if source.is_dir():
        return sorted(source.glob("*.toml"))
    if source.is_file():
        return [source]
    raise PatternError("definition file or directory not found", path=str(source))


def load_definitions(sources: Iterable[str | Path] | None = None, *, shipped: bool = True,
                     only: Iterable[str] | None = None) -> list[Definition]:
    """Load and validate definitions: the shipped ones (``shipped=True``) plus every file / directory in
    ``sources``; ``only`` keeps the named ids (unknown ids raise). Ids must be unique."""
    files: list[Path] = []
    if shipped and definitions_dir().is_dir():
        files += _files(definitions_dir())
    for source in sources or ():
        files += _files(Path(source))
    seen: dict[str, Definition] = {}
    out: list[Definition] = []
    for path in files:
        definition = parse_definition(path)
        if definition.id in seen:
            if Path(seen[definition.id].path).resolve() == path.resolve():
                continue
            raise PatternError(f"duplicate definition id {definition.id!r} (first in {seen[definition.id].path})",
                               path=str(path), line=LineFinder(path.read_text().splitlines()).find("id"))
        seen[definition.id] = definition
        out.append(definition)
    if only is not None:
        wanted = list(only)
        missing = [w for w in wanted if w not in seen]
        if missing:
            raise PatternError(f"unknown definition id(s) {missing}; known: {sorted(seen)}",
                               path=str(definitions_dir()))
        out = [seen[w] for w in wanted]
    return out


def get_definition(definition_id: str, sources: Iterable[str | Path] | None = None) -> Definition:
    return load_definitions(sources, only=[definition_id])[0]


# --- evaluation (pandas only when called) -------------------------------------------------------------------------


def _mask(item, frame):
    if isinstance(item, Test):
        column = frame[item.field].fillna("").astype(str) if item.field in frame.columns else None
        if column is None:
            import pandas as pd

            return pd.Series("" in item.values, index=frame.index)
        return column.isin(item.values)
    masks = [_mask(i, frame) for i in item.items]
    combined = masks[0].copy()
    for m in masks[1:]:
        combined = (combined & m) if item.kind == "all" else (combined | m)
    return ~combined if item.kind == "not" else combined


def evaluate(definition: Definition, patients) -> "pd.Series":  # noqa: F821
    """Boolean Series (index of ``patients``): does each patient meet the definition? Vectorised."""
    import pandas as pd

    result = pd.Series(True, index=patients.index)
    for group in definition.criteria:
        result &= _mask(group, patients)
    return result


def apply_definitions(patients, definitions: Iterable[Definition]):
    """Return a copy of ``patients`` with one ``def_<id>`` column ("true" / "false") per definition."""
    out = patients.copy()
    for definition in definitions:
        out[definition.column] = evaluate(definition, patients).map({True: "true", False: "false"}).astype(str)
    return out


@dataclass
class CriterionResult:
    path: str  # e.g. "all[1]" or "not[0].any[1]"
    field: str
    value: str
    expected: tuple[str, ...]
    passed: bool  # the test itself (before any enclosing not)
    line: int | None

    def as_dict(self) -> dict:
        return {"criterion": self.path, "field": self.field, "value": self.value,
                "expected": list(self.expected), "passed": self.passed, "line": self.line}


def _explain(item, row: Mapping, path: str, out: list[CriterionResult]) -> bool:
    if isinstance(item, Test):
        value = row.get(item.field, "")
        value = "" if value is None or value != value else str(value)  # NaN -> ""
        passed = value in item.values
        out.append(CriterionResult(path, item.field, value, item.values, passed, item.line))
        return passed
    results = [_explain(sub, row, f"{path}.{item.kind}[{i}]" if path else f"{item.kind}[{i}]", out)
               for i, sub in enumerate(item.items)]
    if item.kind == "all":
        return all(results)
    if item.kind == "any":
        return any(results)
    return not any(results)


def explain(definition: Definition, patient: Mapping) -> dict:
    """Why one patient (a patients row as a dict / Series) is in or out: per criterion the field, the value and
    pass / fail. ``verdict`` equals the patient's ``def_<id>``. Used by the audit page and ``radpath explain``."""
    rows: list[CriterionResult] = []
    verdicts = [_explain(group, dict(patient), "", rows) for group in definition.criteria]
    verdict = all(verdicts)
    return {
        "definition": definition.id,
        "title": definition.title,
        "citation": definition.citation,
        "patient_id": str(dict(patient).get("patient_id", "")),
        "verdict": verdict,
        "criteria": [r.as_dict() for r in rows],
        "groups": [{"group": g.kind, "holds": v} for g, v in zip(definition.criteria, verdicts)],
    }


def format_explanation(explanation: Mapping) -> str:
    lines = [f"{explanation['patient_id']}: {explanation['definition']} = "
             f"{'true' if explanation['verdict'] else 'false'}  ({explanation['title']})"]
    for c in explanation["criteria"]:
        group = c["criterion"].split("[", 1)[0]
        wanted = " or ".join(repr(v) for v in c["expected"])
        mark = "pass" if c["passed"] != (group == "not") else "FAIL"
        verb = "must not be" if group == "not" else "must be"
        lines.append(f"  [{mark}] {c['criterion']:14} {c['field']} = {c['value'] or '(empty)'!r}; {verb} {wanted}")
    return "\n".join(lines)
