"""The rows linking reads, kept on disk by bucket of patients, so a whole job's memory does not grow with the archive.

Linking reads the report rows (without evidence) and nodule rows of a run. Rather than holding every chunk's rows
until the end, :class:`LinkRows` keeps them in memory only up to ``LINK_GROUP_ROWS`` report rows (a run of up to
that size is linked in one call, as before); beyond, it appends them to one file per bucket of patients (a hash of
``patient_id``), and at the end links a group of consecutive buckets of about ``LINK_GROUP_ROWS`` report rows at a
time with :func:`extractor.cohort.linking.link_patients` and joins the groups' patients and links in the linker's
own order (patients by ``patient_id``, links by ``patient_id`` then
``report_id``). A patient's rows never depend on another patient's and all of a patient's rows fall in one bucket,
so the tables equal those of linking every row at once (the Spark job links by buckets the same way,
extractor.run.spark_job). Within a bucket the rows keep their input order.

The files are pickles of DataFrame slices (dtypes exactly as extracted), in a private temporary directory removed by
:meth:`LinkRows.close`. No spaCy here; no report text (the report rows carry none).
"""
from __future__ import annotations

import pickle
import shutil
import tempfile
import zlib
from pathlib import Path

import pandas as pd

from ..cohort.linking import Linkage, link_patients

DEFAULT_LINK_BUCKETS = 64  # files of patients' rows; linked in groups of about LINK_GROUP_ROWS report rows
LINK_GROUP_ROWS = 10_000  # report rows per linking call: one call per run up to this size (a call has a fixed cost)
TABLES = ("reports", "nodules")


def bucket_of(patient_id, buckets: int) -> int:
    """The bucket of a patient: a stable hash of its id as text (the same in every process and run)."""
    return zlib.crc32(str(patient_id).encode("utf-8", "surrogatepass")) % buckets


def without_evidence(frame: pd.DataFrame) -> pd.DataFrame:
    """Linking never reads the evidence column; it is most of the bytes."""
    return frame.drop(columns=["evidence"]) if "evidence" in frame.columns else frame


class LinkRows:
    """Report and nodule rows (without evidence) of a run, by bucket of patients, on disk until linked."""

    def __init__(self, buckets: int = DEFAULT_LINK_BUCKETS, *, group_rows: int = LINK_GROUP_ROWS,
                 directory: str | Path | None = None):
        if buckets < 1:
            raise ValueError("buckets must be at least 1")
        self.buckets, self.group_rows = buckets, max(1, group_rows)
        self.directory = directory
        self.path: Path | None = None  # the private temporary directory, made at the first spill
        self.templates: dict[str, pd.DataFrame] = {}  # each table's first frame, emptied: columns and dtypes
        self.rows = {name: [0] * buckets for name in TABLES}
        self.pending: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLES}  # not yet spilled
        self.pending_rows = 0
        self.spilled = False
        self._files: dict[tuple[str, int], object] = {}

    def _file(self, name: str, bucket: int):
        handle = self._files.get((name, bucket))
        if handle is None:
            handle = self._files[(name, bucket)] = open(self.path / f"{name}-{bucket:03d}.pkl", "ab")  # noqa: SIM115  (open across chunks; closed by bucket() / close())
        return handle

    def add(self, reports: pd.DataFrame, nodules: pd.DataFrame) -> None:
        """One chunk's rows, in input order: kept in memory until ``group_rows`` report rows wait, then written to
        the buckets' files (a run that never gets there is linked in one call, from memory)."""
        for name, frame in (("reports", reports), ("nodules", nodules)):
            frame = without_evidence(frame)
            self.templates.setdefault(name, frame.iloc[0:0])
            if len(frame):
                self.pending[name].append(frame)
        self.pending_rows += len(reports)
        if self.pending_rows >= self.group_rows:
            self._spill()

    def _spill(self) -> None:
        if self.path is None:
            self.path = Path(tempfile.mkdtemp(prefix="radpath-link-", dir=self.directory))  # owner-only (mkdtemp)
        self.spilled = True
        for name in TABLES:
            frame = _concat(self.pending[name])
            self.pending[name] = []
            if frame is None:
                continue
            keys = pd.Series([bucket_of(p, self.buckets) for p in frame["patient_id"]], index=range(len(frame)))
            for bucket, positions in keys.groupby(keys, sort=True).groups.items():
                part = frame.iloc[list(positions)]
                pickle.dump(part, self._file(name, int(bucket)), protocol=pickle.HIGHEST_PROTOCOL)
                self.rows[name][int(bucket)] += len(part)
        self.pending_rows = 0

    def bucket(self, name: str, bucket: int) -> pd.DataFrame | None:
        """A bucket's rows of one table, in input order (None: it has none)."""
        if not self.rows[name][bucket]:
            return None
        handle = self._files.pop((name, bucket))
        handle.close()
        parts = []
        with open(self.path / f"{name}-{bucket:03d}.pkl", "rb") as f:
            while True:
                try:
                    parts.append(pickle.load(f))
                except EOFError:
                    break
        return parts[0].reset_index(drop=True) if len(parts) == 1 else pd.concat(parts, ignore_index=True)

    def template(self, name: str, empty: pd.DataFrame) -> pd.DataFrame:
        return self.templates.get(name, without_evidence(empty))

    def link(self, *, config, definitions, empty_reports: pd.DataFrame, empty_nodules: pd.DataFrame) -> Linkage:
        """link_patients over groups of consecutive buckets of about ``group_rows`` report rows, one group in memory
        at a time; the tables of linking all rows at once."""
        if not self.spilled:  # every row is still in memory: one call over the whole table
            reports = _concat(self.pending["reports"])
            nodules = _concat(self.pending["nodules"])
            self.pending = {name: [] for name in TABLES}
            return link_patients(reports if reports is not None else self.template("reports", empty_reports),
                                 config=config, definitions=definitions,
                                 nodules=nodules if nodules is not None else self.template("nodules", empty_nodules))
        self._spill()
        patients, links = [], []
        for group in self.groups():
            reports = _concat([self.bucket("reports", b) for b in group])
            if reports is None:  # no report of these patients: no patient, no link (nodules come with reports)
                continue
            nodules = _concat([self.bucket("nodules", b) for b in group])
            if nodules is None:
                nodules = self.template("nodules", empty_nodules)
            linkage = link_patients(reports, config=config, definitions=definitions, nodules=nodules)
            patients.append(linkage.patients)
            links.append(linkage.links)
        if not patients:  # no report at all: the tables of an empty run (its columns)
            return link_patients(self.template("reports", empty_reports), config=config, definitions=definitions,
                                 nodules=self.template("nodules", empty_nodules))
        return Linkage(patients=_joined(patients, ["patient_id"]), links=_joined(links, ["patient_id", "report_id"]))

    def groups(self) -> list[list[int]]:
        """Consecutive buckets gathered until a group holds ``group_rows`` report rows (the last group may be less)."""
        groups, current, size = [], [], 0
        for bucket in range(self.buckets):
            current.append(bucket)
            size += self.rows["reports"][bucket]
            if size >= self.group_rows:
                groups.append(current)
                current, size = [], 0
        if current:
            groups.append(current)
        return groups

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()
        self._files.clear()
        self.pending = {name: [] for name in TABLES}
        if self.path is not None:
            shutil.rmtree(self.path, ignore_errors=True)


def _concat(frames: list[pd.DataFrame | None]) -> pd.DataFrame | None:
    """The frames one after the other, indexed 0..n-1 (None: no frame)."""
    frames = [f for f in frames if f is not None]
    if not frames:
        return None
    return frames[0].reset_index(drop=True) if len(frames) == 1 else pd.concat(frames, ignore_index=True)


def _joined(frames: list[pd.DataFrame], keys: list[str]) -> pd.DataFrame:
    """The buckets' tables as one, in the linker's order (its keys are unique across buckets)."""
    if len(frames) == 1:
        return frames[0]
    whole = pd.concat(frames, ignore_index=True).sort_values(keys, kind="mergesort").reset_index(drop=True)
    for column in whole.columns:
        # a bucket where a looked-up column found nothing holds it as object (""): the whole table's column is
        # the string dtype the other buckets have
        strings = [f[column].dtype for f in frames if isinstance(f[column].dtype, pd.StringDtype)]
        if strings and not isinstance(whole[column].dtype, pd.StringDtype):
            whole[column] = whole[column].astype(strings[0])
    return whole
