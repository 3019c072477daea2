"""The rows linking reads, kept on disk by bucket of patients, so a whole job's memory does not grow with the archive.

Linking reads the report rows (without evidence) and nodule rows of a run. Rather than holding every chunk's rows
until the end, :class:`LinkRows` appends each chunk's rows to one file per bucket of patients (a hash of
``patient_id``), then links one bucket at a time with :func:`extractor.cohort.linking.link_patients` and joins the
buckets' patients and links in the linker's own order (patients by ``patient_id``, links by ``patient_id`` then
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

DEFAULT_LINK_BUCKETS = 16  # at 100,000 reports a bucket holds ~6,000 report rows
TABLES = ("reports", "nodules")


def bucket_of(patient_id, buckets: int) -> int:
    """The bucket of a patient: a stable hash of its id as text (the same in every process and run)."""
    return zlib.crc32(str(patient_id).encode("utf-8", "surrogatepass")) % buckets


def without_evidence(frame: pd.DataFrame) -> pd.DataFrame:
    """Linking never reads the evidence column; it is most of the bytes."""
    return frame.drop(columns=["evidence"]) if "evidence" in frame.columns else frame


class LinkRows:
    """Report and nodule rows (without evidence) of a run, by bucket of patients, on disk until linked."""

    def __init__(self, buckets: int = DEFAULT_LINK_BUCKETS, *, directory: str | Path | None = None):
        if buckets < 1:
            raise ValueError("buckets must be at least 1")
        self.buckets = buckets
        self.path = Path(tempfile.mkdtemp(prefix="radpath-link-", dir=directory))  # owner-only (mkdtemp)
        self.templates: dict[str, pd.DataFrame] = {}  # each table's first frame, emptied: columns and dtypes
        self.rows = {name: [0] * buckets for name in TABLES}
        self._files: dict[tuple[str, int], object] = {}

    def _file(self, name: str, bucket: int):
        handle = self._files.get((name, bucket))
        if handle is None:
            handle = self._files[(name, bucket)] = open(self.path / f"{name}-{bucket:03d}.pkl", "ab")  # noqa: SIM115  (open across chunks; closed by bucket() / close())
        return handle

    def add(self, reports: pd.DataFrame, nodules: pd.DataFrame) -> None:
        """One chunk's rows, in input order."""
        for name, frame in (("reports", reports), ("nodules", nodules)):
            frame = without_evidence(frame)
            self.templates.setdefault(name, frame.iloc[0:0])
            if not len(frame):
                continue
            keys = pd.Series([bucket_of(p, self.buckets) for p in frame["patient_id"]], index=range(len(frame)))
            for bucket, positions in keys.groupby(keys, sort=True).groups.items():
                part = frame.iloc[list(positions)]
                pickle.dump(part, self._file(name, int(bucket)), protocol=pickle.HIGHEST_PROTOCOL)
                self.rows[name][int(bucket)] += len(part)

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
        """link_patients over every bucket, one bucket in memory at a time; the tables of linking all rows at once."""
        patients, links = [], []
        for bucket in range(self.buckets):
            reports = self.bucket("reports", bucket)
            nodules = self.bucket("nodules", bucket)
            if reports is None:  # no report of these patients: no patient, no link (nodules come with reports)
                continue
            if nodules is None:
                nodules = self.template("nodules", empty_nodules)
            linkage = link_patients(reports, config=config, definitions=definitions, nodules=nodules)
            patients.append(linkage.patients)
            links.append(linkage.links)
        if not patients:  # no report at all: the tables of an empty run (its columns)
            return link_patients(self.template("reports", empty_reports), config=config, definitions=definitions,
                                 nodules=self.template("nodules", empty_nodules))
        return Linkage(patients=_joined(patients, ["patient_id"]), links=_joined(links, ["patient_id", "report_id"]))

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()
        self._files.clear()
        shutil.rmtree(self.path, ignore_errors=True)


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
