"""OMOP CDM v5.4: NOTE rows in (as radpath input), NOTE_NLP rows out (from the mentions table). No spaCy here.

Input mapping (NOTE -> radpath's canonical input columns):

| radpath      | OMOP NOTE                                                                   |
| ------------ | --------------------------------------------------------------------------- |
| report_id    | note_id                                                                     |
| patient_id   | person_id                                                                   |
| report_date  | note_date (else the date part of note_datetime)                             |
| report_type  | note_title (else the name given for note_type_concept_id, else empty)        |
| text         | note_text                                                                   |

Column names are matched case-insensitively (NOTE_TEXT or note_text). An empty report_type is fine: radpath then
reads the report kind from the text.

Output (NOTE_NLP, one row per mention) - concept-id choices:

- ``note_id``: the report id when every report id is an integer (an OMOP NOTE input always is); otherwise each
  distinct report id, in sorted order, gets 1, 2, ... and ``DIR/note_nlp_ids`` (report_id, note_id) records the
  mapping, so NOTE_NLP can be written for any input and joined back to radpath's tables.
- ``note_nlp_concept_id`` and ``note_nlp_source_concept_id`` are **0** ("no matching concept") unless a concept map
  maps the mention (``--concept-map FILE``, read by ``read_concept_map``: a mention's rule id first, then its
  label). radpath ships no concept ids because the labels (MICROCALCIFICATION, COMET_TAIL_ARTIFACT, ...) have no
  verified one-to-one standard concepts and a wrong id is worse than 0: the map is the user's, e.g. from a local
  Athena vocabulary. The label is always in ``term_modifiers``.
- ``section_concept_id`` is 0 for the same reason; the section name is in ``term_modifiers``.
- ``term_exists`` = ``Y`` only for an affirmed current thyroid mention (status ``affirmed``); ``N`` for negated,
  uncertain, excluded (lymph node, history section, family, hypothetical) - the CDM defines term_exists as "the
  patient actually has or had the condition", and uncertain mentions are not asserted.
- ``term_temporal`` = ``past`` for historical mentions, else ``present``.
- ``offset`` = the mention's start character offset in the note text; ``snippet`` = its sentence (250 chars at most,
  centred on the mention); ``lexical_variant`` = the mention text.
- ``note_nlp_id`` numbers the rows 1..n in (note_id, mention_index) order; add an offset when appending.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Mapping

import pandas as pd

from .. import __version__
from ..errors import InputError
from .sources import ColumnMap, _safe_names
from .store import write_frame

NOTE_COLUMNS = ["note_id", "person_id", "note_date", "note_datetime", "note_type_concept_id",
                "note_class_concept_id", "note_title", "note_text", "encoding_concept_id", "language_concept_id",
                "provider_id", "visit_occurrence_id", "visit_detail_id", "note_source_value", "note_event_id",
                "note_event_field_concept_id"]
# CDM v5.4 NOTE_NLP columns in order, with their types (pandas dtypes used when writing).
NOTE_NLP_COLUMNS = {
    "note_nlp_id": "int64",
    "note_id": "int64",
    "section_concept_id": "int64",
    "snippet": "object",  # varchar(250)
    "offset": "object",  # varchar(50)
    "lexical_variant": "object",  # varchar(250), required
    "note_nlp_concept_id": "int64",
    "note_nlp_source_concept_id": "int64",
    "nlp_system": "object",  # varchar(250)
    "nlp_date": "date",  # required
    "nlp_datetime": "datetime64[us]",
    "term_exists": "object",  # varchar(1)
    "term_temporal": "object",  # varchar(50)
    "term_modifiers": "object",  # varchar(2000)
}
VARCHAR_LIMITS = {"snippet": 250, "offset": 50, "lexical_variant": 250, "nlp_system": 250, "term_exists": 1,
                  "term_temporal": 50, "term_modifiers": 2000}
MODIFIERS = ("negated", "uncertain", "historical", "hypothetical", "family")
ATTRIBUTES = ("organ", "laterality", "extent", "clustering")


def _find(frame: pd.DataFrame, name: str) -> str | None:
    lower = {str(c).lower(): str(c) for c in frame.columns}
    return lower.get(name)


def omop_column_map(note: pd.DataFrame) -> ColumnMap:
    """The ColumnMap that reads an OMOP NOTE table as radpath input (for ``extract(df, columns=...)``)."""
    needed = {name: _find(note, name) for name in ("note_id", "person_id", "note_text")}
    missing = [k for k, v in needed.items() if v is None]
    if missing:
        raise InputError(f"not an OMOP NOTE table: column(s) {missing} missing; found {_safe_names(note.columns)}",
                         column=missing[0])
    # An absent optional column keeps ColumnMap's default name (a non-default name must exist in the input).
    date = _find(note, "note_date") or _find(note, "note_datetime") or ColumnMap.report_date
    title = _find(note, "note_title") or ColumnMap.report_type
    return ColumnMap(report_id=needed["note_id"], patient_id=needed["person_id"], report_date=date,
                     report_type=title, text=needed["note_text"])


def note_to_reports(note: pd.DataFrame, *, note_type_names: Mapping[int, str] | None = None) -> pd.DataFrame:
    """An OMOP NOTE table as a DataFrame in radpath's canonical input columns (report_id, patient_id,
    report_date, report_type, text). ``note_type_names`` maps note_type_concept_id -> a type hint (e.g.
    {44814640: "pathology"}) used when note_title is empty."""
    columns = omop_column_map(note)
    out = pd.DataFrame({
        "report_id": note[columns.report_id].map(_id_text),
        "patient_id": note[columns.patient_id].map(_id_text),
        "text": note[columns.text].fillna("").astype(str),
    })
    date_col, datetime_col = _find(note, "note_date"), _find(note, "note_datetime")
    date = note[date_col] if date_col else pd.Series("", index=note.index)
    date = date.map(lambda v: "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)[:10])
    if datetime_col:
        fallback = note[datetime_col].map(lambda v: "" if v is None or (not isinstance(v, str) and pd.isna(v))
                                          else str(v)[:10])
        date = date.where(date != "", fallback)
    out["report_date"] = date
    title_col, type_col = _find(note, "note_title"), _find(note, "note_type_concept_id")
    hint = note[title_col].fillna("").astype(str) if title_col else pd.Series("", index=note.index)
    if type_col and note_type_names:
        by_type = note[type_col].map(lambda v: note_type_names.get(int(v), "") if pd.notna(v) else "")
        hint = hint.where(hint.str.strip() != "", by_type)
    out["report_type"] = hint
    return out[["report_id", "patient_id", "report_date", "report_type", "text"]]


def _id_text(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _snippet(sentence: str, start: int, end: int, sentence_start: int, limit: int = 250) -> str:
    sentence = str(sentence or "")
    if len(sentence) <= limit:
        return sentence
    middle = (start + end) // 2 - sentence_start
    left = max(0, min(len(sentence) - limit, middle - limit // 2))
    return sentence[left:left + limit]


def _flag(value) -> bool:
    return str(value).strip().lower() == "true"


CONCEPT_MAP_COLUMNS = ("match", "value", "concept_id")  # plus an optional source_concept_id and free columns
CONCEPT_MAP_MATCHES = ("rule", "label")  # precedence: a rule's mapping outranks its label's


@dataclass(frozen=True)
class ConceptMap:
    """Standard (and source) concept ids for NOTE_NLP rows, by a mention's rule id or label (docs/omop.md)."""

    by_rule: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    by_label: Mapping[str, tuple[int, int]] = field(default_factory=dict)

    def lookup(self, rule: str, label: str) -> tuple[int, int]:
        return self.by_rule.get(rule) or self.by_label.get(label) or (0, 0)


def read_concept_map(path: str | Path) -> ConceptMap:
    """A concept-map TSV: header ``match<TAB>value<TAB>concept_id[<TAB>source_concept_id]`` (other columns, such as
    a note, are ignored); ``match`` is ``rule`` or ``label``. Blank lines and ``#`` comments are skipped. Errors
    name the file, line and column."""
    path = Path(path)
    if not path.is_file():
        raise InputError("concept map not found", path=str(path))
    maps = {"rule": {}, "label": {}}
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [(n, line) for n, line in enumerate(handle, 1) if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise InputError("concept map is empty", path=str(path))
    header_line, header = lines[0][0], next(csv.reader([lines[0][1]], delimiter="\t"))
    header = [h.strip() for h in header]
    missing = [c for c in CONCEPT_MAP_COLUMNS if c not in header]
    if missing:
        raise InputError(f"concept map header lacks column(s) {missing}; expected {list(CONCEPT_MAP_COLUMNS)}",
                         path=str(path), row=header_line)
    for number, line in lines[1:]:
        cells = dict(zip(header, (c.strip() for c in next(csv.reader([line], delimiter="\t")))))
        match, value = cells.get("match", ""), cells.get("value", "")
        if match not in CONCEPT_MAP_MATCHES:
            raise InputError(f"match must be one of {list(CONCEPT_MAP_MATCHES)}", path=str(path), row=number,
                             column="match")
        if not value:
            raise InputError("value is empty", path=str(path), row=number, column="value")
        ids = []
        for column in ("concept_id", "source_concept_id"):
            text = cells.get(column, "") or "0"
            if not text.isdigit():
                raise InputError(f"{column} must be a non-negative integer", path=str(path), row=number,
                                 column=column)
            ids.append(int(text))
        if value in maps[match]:
            raise InputError(f"{match} {value!r} is mapped twice", path=str(path), row=number, column="value")
        maps[match][value] = (ids[0], ids[1])
    return ConceptMap(by_rule=maps["rule"], by_label=maps["label"])


def note_id_map(report_ids: pd.Series) -> pd.DataFrame | None:
    """None when every report id is an integer (it is the note_id); else (report_id, note_id) numbering the
    distinct report ids 1..n in sorted order, the mapping DIR/note_nlp_ids records."""
    text = report_ids.astype(str)
    if text.str.fullmatch(r"-?\d+").all():
        return None
    distinct = sorted(set(text))
    return pd.DataFrame({"report_id": distinct, "note_id": pd.Series(range(1, len(distinct) + 1), dtype="int64")})


def note_nlp_frame(
    mentions: pd.DataFrame,
    *,
    nlp_system: str | None = None,
    nlp_datetime: datetime | None = None,
    concept_ids: Mapping[str, int] | None = None,
    source_concept_ids: Mapping[str, int] | None = None,
    concept_map: ConceptMap | None = None,
    note_ids: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """NOTE_NLP rows (CDM v5.4 columns, in order, with their types) from radpath's mentions table.

    ``note_ids`` (report_id -> note_id, see note_id_map) is required when report ids are not integers.
    ``concept_map`` maps rule ids and labels to concept ids; ``concept_ids`` / ``source_concept_ids`` (label ->
    id) are the older by-label form, used when no concept map is given."""
    nlp_datetime = (nlp_datetime or datetime.now()).replace(microsecond=0)
    nlp_system = nlp_system or f"radpath {__version__}"
    if concept_map is None:
        labels = set(concept_ids or {}) | set(source_concept_ids or {})
        concept_map = ConceptMap(by_label={lab: (int((concept_ids or {}).get(lab, 0)),
                                                 int((source_concept_ids or {}).get(lab, 0))) for lab in labels})
    if note_ids is not None and len(mentions):
        lookup = dict(zip(note_ids["report_id"].astype(str), note_ids["note_id"]))
        mentions = mentions.assign(report_id=mentions["report_id"].astype(str).map(lookup))
    if len(mentions):
        ids = pd.to_numeric(mentions["report_id"].astype(str), errors="coerce")
        bad = mentions.loc[ids.isna() | (ids % 1 != 0), "report_id"]
        if len(bad):
            raise InputError(f"NOTE_NLP needs integer note ids; report_id {str(bad.iloc[0])!r} is not one "
                             "(give note_ids, see note_id_map)", column="report_id")
    m = mentions.copy()
    m["_note_id"] = pd.to_numeric(m["report_id"].astype(str)).astype("int64") if len(m) else pd.Series(dtype="int64")
    m = m.sort_values(["_note_id", "mention_index"], kind="mergesort").reset_index(drop=True)

    def modifiers(row) -> str:
        parts = [f"label={row['label']}", f"status={row['status']}", f"section={row['section']}"]
        parts += [f"{name}={'true' if _flag(row.get(name)) else 'false'}" for name in MODIFIERS]
        for name in ATTRIBUTES:
            value = row.get(name)
            if isinstance(value, str) and value:
                parts.append(f"{name}={value}")
        parts.append(f"rule={row.get('rule_id', '')}")
        return "; ".join(parts)[:2000]

    records = m.to_dict("records")
    concepts = [concept_map.lookup(str(r.get("rule_id", "")), str(r["label"])) for r in records]
    out = pd.DataFrame({
        "note_nlp_id": pd.Series(range(1, len(m) + 1), dtype="int64"),
        "note_id": m["_note_id"].astype("int64"),
        "section_concept_id": pd.Series(0, index=m.index, dtype="int64"),
        "snippet": [_snippet(r["sentence"], int(r["start_char"]), int(r["end_char"]), int(r["sentence_start"]))
                    for r in records],
        "offset": [str(int(r["start_char"])) for r in records],
        "lexical_variant": [str(r["text"])[:250] for r in records],
        "note_nlp_concept_id": pd.Series([c for c, _ in concepts], index=m.index, dtype="int64"),
        "note_nlp_source_concept_id": pd.Series([s for _, s in concepts], index=m.index, dtype="int64"),
        "nlp_system": nlp_system[:250],
        "nlp_date": pd.Series([nlp_datetime.date()] * len(m), dtype=object),
        "nlp_datetime": pd.Series([nlp_datetime] * len(m), dtype="datetime64[us]"),
        "term_exists": ["Y" if r["status"] == "affirmed" else "N" for r in records],
        "term_temporal": ["past" if _flag(r.get("historical")) else "present" for r in records],
        "term_modifiers": [modifiers(r) for r in records],
    })
    for column in ("snippet", "offset", "lexical_variant", "nlp_system", "term_exists", "term_temporal",
                   "term_modifiers"):
        out[column] = out[column].astype(object)
    return out[list(NOTE_NLP_COLUMNS)]


def write_note_nlp(frame: pd.DataFrame, directory, name: str = "note_nlp") -> list:
    """Write NOTE_NLP as CSV + Parquet (nlp_date as a Parquet date32, nlp_datetime as a timestamp). Private: the
    snippets quote report text."""
    return write_frame(frame, directory, name, private=True)
