"""Linking by buckets of patients (extractor.run.linkrows) gives exactly the tables of linking every row at once."""
import random

import pandas as pd
import pytest

from extractor.cohort.linking import link_patients, load_linking_config
from extractor.knowledge.definitions import load_definitions
from extractor.knowledge.resources import sample_dir
from extractor.run.api import Extractor
from extractor.run.inputs import FrameSource
from extractor.run.job import Job, run
from extractor.run.linkrows import LinkRows, bucket_of
from extractor.run.model import RunOptions
from extractor.run.outputs import MemorySink
from extractor.tables.schemas import nodules_frame, reports_frame
from tests.cohort.linking_builders import fna, frame, other, surgery, us

CONFIG = load_linking_config()
DEFINITIONS = load_definitions(())


def _whole(reports, nodules):
    """The old path: every report row linked at once."""
    drop = lambda f: f.drop(columns=["evidence"]) if "evidence" in f.columns else f
    return link_patients(drop(reports), config=CONFIG, definitions=DEFINITIONS, nodules=drop(nodules))


def _by_buckets(reports, nodules, buckets, chunk, group_rows=1):
    rows = LinkRows(buckets, group_rows=group_rows)
    try:
        for start in range(0, max(len(reports), 1), chunk):
            part = reports.iloc[start:start + chunk]
            ids = set(part["report_id"])
            rows.add(part, nodules[nodules["report_id"].isin(ids)])
        return rows.link(config=CONFIG, definitions=DEFINITIONS, empty_reports=reports_frame([]),
                         empty_nodules=nodules_frame([]))
    finally:
        rows.close()


def _synthetic(seed: int) -> pd.DataFrame:
    """Patients with ultrasound / FNA / surgery / other reports in shuffled order, some undated."""
    rng = random.Random(seed)
    rows = []
    for p in range(60):
        pid = f"P{rng.randint(0, 10**6)}-{p}"
        for k in range(rng.randint(1, 5)):
            day = rng.randint(1, 28)
            date = rng.choice([f"2020-0{rng.randint(1, 9)}-{day:02d}", ""])
            make = rng.choice([us, us, fna, surgery, other])
            rows.append(make(f"R{p}-{k}", pid, date))
    rng.shuffle(rows)
    table = frame(*rows)
    table["report_date_status"] = ["ok" if d else "missing" for d in table["report_date"]]
    return table


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("buckets,chunk,group_rows", [(1, 1000, 1), (3, 7, 1), (16, 25, 40), (64, 9, 10**6)])
def test_buckets_equal_whole_on_synthetic_tables(seed, buckets, chunk, group_rows):
    reports = _synthetic(seed)
    nodules = nodules_frame([])
    expected = _whole(reports, nodules)
    got = _by_buckets(reports, nodules, buckets, chunk, group_rows)
    assert len(expected.patients) and len(expected.links)
    pd.testing.assert_frame_equal(got.patients, expected.patients)
    pd.testing.assert_frame_equal(got.links, expected.links)


@pytest.fixture(scope="module")
def sample_extraction():
    sample = pd.read_csv(sample_dir() / "reports.csv", dtype=str, keep_default_na=False)
    sink = MemorySink()
    run(Job(FrameSource(sample), [sink], engine=Extractor, options=RunOptions(link=False)))
    return sample, sink.extraction()


@pytest.mark.parametrize("buckets,chunk", [(1, 500), (4, 13), (40, 3)])
def test_buckets_equal_whole_on_the_sample(sample_extraction, buckets, chunk):
    _, extraction = sample_extraction
    assert len(extraction.nodules)
    expected = _whole(extraction.reports, extraction.nodules)
    got = _by_buckets(extraction.reports, extraction.nodules, buckets, chunk)
    pd.testing.assert_frame_equal(got.patients, expected.patients)
    pd.testing.assert_frame_equal(got.links, expected.links)


def test_the_job_links_by_buckets_like_the_whole_table(sample_extraction):
    sample, extraction = sample_extraction
    expected = _whole(extraction.reports, extraction.nodules)
    for buckets in (1, 5):
        result = run(Job(FrameSource(sample), [MemorySink()], engine=Extractor,
                         options=RunOptions(chunk_size=20), link_buckets=buckets))  # the sample: one linking call
        pd.testing.assert_frame_equal(result.linkage.patients, expected.patients)
        pd.testing.assert_frame_equal(result.linkage.links, expected.links)
        assert result.reports is None  # no run holds every report row: linking read them from disk


def test_an_empty_table_links_to_the_empty_tables():
    expected = _whole(reports_frame([]), nodules_frame([]))
    got = _by_buckets(reports_frame([]), nodules_frame([]), 4, 10)
    pd.testing.assert_frame_equal(got.patients, expected.patients)
    pd.testing.assert_frame_equal(got.links, expected.links)


def test_a_patients_rows_share_one_bucket_in_every_process():
    assert bucket_of("P1", 16) == 1  # crc32 of the id's UTF-8: no per-process hash seed
    assert {bucket_of(f"P{i}", 16) for i in range(200)} == set(range(16))  # every bucket used
    rows = LinkRows(8, group_rows=100)
    rows.rows["reports"] = [0, 60, 50, 0, 120, 10, 0, 95]
    assert rows.groups() == [[0, 1, 2], [3, 4], [5, 6, 7]]  # consecutive buckets up to 100 report rows a call
    rows.add(_synthetic(0), nodules_frame([]))  # past group_rows: written to the buckets' files
    path = rows.path
    assert rows.spilled and path.is_dir()
    rows.close()
    assert not path.exists()  # the files go with the run
