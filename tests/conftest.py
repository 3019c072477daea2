import pandas as pd
import pytest

from extractor.nlp.extensions import MENTIONS_KEY
from extractor.nlp.pipeline import cached_nlp
from extractor.run.api import Extractor


@pytest.fixture(scope="session")
def nlp():
    return cached_nlp()


@pytest.fixture(scope="session")
def extractor():
    return Extractor()


@pytest.fixture(scope="session")
def mentions_of(nlp):
    """text -> list of (label, text, status) for every target mention."""

    def run(text):
        doc = nlp(text)
        return [(s.label_, s.text, s._.radpath_status) for s in doc.spans[MENTIONS_KEY]]

    return run


@pytest.fixture(scope="session")
def us_fields(extractor):
    """Ultrasound report text -> dict of its report-level fields."""

    def run(text):
        frame = pd.DataFrame([{"report_id": "t1", "patient_id": "p1", "report_date": "2024-01-01",
                               "report_type": "US", "text": text}])
        from extractor.tables.sources import normalise

        result = extractor.extract_table(normalise(frame))
        return result.reports.iloc[0].to_dict()

    return run
