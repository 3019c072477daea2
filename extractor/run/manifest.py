"""DIR/manifest.json: what produced a run - version, knowledge fingerprints, options, inputs and row counts.

No spaCy here. ``patterns_sha256`` is RuleSet.fingerprint() when the rule set can be loaded (the rule files,
including patterns/linking.toml and patterns/definitions/), else the same hash computed here;
``definitions`` lists each definition in use with the sha256 of its file, so user-supplied definitions outside
patterns/ are covered too. Each input is recorded with its path as given, its absolute path, size and sha256:
:func:`recorded_inputs` finds it again for `radpath link`, `audit` and `explain`, and says when it has moved
or changed since the run.
"""
from __future__ import annotations

import hashlib
import json
import platform
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Mapping

from .. import __version__
from ..knowledge.definitions import Definition
from ..knowledge.resources import patterns_dir
from ..knowledge.ruleset import load_ruleset
from ..tables.files import atomic_write_text

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1


def sha256_file(path: str | Path, *, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()


def patterns_fingerprint(directory: str | Path | None = None) -> str:
    """Same digest as RuleSet.fingerprint(), without loading (or validating) the rule set."""
    directory = patterns_dir(directory)
    digest = hashlib.sha256()
    for path in sorted(Path(directory).rglob("*")):
        if path.is_file() and path.suffix in {".tsv", ".toml", ".md"}:
            digest.update(str(path.relative_to(directory)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _count_rows(path: Path) -> int | None:
    """Data rows in a report table, read in chunks (memory does not grow with the file)."""
    suffix = path.suffix.lower()
    try:
        if suffix in {".parquet", ".pq"}:
            import pyarrow.parquet as pq

            return pq.ParquetFile(path).metadata.num_rows
        if suffix in {".csv", ".tsv", ".txt", ".tab", ".jsonl", ".ndjson", ".json"}:
            import pandas as pd

            if suffix in {".jsonl", ".ndjson", ".json"}:
                with open(path, "rb") as handle:
                    return sum(1 for line in handle if line.strip())
            sep = "\t" if suffix in {".tsv", ".tab"} else None
            with pd.read_csv(path, dtype=str, sep=sep, engine="python" if sep is None else "c",
                             keep_default_na=False, chunksize=50_000) as reader:
                return sum(len(chunk) for chunk in reader)
    except Exception:  # a count is informative only; the manifest must not fail a finished run
        return None
    return None


def build_manifest(
    *,
    inputs: Iterable[str | Path] = (),
    options: Mapping | None = None,
    patterns: str | Path | None = None,
    definitions: Iterable[Definition] = (),
    linking_config: str | Path | None = None,
    tables: Mapping[str, int] | None = None,
    input_rows: Mapping[str, int] | None = None,
) -> dict:
    """The manifest as a dict (see write_manifest). ``input_rows``: rows already counted per input path (a run
    knows how many it read), so the inputs need not be read again."""
    try:
        fingerprint = load_ruleset(patterns).fingerprint()
    except Exception:  # the rule set may not load (e.g. linking only on another machine); hash the files
        fingerprint = patterns_fingerprint(patterns)
    counted = {str(k): v for k, v in (input_rows or {}).items()}
    inputs_seen = []
    for item in inputs:
        path = Path(item)
        if str(item) in counted:
            rows = counted[str(item)]
        else:
            rows = _count_rows(path) if path.is_file() else None
        inputs_seen.append({"path": str(path), "absolute_path": str(path.resolve()),
                            "sha256": sha256_file(path) if path.is_file() else None,
                            "bytes": path.stat().st_size if path.is_file() else None, "rows": rows})
    linking_path = Path(linking_config) if linking_config else patterns_dir(patterns) / "linking.toml"
    return {
        "manifest_version": MANIFEST_VERSION,
        "radpath_version": __version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "patterns_dir": str(patterns_dir(patterns)),
        "patterns_sha256": fingerprint,
        "linking_config": {"path": str(linking_path),
                           "sha256": sha256_file(linking_path) if linking_path.is_file() else None},
        "definitions": [{"id": d.id, "path": d.path, "sha256": sha256_file(d.path)} for d in definitions],
        "options": dict(options or {}),
        "inputs": inputs_seen,
        "tables": dict(tables or {}),
    }


def write_manifest(out_dir: str | Path, **kwargs) -> Path:
    """Write DIR/manifest.json atomically; keyword arguments as build_manifest. Returns the path."""
    out = Path(out_dir) / MANIFEST_NAME
    manifest = build_manifest(**kwargs)
    text = json.dumps(manifest, indent=2, sort_keys=False, default=str) + "\n"
    atomic_write_text(out, text, private=False)
    return out


def read_manifest(directory: str | Path) -> dict:
    """DIR/manifest.json as a dict; {} when absent or unreadable."""
    try:
        manifest = json.loads((Path(directory) / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def _recorded_entries(manifest: dict) -> list[dict]:
    value = manifest.get("inputs")
    return [e for e in (value if isinstance(value, list) else [])
            if isinstance(e, dict) and (e.get("absolute_path") or e.get("path"))]


def _unchanged(path: Path, entry: dict) -> bool:
    """Whether ``path`` still holds the bytes the run read (size first: cheap; then the sha256)."""
    if entry.get("bytes") is not None and path.stat().st_size != entry["bytes"]:
        return False
    return not entry.get("sha256") or sha256_file(path) == entry["sha256"]


def recorded_inputs(directory: str | Path, given: str | Path | None = None, *,
                    manifest: dict | None = None) -> tuple[list[Path], list[str]]:
    """The report tables to read DIR's texts from, and notes for the user (one line each).

    With ``given`` (--input): that file, and a note when it is not the file the run read (its checksum differs).
    Without: the inputs DIR/manifest.json records, by absolute path (a relative path of an older manifest is
    tried beside DIR, then here); one that has moved or whose contents changed since the run is not used, and
    the note says so."""
    directory = Path(directory)
    manifest = read_manifest(directory) if manifest is None else manifest
    entries = _recorded_entries(manifest)
    if given is not None:
        path = Path(given)
        notes = []
        if entries and path.is_file() and entries[0].get("sha256") and not _unchanged(path, entries[0]):
            notes.append(f"{path} is not the file this run read (its checksum differs from the one in "
                         f"{directory / MANIFEST_NAME})")
        return [path], notes
    paths, notes = [], []
    for entry in entries:
        if entry.get("absolute_path"):
            candidate = Path(entry["absolute_path"])
        else:
            typed = Path(entry["path"]).expanduser()
            candidate = typed if typed.is_absolute() or typed.exists() or not (directory / typed).exists() \
                else directory / typed
        if not candidate.is_file():
            notes.append(f"the input file {candidate} recorded in {directory / MANIFEST_NAME} has moved or been "
                         "deleted: give --input")
        elif not _unchanged(candidate, entry):
            notes.append(f"the input file {candidate} has changed since the run (its checksum differs from the "
                         f"one in {directory / MANIFEST_NAME}): not used; give --input to use it anyway")
        else:
            paths.append(candidate)
    return paths, notes
