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
    shipped = resources.files("extractor") / "_patterns"
    if Path(str(shipped)).is_dir():
        return Path(str(shipped))
    return _unpacked(shipped)


def _unpacked(shipped) -> Path:
    """The shipped rules copied out of a zip (the wheel given to Spark executors with --py-files) into a
    per-user directory named for the rules' contents, once; the copy is renamed into place whole. Named for the
    contents, not the version: a wheel rebuilt with edited rules (same version) never reads an older copy."""
    import getpass
    import hashlib
    import shutil
    import tempfile

    files: dict[str, bytes] = {}

    def collect(node, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            if child.is_dir():
                collect(child, f"{prefix}{child.name}/")
            else:
                files[prefix + child.name] = child.read_bytes()

    collect(shipped, "")
    digest = hashlib.sha256()
    for name, data in files.items():
        digest.update(name.encode("utf-8") + b"\0" + hashlib.sha256(data).digest())
    target = Path(tempfile.gettempdir()) / f"radpath-patterns-{digest.hexdigest()[:16]}-{getpass.getuser()}"
    if (target / "sections.tsv").is_file():
        return target
    staging = Path(tempfile.mkdtemp(prefix=".radpath-patterns-", dir=tempfile.gettempdir()))
    for name, data in files.items():
        (staging / name).parent.mkdir(parents=True, exist_ok=True)
        (staging / name).write_bytes(data)
    try:
        staging.rename(target)
    except OSError:  # another worker got there first
        shutil.rmtree(staging, ignore_errors=True)
    return target


def sample_dir() -> Path:
    """The demo corpus: ./corpora/sample when run from a checkout, else the copy shipped in the wheel."""
    for candidate in (Path.cwd() / "corpora" / "sample", Path(__file__).resolve().parents[2] / "corpora" / "sample"):
        if (candidate / "reports.csv").is_file():
            return candidate
    return Path(str(resources.files("extractor"))) / "_sample"
