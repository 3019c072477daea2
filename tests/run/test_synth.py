"""extractor.tools.synth: deterministic for a seed, varied, every report kind, plausible patient courses."""
import pandas as pd

from extractor.fields.kinds import KindClassifier
from extractor.knowledge.ruleset import load_ruleset
from extractor.tools.synth import COLUMNS, generate, write_corpus


def test_same_seed_same_corpus():
    pd.testing.assert_frame_equal(generate(40, seed=3), generate(40, seed=3))


def test_other_seed_other_corpus():
    assert not generate(40, seed=3)["text"].equals(generate(40, seed=4)["text"])


def test_a_smaller_corpus_is_a_prefix_of_a_larger_one():
    small, large = generate(20, seed=5), generate(60, seed=5)
    pd.testing.assert_frame_equal(small, large.head(len(small)))


def test_columns_ids_and_dates():
    frame = generate(200, seed=1)
    assert list(frame.columns) == COLUMNS
    assert frame["report_id"].is_unique
    for _, reports in frame.groupby("patient_id"):
        assert list(reports["report_date"]) == sorted(reports["report_date"])  # US -> FNA -> surgery


def test_every_kind_and_varied_wording():
    frame = generate(300, seed=2)
    kinds = KindClassifier(load_ruleset())
    found = {kinds.classify(h, t).kind for h, t in zip(frame["report_type"], frame["text"])}
    assert found == {"ultrasound", "cytology", "surgical_pathology", "other"}
    assert frame["text"].nunique() == len(frame)
    assert 400 <= frame["text"].str.len().mean() <= 700
    text = "\n".join(frame["text"]).lower()
    for trap in ("comet-tail", "lymph nodes", "clustered", "only in", "bethesda", "cancer case summary"):
        assert trap in text


def test_write_and_read_back(tmp_path):
    frame = generate(10, seed=0)
    for name in ("c.csv", "c.parquet", "c.jsonl"):
        path = write_corpus(frame, tmp_path / name)
        back = {"c.csv": lambda p: pd.read_csv(p, dtype=str, keep_default_na=False),
                "c.parquet": pd.read_parquet,
                "c.jsonl": lambda p: pd.read_json(p, lines=True, dtype=False)}[name](path)
        assert list(back["text"]) == list(frame["text"])
