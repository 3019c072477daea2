"""Atomic output files: each is written aside and renamed into place, so it appears complete or not at all.
No spaCy here; every module that writes a table or a page uses these."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable

import pandas as pd

PRIVATE_MODE = 0o600  # files holding report text are readable by the owner only
PUBLIC_MODE = 0o644


def atomic_write(path: str | os.PathLike, write: Callable[[str], None], *, private: bool) -> Path:
    """Call ``write(temporary_path)``, set the file mode, then rename the file onto ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, PRIVATE_MODE if private else PUBLIC_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | os.PathLike, text: str, *, private: bool) -> Path:
    return atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"), private=private)


def write_table(frame: pd.DataFrame, directory: str | os.PathLike, name: str, *, private: bool = False) -> list[Path]:
    """Write ``name.csv`` (text, as the stages pass it) and ``name.parquet`` (typed columns: extractor.typed)
    atomically."""
    from .typed import typed_frame

    directory = Path(directory)
    return [
        atomic_write(directory / f"{name}.csv", lambda tmp: frame.to_csv(tmp, index=False), private=private),
        atomic_write(directory / f"{name}.parquet", lambda tmp: typed_frame(frame).to_parquet(tmp, index=False),
                     private=private),
    ]
