import pytest

from extractor.fields.pathology import PathologyAggregator
from extractor.knowledge.ruleset import load_ruleset


@pytest.fixture(scope="session")
def aggregator():
    return PathologyAggregator(load_ruleset())


@pytest.fixture(scope="session")
def cytology(aggregator):
    return lambda text: {k: v.value for k, v in aggregator.aggregate("cytology", text, []).items()}


@pytest.fixture(scope="session")
def surgical(aggregator):
    return lambda text: {k: v.value for k, v in aggregator.aggregate("surgical_pathology", text, []).items()}
