"""Load what the audit shows: DIR/reports, DIR/mentions, DIR/patients (when linking has run), the case
definitions, and the report texts from the input table. No spaCy here."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import InputError, PatternError, RadpathError
from ..knowledge.definitions import Group, parse_definition
from ..knowledge.resources import patterns_dir
from ..run.manifest import _recorded_entries, recorded_inputs
from ..tables.sources import ColumnMap, read_reports
from ..tables.typed import text_frame

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
INT_MENTION_COLUMNS = ("mention_index", "start_char", "end_char", "sentence_start", "sentence_end")
MODIFIERS = ("negated", "uncertain", "historical", "hypothetical", "family")
ATTRIBUTES = ("organ", "laterality", "extent", "clustering")


class AuditError(RadpathError):
    """DIR cannot be audited as asked (missing tables, unreadable input)."""

    exit_code = 2


@dataclass(frozen=True)
class Definition:
    """A case definition from patterns/definitions/<id>.toml (or a bare def_<id> column without a file)."""

    id: str
    title: str
    citation: str = ""
    rationale: str = ""
    criteria: tuple[dict, ...] = ()
    path: str = ""  # the definition file, when there is one

    @property
    def column(self) -> str:
        return f"def_{self.id}"


@dataclass
class AuditData:
    directory: Path
    reports: pd.DataFrame  # every column as text ("" when empty)
    mentions: pd.DataFrame
    texts: dict[str, str] | None  # report_id -> text; None when the input table is not available
    patients: pd.DataFrame | None  # None until linking has written DIR/patients
    definitions: list[Definition]
    errors: pd.DataFrame | None = None
    input_path: Path | None = None
    warnings: list[str] = field(default_factory=list)
    text_mismatch: set[str] = field(default_factory=set)  # reports whose text does not match their mentions

    @property
    def flags(self) -> list[str]:
        if self.patients is None:
            return []
        return [c for c in self.patients.columns if c.startswith("flag_")]

    def text_of(self, report_id: str) -> str | None:
        if self.texts is None or report_id in self.text_mismatch:
            return None
        return self.texts.get(report_id)


def _read_table(directory: Path, name: str, *, required: bool) -> pd.DataFrame | None:
    parquet, csv = directory / f"{name}.parquet", directory / f"{name}.csv"
    if parquet.is_file():
        frame = text_frame(pd.read_parquet(parquet))
    elif csv.is_file():
        frame = pd.read_csv(csv, dtype=str, keep_default_na=False, na_filter=False)
    elif required:
        raise AuditError(f"{directory}: no {name}.parquet or {name}.csv; run `radpath extract` first")
    else:
        return None
    return frame


def _as_text_frame(frame: pd.DataFrame, *, keep: tuple[str, ...] = ()) -> pd.DataFrame:
    frame = frame.copy()
    for column in frame.columns:
        if column in keep:
            continue
        series = frame[column]
        if series.dtype == bool or str(series.dtype) == "boolean":
            frame[column] = series.map(lambda v: "" if pd.isna(v) else ("true" if v else "false"))
        else:
            frame[column] = series.astype(object).where(series.notna(), "").astype(str)
    return frame


def _mentions(frame: pd.DataFrame) -> pd.DataFrame:
    frame = _as_text_frame(frame)
    for column in INT_MENTION_COLUMNS:
        if column in frame:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").fillna(-1).astype(int)
    for modifier in MODIFIERS:
        if modifier in frame:
            frame[modifier] = frame[modifier].str.lower().isin({"true", "1"})
    return frame


def read_manifest(directory: Path) -> dict:
    path = directory / MANIFEST
    if not path.is_file():
        return {}
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        log.warning("%s: unreadable manifest (%s); ignored", path, type(e).__name__)
        return {}
    return manifest if isinstance(manifest, dict) else {}


def _manifest_input(manifest: dict) -> tuple[list[str], dict]:
    """(input paths, column names) as recorded by `radpath extract` (manifest "inputs": [{"path": ...}] and
    "options": {"columns": {...}}); older or simpler shapes ("input": "path") are accepted too."""
    options = manifest.get("options") if isinstance(manifest.get("options"), dict) else {}
    columns = options.get("columns") or manifest.get("columns") or {}
    value = manifest.get("inputs") or manifest.get("input") or manifest.get("input_path") or manifest.get("source")
    items = value if isinstance(value, list) else ([value] if value else [])
    paths = []
    for item in items:
        if isinstance(item, dict):
            columns = item.get("columns") or columns
            item = item.get("path") or item.get("file")
        if item:
            paths.append(str(item))
    return paths, (columns if isinstance(columns, dict) else {})


def _manifest_definitions(manifest: dict):
    """A directory, or the list of definition files recorded in the manifest, or None."""
    value = manifest.get("definitions")
    if isinstance(value, str):
        return Path(value)
    if isinstance(value, list):
        files = [Path(v["path"]) if isinstance(v, dict) and v.get("path") else Path(str(v)) for v in value]
        return [f for f in files if f.is_file()] or None
    return None


def _column_map(columns: dict) -> ColumnMap:
    names = {}
    for canonical in ("report_id", "patient_id", "report_date", "report_type", "text"):
        short = {"report_id": "id_col", "patient_id": "patient_col", "report_date": "date_col",
                 "report_type": "type_col", "text": "text_col"}[canonical]
        value = columns.get(canonical) or columns.get(short)
        if value:
            names[canonical] = str(value)
    return ColumnMap(**names)


def _resolve(path: str, directory: Path) -> Path:
    candidate = Path(path).expanduser()
    if candidate.is_absolute() or candidate.exists():
        return candidate
    beside = directory / candidate
    return beside if beside.exists() else candidate


def load_texts(path: Path, *, columns: ColumnMap = ColumnMap()) -> dict[str, str]:
    table = read_reports(path, columns=columns)
    return dict(zip(table.reports["report_id"].astype(str), table.reports["text"].astype(str)))


def load_definitions(directory, patients: pd.DataFrame | None) -> list[Definition]:
    """Definitions in use: every def_<id> column of patients, described by patterns/definitions/<id>.toml when
    that file exists. Without patients, the files alone (nothing to show per patient). Files are read by the one
    definitions parser (extractor.knowledge.definitions); a file it refuses is shown without its description, with
    a warning naming the file, line and problem."""
    found: dict[str, Definition] = {}
    if isinstance(directory, (list, tuple)):
        files = [Path(p) for p in directory]
    elif directory is not None and Path(directory).is_dir():
        files = sorted(Path(directory).glob("*.toml"))
    else:
        files = []
    for path in files:
        try:
            parsed = parse_definition(path)
        except PatternError as e:
            log.warning("unreadable definition (%s); shown without its description", e)
            continue
        found[parsed.id] = Definition(id=parsed.id, title=parsed.title, citation=parsed.citation,
                                      rationale=parsed.rationale, criteria=tuple(_leaves(parsed.criteria)),
                                      path=str(path))
    if patients is None:
        return list(found.values())
    in_use = [c[len("def_"):] for c in patients.columns if c.startswith("def_")]
    return [found.get(d, Definition(id=d, title=d)) for d in in_use]


GROUPS = {"all": "all of", "any": "any of", "not": "none of"}


def _leaves(items, path: str = "", negate: bool = False):
    """The parsed criteria as flat leaf dicts for display: "field" and "in" (its values), the "group" path they sit
    in ("all of", "any of › ...", "none of") and "negate_group" (True inside an odd number of "not" groups)."""
    for item in items:
        if isinstance(item, Group):
            here = f"{path} › {GROUPS[item.kind]}" if path else GROUPS[item.kind]
            yield from _leaves(item.items, here, negate != (item.kind == "not"))
        else:
            yield {"field": item.field, "in": list(item.values), "group": path, "negate_group": negate}


def check_texts(texts: dict[str, str], mentions: pd.DataFrame) -> set[str]:
    """Reports whose text does not reproduce their mentions (text[start:end] != mention text): a different input
    file. Their text is not shown, rather than highlighting the wrong words."""
    bad = set()
    for row in mentions[["report_id", "start_char", "end_char", "text"]].itertuples(index=False):
        text = texts.get(row.report_id)
        if text is None or text[row.start_char:row.end_char] != row.text:
            bad.add(row.report_id)
    return bad


def load_audit_data(directory, input=None, *, columns: ColumnMap | None = None,
                    definitions_dir=None, with_texts: bool = True) -> AuditData:
    """Read DIR's tables and, for the texts, ``input`` or else the input file recorded in DIR/manifest.json.

    Missing texts or a missing patients table are not errors: the audit then shows what it can and says why.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise AuditError(f"{directory}: not a directory")
    warnings: list[str] = []
    reports = _as_text_frame(_read_table(directory, "reports", required=True))
    mentions_raw = _read_table(directory, "mentions", required=False)
    if mentions_raw is None:
        warnings.append("no mentions table: evidence cannot be shown")
        mentions_raw = pd.DataFrame(columns=["report_id", "patient_id", "mention_index", "label", "text",
                                             "start_char", "end_char", "sentence", "status"])
    mentions = _mentions(mentions_raw)
    errors = _read_table(directory, "errors", required=False)
    patients = _read_table(directory, "patients", required=False)
    if patients is not None:
        patients = _as_text_frame(patients)
    else:
        warnings.append("no patients table (patient linking has not run): report-level views only")

    manifest = read_manifest(directory)
    recorded, recorded_columns = _manifest_input(manifest)
    notes: list[str] = []
    if with_texts and (input or _recorded_entries(manifest)):  # by absolute path, and unchanged since the run
        paths, notes = recorded_inputs(directory, input, manifest=manifest)
    else:
        paths = [_resolve(r, directory) for r in recorded]
    warnings.extend(notes)
    texts = None
    input_path = paths[0] if paths else None
    if not with_texts:
        input_path = None
    elif not paths and notes:
        pass  # moved or changed: the notes say so
    elif not paths:
        warnings.append("report texts not available: no manifest.json with the input file; use --input")
    elif not all(p.is_file() for p in paths):
        missing = ", ".join(p.name for p in paths if not p.is_file())
        warnings.append(f"report texts not available: input file {missing} not found; use --input")
        input_path = None
    else:
        texts = {}
        for path in paths:
            try:
                texts.update(load_texts(path, columns=columns or _column_map(recorded_columns)))
            except InputError as e:
                raise AuditError(f"cannot read the report texts: {e}") from e
    mismatch = check_texts(texts, mentions) if texts is not None else set()
    if mismatch:
        warnings.append(f"{len(mismatch)} report(s) whose text in the input does not match their mentions "
                        "(a different input file?): their text is not shown")
    if definitions_dir is None:
        patterns = manifest.get("patterns_dir") or manifest.get("patterns")
        definitions_dir = _manifest_definitions(manifest) or (patterns_dir(patterns) / "definitions")
    definitions = load_definitions(definitions_dir, patients)
    return AuditData(directory=directory, reports=reports, mentions=mentions, texts=texts, patients=patients,
                     definitions=definitions, errors=errors, input_path=input_path, warnings=warnings,
                     text_mismatch=mismatch)
