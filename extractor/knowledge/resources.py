"""Where the clinical knowledge (patterns/) is found: an explicit directory, a source checkout, or the installed copy."""
from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

PATTERNS_ENV = "RADPATH_PATTERNS"


def patterns_dir(override: str | os.PathLike | None = None) -> Path:
    """Return the patterns directory.

    Order: ``override``; the ``RADPATH_PATTERNS`` environment variable; ``patterns/`` beside the package in a
    source checkout (so an editable install reads the files you edit); the copy shipped in the wheel.
    """
    if override is not None:
        return Path(override)
    if os.environ.get(PATTERNS_ENV):
        return Path(os.environ[PATTERNS_ENV])
    checkout = Path(__file__).resolve().parents[2] / "patterns"
    if (checkout / "sections.tsv").is_file():
        return checkout
    return Path(str(resources.files("extractor"))) / "_patterns"


def sample_dir() -> Path:
    """The demo corpus: ./corpora/sample when run from a checkout, else the copy shipped in the wheel."""
    for candidate in (Path.cwd() / "corpora" / "sample", Path(__file__).resolve().parents[2] / "corpora" / "sample"):
        if (candidate / "reports.csv").is_file():
            return candidate
    return Path(str(resources.files("extractor"))) / "_sample"
