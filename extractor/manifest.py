"""DIR/manifest.json: what produced a run - version, knowledge fingerprints, options, inputs and row counts.

No spaCy here. ``patterns_sha256`` is RuleSet.fingerprint() when the rule set can be loaded (the rule files,
including patterns/linking.toml and patterns/definitions/), else the same hash computed here;
``definitions`` lists each definition in use with the sha256 of its file, so user-supplied definitions outside
patterns/ are covered too.
"""
from __future__ import annotations

import hashlib
import json
import platform
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Mapping

from .definitions import Definition
from .resources import patterns_dir

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
    from . import __version__

    try:
        from .ruleset import load_ruleset

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
        inputs_seen.append({"path": str(path), "sha256": sha256_file(path) if path.is_file() else None,
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
    from .files import atomic_write_text

    out = Path(out_dir) / MANIFEST_NAME
    manifest = build_manifest(**kwargs)
    text = json.dumps(manifest, indent=2, sort_keys=False, default=str) + "\n"
    atomic_write_text(out, text, private=False)
    return out
