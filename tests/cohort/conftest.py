"""Fixtures for the linking tests; builders live in linking_builders.py (importable: this folder is put on
sys.path, since pytest runs with --import-mode=importlib)."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from linking_builders import frame  # noqa: E402

from extractor.cohort.linking import load_linking_config  # noqa: E402


@pytest.fixture(scope="session")
def config():
    return load_linking_config()


@pytest.fixture
def link(config):
    """rows -> (patients as {patient_id: row dict}, links as {report_id: link_status})."""
    from extractor.cohort.linking import link_patients
    from extractor.knowledge.definitions import load_definitions

    def run(*rows, texts=None, cfg=None):
        result = link_patients(frame(*rows), config=cfg or config, texts=texts, definitions=load_definitions())
        patients = {r["patient_id"]: r for r in result.patients.to_dict("records")}
        links = dict(zip(result.links["report_id"], result.links["link_status"]))
        return patients, links

    return run
