"""Link each patient's reports into one patients row (contract v1): index ultrasound, windows, outcome, flags.

No spaCy here, and no report text: input is the reports table (``DIR/reports``, whose ``fna_site`` / ``tumor_site``
/ ``fna_position`` columns were extracted with the other report fields) and the nodules table.
Every rule is configuration (patterns/linking.toml); the decision tables are written out in
docs/patients-and-definitions.md and tested one row at a time in tests/linking/.

Cost: one sort plus group-wise first/last selections and a merge on patient_id - O(n log n) in reports, no
per-patient loops.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

import pandas as pd

from ..errors import InputError, PatternError
from ..knowledge.bethesda import BETHESDA
from ..knowledge.definitions import Definition, LineFinder, apply_definitions, read_toml
from ..knowledge.resources import patterns_dir
from ..tables.quality import DATE_STATUSES, date_status, parse_date
from ..tables.schemas import LINK_COLUMNS  # noqa: F401  (re-exported)
from .index_nodule import add_index_nodule

US, CYTOLOGY, SURGERY = "ultrasound", "cytology", "surgical_pathology"

# Contract v1 columns, in contract order; def_<id> columns follow them, then radpath's additions.
CONTRACT_PATIENT_COLUMNS = [
    "patient_id", "index_us_report_id", "index_us_date", "us_pattern",
    "microcalcification_clustered", "microcalcification_extent", "focal_echogenicity_change",
    "fna_report_id", "bethesda_category",
    "surgery_report_id", "histology", "ptc_subtype", "mass_in_specimen", "psammoma_bodies",
    "final_diagnosis",
]
ADDED_PATIENT_COLUMNS = [
    "link_status", "index_us_rule", "microcalcifications", "mass", "microcalcification_laterality",
    "fna_date", "fna_days_after_us", "surgery_date", "surgery_days_after_us",
    "final_diagnosis_source", "final_diagnosis_report_id",
    "us_side", "fna_site", "tumor_site", "laterality_concordance",
    "flag_us_no_mass_specimen_mass", "flag_cytology_surgery_discordant", "flag_laterality_discordant",
    "n_ultrasound", "n_cytology", "n_surgery", "n_undated", "n_outside_window",
]
LINK_STATUSES = (
    "index_ultrasound", "linked_fna", "linked_surgery", "in_window", "not_index", "before_index",
    "outside_window", "missing_date", "unparseable_date", "future_date", "no_ultrasound", "no_dated_ultrasound",
    "other_kind",
)
INDEX_RULES = ("latest_before_first_cytology", "latest_before_first_surgery", "earliest", "latest")
SIDE_SETS = {"right": {"R"}, "left": {"L"}, "isthmus": {"I"}, "bilateral": {"R", "L", "I"}}
MALIGNANCY = ("malignant", "suspicious", "indeterminate", "benign", "nondiagnostic", "not_stated")
OUTCOMES = ("malignant", "benign", "indeterminate", "unknown")


# --- configuration ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkingConfig:
    index_rules: tuple[str, ...] = ("latest_before_first_cytology", "latest_before_first_surgery", "earliest")
    cytology_days: int = 180
    surgery_days: int = 365
    microcalcifications_counted: frozenset = frozenset({"present"})
    mass_counted: frozenset = frozenset({"present", "uncertain"})
    surgery_outcome: Mapping[str, str] = field(default_factory=lambda: {"malignant": "malignant", "benign": "benign"})
    cytology_outcome: Mapping[str, str] = field(default_factory=lambda: {
        "VI": "malignant", "V": "indeterminate", "IV": "indeterminate", "III": "indeterminate", "II": "benign",
        "I": "unknown"})
    cytology_malignant: frozenset = frozenset({"V", "VI"})
    cytology_benign: frozenset = frozenset({"II"})
    path: str = "<defaults>"


_SCHEMA = {
    "index_ultrasound": {"rules"},
    "windows": {"cytology_days", "surgery_days"},
    "us_pattern": {"microcalcifications_counted", "mass_counted"},
    "final_diagnosis": {"surgery", "cytology", "cytology_malignant", "cytology_benign"},
}
# contract v1.1: the FNA and tumour sites are report columns, extracted with patterns/pathology/sites.tsv
_MOVED = {"sites": "the site cues moved to patterns/pathology/sites.tsv (fna_site / tumor_site are report columns)"}


def default_linking_path() -> Path:
    return patterns_dir() / "linking.toml"


def load_linking_config(path: str | Path | None = None) -> LinkingConfig:
    """Read and validate a linking configuration (default: patterns/linking.toml). Errors name file and line."""
    path = Path(path) if path is not None else default_linking_path()
    if not path.is_file():
        raise PatternError("linking configuration not found", path=str(path))
    data, lines = read_toml(path)
    finder = LineFinder(lines)
    spath = str(path)

    def fail(message: str, key: str) -> PatternError:
        return PatternError(message, path=spath, line=finder.find(key, advance=False))

    for table, value in data.items():
        if table in _MOVED:
            raise fail(f"[{table}] is no longer read: {_MOVED[table]}", table)
        if table not in _SCHEMA or not isinstance(value, dict):
            raise fail(f"unknown table [{table}]; known: {sorted(_SCHEMA)}", table)
        unknown = set(value) - _SCHEMA[table]
        if unknown:
            raise fail(f"[{table}]: unknown key(s) {sorted(unknown)}; allowed: {sorted(_SCHEMA[table])}",
                       sorted(unknown)[0])
    defaults = LinkingConfig()
    rules = tuple(data.get("index_ultrasound", {}).get("rules", defaults.index_rules))
    if not rules or any(r not in INDEX_RULES for r in rules):
        raise fail(f"index_ultrasound.rules must be a non-empty list of {list(INDEX_RULES)}", "rules")
    windows = data.get("windows", {})
    days = {}
    for key in ("cytology_days", "surgery_days"):
        value = windows.get(key, getattr(defaults, key))
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise fail(f"windows.{key} must be a whole number of days >= 0", key)
        days[key] = value
    pattern = data.get("us_pattern", {})
    counted = {}
    for key, allowed in (("microcalcifications_counted", {"present", "uncertain", "absent", "not_mentioned"}),
                         ("mass_counted", {"present", "uncertain", "absent", "not_mentioned"})):
        values = pattern.get(key, sorted(getattr(defaults, key)))
        if not isinstance(values, list) or any(v not in allowed for v in values):
            raise fail(f"us_pattern.{key} must be a list of {sorted(allowed)}", key)
        counted[key] = frozenset(values)
    dx = data.get("final_diagnosis", {})
    surgery = dx.get("surgery", dict(defaults.surgery_outcome))
    cytology = dx.get("cytology", dict(defaults.cytology_outcome))
    for name, mapping, keys in (("surgery", surgery, MALIGNANCY), ("cytology", cytology, BETHESDA)):
        if not isinstance(mapping, dict):
            raise fail(f"final_diagnosis.{name} must be a table", name)
        for k, v in mapping.items():
            if k not in keys or v not in OUTCOMES:
                raise fail(f"final_diagnosis.{name}: {k!r} = {v!r}; keys must be in {list(keys)}, values in "
                           f"{list(OUTCOMES)}", name)
    groups = {}
    for key, default in (("cytology_malignant", defaults.cytology_malignant),
                         ("cytology_benign", defaults.cytology_benign)):
        values = dx.get(key, sorted(default))
        if not isinstance(values, list) or any(v not in BETHESDA for v in values):
            raise fail(f"final_diagnosis.{key} must be a list of Bethesda categories {list(BETHESDA)}", key)
        groups[key] = frozenset(values)
    return LinkingConfig(index_rules=rules, cytology_days=days["cytology_days"], surgery_days=days["surgery_days"],
                         microcalcifications_counted=counted["microcalcifications_counted"],
                         mass_counted=counted["mass_counted"], surgery_outcome=surgery, cytology_outcome=cytology,
                         cytology_malignant=groups["cytology_malignant"], cytology_benign=groups["cytology_benign"],
                         path=spath)


# --- dates and sites ----------------------------------------------------------------------------------------------


def parse_dates(values: pd.Series, statuses: pd.Series | None = None) -> tuple[pd.Series, pd.Series]:
    """Report dates -> (day-precision datetime64 Series, status Series ``ok`` / ``missing`` / ``unparseable`` /
    ``future``), with the one parser of reports' ``report_date_status`` (:func:`extractor.tables.quality.parse_date`).
    ``statuses``: the reports' own ``report_date_status`` (decided on the day of the extraction), used where
    given. A date whose status is not ``ok`` is NaT: it is never linked."""
    text = values.fillna("").astype(str).str.strip()
    status = pd.Series([date_status(v) for v in text], index=values.index, dtype=object)
    if statuses is not None:
        given = statuses.fillna("").astype(str).reindex(values.index)
        known = given.isin(DATE_STATUSES)
        status[known] = given[known]
    days = [parse_date(v) if s == "ok" else None for v, s in zip(text, status)]
    parsed = pd.to_datetime(pd.Series(days, index=values.index, dtype=object), errors="coerce")
    status[(status == "ok") & parsed.isna()] = "unparseable"  # beyond pandas' range of days
    return parsed.astype("datetime64[ns]"), status


def report_sites(reports: pd.DataFrame, texts=None) -> dict[str, dict[str, str]]:
    """{"fna_site": {report_id: side}, "tumor_site": {...}}: the report columns radpath extracted (contract v1.1);
    ``unspecified`` and empty cells become ``unknown``, and so does every site of a reports table written before
    v1.1 (no such columns: re-extract it). ``texts`` is accepted and ignored (deprecated: linking never reads
    report text)."""
    _ignored_texts(texts)
    out: dict[str, dict[str, str]] = {}
    ids = reports["report_id"].astype(str)
    for column in ("fna_site", "tumor_site"):
        if column not in reports.columns:
            out[column] = {}
            continue
        values = reports[column].fillna("").astype(str).replace({"": "unknown", "unspecified": "unknown"})
        out[column] = dict(zip(ids, values))
    return out


def _ignored_texts(texts) -> None:
    if texts is not None:
        warnings.warn("texts= is ignored: linking reads the fna_site / tumor_site / fna_position report columns "
                      "(it will be removed in the next release)", DeprecationWarning, stacklevel=3)


def _int_text(values: pd.Series) -> pd.Series:
    """Whole numbers as text, empty where missing (CSV and Parquet then agree)."""
    return values.map(lambda v: "" if pd.isna(v) else str(int(v))).astype(object)


def _concordance(sides: list[str]) -> str:
    known = [SIDE_SETS[s] for s in sides if s in SIDE_SETS]
    if len(known) < 2:
        return "unknown"
    for i in range(len(known)):
        for j in range(i + 1, len(known)):
            if not known[i] & known[j]:
                return "discordant"
    return "concordant"


# --- linking ------------------------------------------------------------------------------------------------------


@dataclass
class Linkage:
    patients: pd.DataFrame  # one row per patient with an ultrasound
    links: pd.DataFrame  # one row per report: how (or why not) it was linked

    def summary(self) -> dict:
        return {
            "patients": len(self.patients),
            "by_us_pattern": self.patients["us_pattern"].value_counts().to_dict(),
            "by_final_diagnosis": self.patients["final_diagnosis"].value_counts().to_dict(),
            "links": self.links["link_status"].value_counts().to_dict(),
        }


def _lookup(keys: pd.Series, values: pd.Series) -> pd.Series:
    """``keys.map(values)`` that keeps datetime dtype even when ``values`` is empty (pandas 3 map cannot)."""
    return pd.Series(values.reindex(keys.to_numpy()).to_numpy(), index=keys.index)


def _first_per_patient(frame: pd.DataFrame, *, last: bool = False) -> pd.DataFrame:
    return frame.drop_duplicates("patient_id", keep="last" if last else "first")


def _prepare(reports: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ("report_id", "patient_id", "report_kind") if c not in reports.columns]
    if missing:
        raise InputError(f"reports table lacks column(s) {missing}; is it radpath's DIR/reports?", column=missing[0])
    r = pd.DataFrame({
        "report_id": reports["report_id"].astype(str),
        "patient_id": reports["patient_id"].astype(str),
        "report_kind": reports["report_kind"].fillna("").astype(str),
        "report_date": reports["report_date"].fillna("").astype(str) if "report_date" in reports else "",
    })
    if "report_date_raw" in reports.columns:
        r["report_date_raw"] = reports["report_date_raw"].fillna("").astype(str).values
    for column in ("microcalcifications", "microcalcification_extent", "microcalcification_clustered",
                   "microcalcification_laterality", "mass", "focal_echogenicity_change", "bethesda_category",
                   "malignancy", "histology", "ptc_subtype", "mass_in_specimen", "psammoma_bodies"):
        r[column] = reports[column].fillna("").astype(str) if column in reports.columns else ""
    statuses = reports["report_date_status"] if "report_date_status" in reports.columns else None
    r["date"], r["date_status"] = parse_dates(r["report_date"], statuses)
    return r.sort_values(["patient_id", "date", "report_id"], kind="mergesort", na_position="last").reset_index(drop=True)


def _choose_index(us: pd.DataFrame, first_cyt: pd.Series, first_surg: pd.Series, rules) -> pd.DataFrame:
    """One index ultrasound per patient (``us`` is sorted by patient, date, report_id and fully dated)."""
    chosen = []
    remaining = us
    for rule in rules:
        if remaining.empty:
            break
        if rule in {"latest_before_first_cytology", "latest_before_first_surgery"}:
            first = first_cyt if rule == "latest_before_first_cytology" else first_surg
            limit = _lookup(remaining["patient_id"], first)
            pick = _first_per_patient(remaining[remaining["date"] <= limit], last=True)
        elif rule == "earliest":
            pick = _first_per_patient(remaining)
        else:  # latest
            pick = _first_per_patient(remaining, last=True)
        chosen.append(pick.assign(index_us_rule=rule))
        remaining = remaining[~remaining["patient_id"].isin(pick["patient_id"])]
    if not chosen:
        return us.iloc[0:0].assign(index_us_rule="")
    return pd.concat(chosen, ignore_index=True)


def _window(kind_rows: pd.DataFrame, index: pd.DataFrame, days: int) -> pd.DataFrame:
    """Rows of one kind with their days after the index ultrasound (patients with an index only)."""
    merged = kind_rows.merge(index[["patient_id", "index_date"]], on="patient_id", how="inner")
    merged["days"] = (merged["date"] - merged["index_date"]).dt.days
    merged["in_window"] = (merged["days"] >= 0) & (merged["days"] <= days)
    return merged


def link_patients(
    reports: pd.DataFrame,
    *,
    config: LinkingConfig | None = None,
    texts=None,
    definitions: Iterable[Definition] = (),
    nodules: pd.DataFrame | None = None,
) -> Linkage:
    """Build the patients table (one row per patient with an ultrasound) and the per-report link table.

    ``reports`` is radpath's reports table (DIR/reports): tables only, the FNA and tumour sites and the FNA's pole
    are its columns; ``nodules`` (DIR/nodules) gives the index nodule. ``definitions`` adds one ``def_<id>`` column
    each. ``texts`` is accepted and ignored (deprecated: linking never reads report text).
    """
    config = config or load_linking_config()
    r = _prepare(reports)
    dated = r[r["date_status"] == "ok"]
    kinds = r["report_kind"]
    first_cyt = dated[dated["report_kind"] == CYTOLOGY].groupby("patient_id")["date"].min()
    first_surg = dated[dated["report_kind"] == SURGERY].groupby("patient_id")["date"].min()
    us_all = r[kinds == US]
    us_dated = dated[dated["report_kind"] == US]
    index = _choose_index(us_dated, first_cyt, first_surg, config.index_rules)
    index = index.rename(columns={"report_id": "index_us_report_id", "date": "index_date"})

    cyt = _window(dated[dated["report_kind"] == CYTOLOGY], index, config.cytology_days)
    surg = _window(dated[dated["report_kind"] == SURGERY], index, config.surgery_days)
    cyt_in = cyt[cyt["in_window"]].sort_values(["patient_id", "date", "report_id"], kind="mergesort")
    surg_in = surg[surg["in_window"]].sort_values(["patient_id", "date", "report_id"], kind="mergesort")
    fna = _first_per_patient(cyt_in)
    surgery = _first_per_patient(surg_in)
    superseded = {k for k, v in config.cytology_outcome.items() if v == "unknown"} | {""}
    diagnostic_cyt = _first_per_patient(cyt_in[~cyt_in["bethesda_category"].isin(superseded)])
    decisive_cyt = pd.concat([diagnostic_cyt, fna[~fna["patient_id"].isin(diagnostic_cyt["patient_id"])]])

    # --- patients frame ------------------------------------------------------------------------------------------
    patients = pd.DataFrame({"patient_id": us_all["patient_id"].drop_duplicates().to_numpy()})
    counts = r.groupby("patient_id")["report_kind"].value_counts().unstack(fill_value=0)
    undated = r[r["date_status"] != "ok"].groupby("patient_id").size()
    idx_cols = index[["patient_id", "index_us_report_id", "index_date", "index_us_rule", "microcalcifications",
                      "mass", "microcalcification_extent", "microcalcification_clustered",
                      "microcalcification_laterality", "focal_echogenicity_change"]]
    p = patients.merge(idx_cols, on="patient_id", how="left")
    p = p.merge(fna[["patient_id", "report_id", "date", "days", "bethesda_category"]].rename(columns={
        "report_id": "fna_report_id", "date": "fna_dt", "days": "fna_days_after_us"}), on="patient_id", how="left")
    p = p.merge(surgery[["patient_id", "report_id", "date", "days", "histology", "ptc_subtype", "mass_in_specimen",
                         "psammoma_bodies", "malignancy"]].rename(columns={
        "report_id": "surgery_report_id", "date": "surgery_dt", "days": "surgery_days_after_us",
        "malignancy": "surgery_malignancy"}), on="patient_id", how="left")
    p = p.merge(decisive_cyt[["patient_id", "report_id", "bethesda_category"]].rename(columns={
        "report_id": "dx_cyt_id", "bethesda_category": "dx_cyt_category"}), on="patient_id", how="left")
    for column in p.columns:
        if p[column].dtype == object or str(p[column].dtype) in {"str", "string"}:
            p[column] = p[column].fillna("").astype(str)

    has_index = p["index_us_report_id"] != ""
    p["link_status"] = has_index.map({True: "linked", False: "no_dated_ultrasound"})
    p["index_us_date"] = p["index_date"].dt.strftime("%Y-%m-%d").fillna("")
    p["fna_date"] = p["fna_dt"].dt.strftime("%Y-%m-%d").fillna("")
    p["surgery_date"] = p["surgery_dt"].dt.strftime("%Y-%m-%d").fillna("")
    for column in ("fna_days_after_us", "surgery_days_after_us"):
        p[column] = _int_text(p[column])

    # us_pattern decision table
    mc = p["microcalcifications"].isin(config.microcalcifications_counted)
    mass = p["mass"].isin(config.mass_counted)
    pattern = pd.Series("negative", index=p.index, dtype=object)
    pattern[mc & ~mass] = "microcalcifications_only"
    pattern[mc & mass] = "microcalcifications_with_mass"
    pattern[~mc & mass] = "mass_only"
    pattern[~has_index] = ""
    p["us_pattern"] = pattern

    # final_diagnosis: surgery outranks cytology
    surgery_dx = p["surgery_malignancy"].map(dict(config.surgery_outcome)).fillna("")
    cyt_dx = p["dx_cyt_category"].map(dict(config.cytology_outcome)).fillna("")
    use_surgery = (p["surgery_report_id"] != "") & (surgery_dx != "")
    use_cyt = ~use_surgery & (p["dx_cyt_id"] != "") & (cyt_dx != "") & (cyt_dx != "unknown")
    p["final_diagnosis"] = "unknown"
    p.loc[use_surgery, "final_diagnosis"] = surgery_dx[use_surgery]
    p.loc[use_cyt, "final_diagnosis"] = cyt_dx[use_cyt]
    p["final_diagnosis_source"] = "none"
    p.loc[use_surgery, "final_diagnosis_source"] = SURGERY
    p.loc[use_cyt, "final_diagnosis_source"] = CYTOLOGY
    p["final_diagnosis_report_id"] = ""
    p.loc[use_surgery, "final_diagnosis_report_id"] = p.loc[use_surgery, "surgery_report_id"]
    p.loc[use_cyt, "final_diagnosis_report_id"] = p.loc[use_cyt, "dx_cyt_id"]

    # sites and laterality concordance
    us_side = p["microcalcification_laterality"].where(p["microcalcification_laterality"].isin(list(SIDE_SETS)),
                                                       "unknown")
    p["us_side"] = us_side.where(has_index, "")
    _ignored_texts(texts)
    site_of = report_sites(reports)

    def site(ids: pd.Series, column: str) -> pd.Series:
        return ids.map(lambda i: site_of[column].get(i, "unknown") if i else "")

    p["fna_site"] = site(p["fna_report_id"], "fna_site")
    malignant_surgery = (p["surgery_report_id"] != "") & (surgery_dx == "malignant")
    p["tumor_site"] = site(p["surgery_report_id"].where(malignant_surgery, ""), "tumor_site")
    sides = p[["us_side", "fna_site", "tumor_site"]].to_numpy().tolist()
    anything_linked = (p["fna_report_id"] != "") | malignant_surgery
    p["laterality_concordance"] = [(_concordance(s) if linked else "") for s, linked in zip(sides, anything_linked)]

    # flags: "true" / "false", empty when they cannot be evaluated
    def flag(evaluable: pd.Series, condition: pd.Series) -> pd.Series:
        out = condition.map({True: "true", False: "false"}).astype(object)
        out[~evaluable] = ""
        return out

    specimen_known = (p["surgery_report_id"] != "") & p["mass_in_specimen"].isin(["present", "absent"])
    p["flag_us_no_mass_specimen_mass"] = flag(
        specimen_known & has_index,
        p["mass"].isin(["absent", "not_mentioned"]) & (p["mass_in_specimen"] == "present"))
    cyt_class = pd.Series("", index=p.index, dtype=object)
    cyt_class[p["bethesda_category"].isin(config.cytology_malignant)] = "malignant"
    cyt_class[p["bethesda_category"].isin(config.cytology_benign)] = "benign"
    both = (p["fna_report_id"] != "") & (p["surgery_report_id"] != "") & surgery_dx.isin(["malignant", "benign"])
    p["flag_cytology_surgery_discordant"] = flag(both, (cyt_class != "") & (cyt_class != surgery_dx))
    p["flag_laterality_discordant"] = flag(p["laterality_concordance"].isin(["concordant", "discordant"]),
                                           p["laterality_concordance"] == "discordant")

    # counts
    for column, kind in (("n_ultrasound", US), ("n_cytology", CYTOLOGY), ("n_surgery", SURGERY)):
        p[column] = p["patient_id"].map(counts[kind] if kind in counts.columns else {}).fillna(0).astype(int)
    p["n_undated"] = p["patient_id"].map(undated).fillna(0).astype(int)
    outside = pd.concat([cyt[~cyt["in_window"] & (cyt["days"] > 0)], surg[~surg["in_window"] & (surg["days"] > 0)]])
    p["n_outside_window"] = p["patient_id"].map(outside.groupby("patient_id").size()).fillna(0).astype(int)

    p = apply_definitions(p, definitions)
    def_columns = [d.column for d in definitions]
    p = p[CONTRACT_PATIENT_COLUMNS + def_columns + ADDED_PATIENT_COLUMNS]
    p = p.sort_values("patient_id", kind="mergesort").reset_index(drop=True)

    links = _link_table(r, index, cyt, surg, fna, surgery, config)
    p = add_index_nodule(p, nodules, reports=reports)  # index nodule, nodule concordance
    return Linkage(patients=p, links=links)


def _link_table(r, index, cyt, surg, fna, surgery, config) -> pd.DataFrame:
    links = r[["report_id", "patient_id", "report_kind", "report_date", "date", "date_status"]].copy()
    links["link_date"] = links["date"].dt.strftime("%Y-%m-%d").fillna("")
    status = pd.Series("other_kind", index=links.index, dtype=object)
    idx = index.set_index("patient_id")
    links["index_us_report_id"] = links["patient_id"].map(idx["index_us_report_id"]).fillna("")
    index_date = _lookup(links["patient_id"], idx["index_date"])
    days = (links["date"] - index_date).dt.days
    links["days_after_index_us"] = _int_text(days)
    patients_with_us = set(r.loc[r["report_kind"] == US, "patient_id"])
    is_kind = {k: links["report_kind"] == k for k in (US, CYTOLOGY, SURGERY)}
    has_index = links["index_us_report_id"] != ""
    pathology = is_kind[CYTOLOGY] | is_kind[SURGERY]
    status[is_kind[US]] = "not_index"
    status[links["report_id"].isin(index["index_us_report_id"])] = "index_ultrasound"
    window = pd.Series(0, index=links.index)
    window[is_kind[CYTOLOGY]] = config.cytology_days
    window[is_kind[SURGERY]] = config.surgery_days
    status[pathology & has_index & (days < 0)] = "before_index"
    status[pathology & has_index & (days > window)] = "outside_window"
    status[pathology & has_index & (days >= 0) & (days <= window)] = "in_window"
    status[links["report_id"].isin(fna["report_id"])] = "linked_fna"
    status[links["report_id"].isin(surgery["report_id"])] = "linked_surgery"
    status[pathology & ~has_index] = "no_dated_ultrasound"
    status[~links["patient_id"].isin(patients_with_us)] = "no_ultrasound"
    status[links["date_status"] == "missing"] = "missing_date"
    status[links["date_status"] == "unparseable"] = "unparseable_date"
    status[links["date_status"] == "future"] = "future_date"
    links["link_status"] = status
    # the input's text (report_date is a date in Parquet/DuckDB, and ISO text under --date-format)
    raw = r["report_date_raw"] if "report_date_raw" in r.columns else r["report_date"]
    links["report_date_raw"] = links["report_id"].map(dict(zip(r["report_id"], raw))).fillna(links["report_date"])
    return links[LINK_COLUMNS].sort_values(["patient_id", "report_id"], kind="mergesort").reset_index(drop=True)


def outcome_table(patients: pd.DataFrame, by: str) -> pd.DataFrame:
    """The classic table: one row per value of ``by`` (us_pattern or a def_<id> column) with counts per final
    diagnosis and the malignancy rate = malignant / (malignant + benign), i.e. among patients with a resolved
    diagnosis (Yoon 2011's 16/26), plus malignant / all."""
    if by not in patients.columns:
        raise InputError(f"patients table has no column {by!r}", column=by)
    table = pd.crosstab(patients[by].replace("", "(none)"), patients["final_diagnosis"])
    for outcome in OUTCOMES:
        if outcome not in table.columns:
            table[outcome] = 0
    table = table[list(OUTCOMES)]
    table["n"] = table.sum(axis=1)
    resolved = table["malignant"] + table["benign"]
    table["malignancy_rate"] = (table["malignant"] / resolved.where(resolved > 0)).round(3)
    table["malignant_of_all"] = (table["malignant"] / table["n"]).round(3)
    table.index.name = by
    return table.reset_index()
