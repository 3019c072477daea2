"""radpath as a spaCy pipeline a spaCy user can keep (docs/spacy.md): saved and loaded anywhere, its tokenizer in
the config, its order checked by analyze_pipes, its results where displaCy and medSpaCy's DocConsumer look."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import spacy
from medspacy.context.context_graph import ConTextGraph
from medspacy.io import DocConsumer
from spacy import displacy

from extractor.knowledge.resources import patterns_dir
from extractor.nlp.base import RuleComponent
from extractor.nlp.extensions import DOC_EXTENSIONS, SPAN_EXTENSIONS
from extractor.nlp.mentions import mention_rows
from extractor.nlp.pipeline import PIPE_NAMES, blank_nlp, build_nlp, build_pathology_nlp

REPO = Path(__file__).resolve().parents[2]
CORPORA = [REPO / "corpora" / "sample" / "reports.csv", *sorted((REPO / "corpora" / "blind").glob("*/reports.csv"))]
KEY = "radpath_mentions"  # the documented doc.spans key (docs/spacy.md)
NEW_RULE = "mc-900\tsnowflake sign\t\tsynthetic rule added for this test\n"
TEXT = "RIGHT LOBE: Rt. lobe shows microcalcifications.\nLEFT LOBE: no microcalcifications. Possible mass."


@pytest.fixture(scope="module")
def texts():
    frames = [pd.read_csv(path, dtype=str, keep_default_na=False) for path in CORPORA]
    found = [text for frame in frames for text in frame["text"]]
    assert len(found) >= 300
    return found


@pytest.fixture(scope="module")
def own_patterns(tmp_path_factory):
    """A copy of patterns/ with one more microcalcification rule, deleted once the pipeline is saved."""
    directory = tmp_path_factory.mktemp("own") / "patterns"
    shutil.copytree(patterns_dir(), directory)
    with open(directory / "targets" / "microcalcification.tsv", "a", encoding="utf-8") as handle:
        handle.write(NEW_RULE)
    return directory


def _rows(nlp, texts):
    return [row for index, doc in enumerate(nlp.pipe(texts))
            for row in mention_rows(doc, report_id=str(index), patient_id="p")]


LOAD_SCRIPT = """
import json, sys
import spacy
nlp = spacy.load(sys.argv[1])
from extractor.nlp.mentions import mention_rows
texts = json.load(open(sys.argv[2], encoding="utf-8"))
rows = [row for index, doc in enumerate(nlp.pipe(texts)) for row in mention_rows(doc, report_id=str(index), patient_id="p")]
sents = [[s.start_char for s in doc.sents] for doc in nlp.pipe(texts[:50])]
json.dump({"rows": rows, "sents": sents, "max_length": nlp.max_length}, open(sys.argv[3], "w", encoding="utf-8"))
"""


def test_a_saved_pipeline_moved_and_loaded_elsewhere_gives_the_same_mentions(texts, own_patterns, tmp_path):
    nlp = build_nlp(str(own_patterns))
    texts = [*texts, "Right lobe nodule with a snowflake sign."]
    expected = _rows(nlp, texts)
    assert any(row["rule_id"] == "mc-900" for row in expected)  # the rule read from the copy counts
    nlp.to_disk(tmp_path / "saved")
    shutil.rmtree(own_patterns.parent)  # the rules now live only in the saved pipeline
    shutil.move(str(tmp_path / "saved"), str(tmp_path / "moved"))
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "texts.json").write_text(json.dumps(texts), encoding="utf-8")
    env = {**os.environ, "RADPATH_PATTERNS": str(tmp_path / "no-patterns-here")}
    subprocess.run([sys.executable, "-c", LOAD_SCRIPT, str(tmp_path / "moved"), str(tmp_path / "texts.json"),
                    str(tmp_path / "out.json")], cwd=tmp_path / "elsewhere", env=env, check=True, timeout=600)
    loaded = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert loaded["rows"] == json.loads(json.dumps(expected))
    assert loaded["sents"] == [[s.start_char for s in doc.sents] for doc in nlp.pipe(texts[:50])]
    assert loaded["max_length"] == nlp.max_length


def test_to_bytes_and_from_bytes_carry_the_rules(own_patterns, texts):
    nlp = build_nlp(str(own_patterns))
    copy = blank_nlp()
    for name in PIPE_NAMES:
        copy.add_pipe(name)
    copy.from_bytes(nlp.to_bytes())
    sample = [*texts[:100], "Right lobe nodule with a snowflake sign."]
    assert _rows(copy, sample) == _rows(nlp, sample)


def _strings(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


def test_the_saved_config_names_no_path_and_holds_no_rules(nlp, tmp_path):
    nlp.to_disk(tmp_path / "saved")
    text = (tmp_path / "saved" / "config.cfg").read_text(encoding="utf-8")
    assert str(REPO) not in text and str(patterns_dir().resolve()) not in text and "patterns" not in text
    config = spacy.util.load_config(tmp_path / "saved" / "config.cfg", interpolate=False)
    assert not [s for s in _strings(dict(config)) if os.path.isabs(s) or os.sep in s]
    saved = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "saved").rglob("*.jsonl"))
    assert str(REPO) not in saved  # rule files are named relative to patterns/


def test_the_tokenizer_is_registered_and_named_in_the_config(nlp):
    assert nlp.config["nlp"]["tokenizer"] == {"@tokenizers": "radpath.tokenizer.v1"}


def test_blank_english_plus_the_config_tokenizer_gives_radpaths_sentences(nlp, texts):
    own = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "radpath.tokenizer.v1"}}})
    for name in PIPE_NAMES:
        own.add_pipe(name)
    own.initialize()
    assert [t.text for t in own("Rt. lobe: 1.2cm micro-calcifications.")] == [
        "Rt.", "lobe", ":", "1.2cm", "micro-calcifications", "."]
    sample = texts[:150]
    assert [[s.start_char for s in d.sents] for d in own.pipe(sample)] == \
        [[s.start_char for s in d.sents] for d in nlp.pipe(sample)]
    assert _rows(own, sample) == _rows(nlp, sample)


def test_blank_english_with_its_own_tokenizer_is_refused_saying_what_is_missing():
    nlp = spacy.blank("en")
    nlp.add_pipe("thyroid_sections")
    with pytest.raises(ValueError, match=r"needs radpath's tokenizer.*radpath\.tokenizer\.v1"):
        nlp.add_pipe("thyroid_sentences")


@pytest.mark.parametrize("name", [n for n in PIPE_NAMES if n != "thyroid_sentences"])
def test_a_component_without_rules_says_so(name):
    nlp = blank_nlp()
    nlp.add_pipe(name)
    with pytest.raises(ValueError, match=rf"{name}' has no rules: call nlp.initialize\(\)"):
        nlp("no microcalcifications")


def test_analyze_pipes_finds_no_problem_in_radpaths_order(nlp):
    assert not any(nlp.analyze_pipes()["problems"].values())


@pytest.mark.parametrize("moved, before", [
    ("thyroid_sentences", "thyroid_sections"),  # sentences need the section headers
    ("thyroid_context", "thyroid_targets"),  # ConText needs the target mentions
    ("thyroid_attributes", "thyroid_targets"),  # and so do the attributes
])
def test_analyze_pipes_catches_a_wrong_order(moved, before):
    order = [n for n in PIPE_NAMES if n != moved]
    order.insert(order.index(before), moved)
    nlp = blank_nlp()
    for name in order:
        nlp.add_pipe(name)
    assert nlp.analyze_pipes()["problems"][moved]


def test_every_extension_and_assigned_attribute_is_prefixed():
    assert all(name.startswith("radpath_") for name in [*DOC_EXTENSIONS, *SPAN_EXTENSIONS])
    assigned = {a for name in PIPE_NAMES for a in spacy.Language.get_factory_meta(name).assigns}
    custom = {a.split("._.", 1)[1] for a in assigned if "._." in a}
    assert custom - {"context_graph"} and all(a.startswith("radpath_") for a in custom - {"context_graph"})


def test_medspacy_docconsumer_reads_the_mentions_and_the_context_graph(nlp):
    doc = nlp(TEXT)
    assert isinstance(doc._.context_graph, ConTextGraph) and doc._.context_graph is doc._.radpath_context_graph
    group = ["text", "label_", "start_char", "end_char", "radpath_status", "radpath_section"]
    consumer = DocConsumer(nlp, dtypes=("group", "context"), span_group_name=KEY,
                           dtype_attrs={"group": group, **DocConsumer.get_default_attrs(("context",))})
    data = consumer(doc)._.data
    assert list(zip(data["group"]["text"], data["group"]["radpath_status"])) == [
        ("microcalcifications", "affirmed"), ("microcalcifications", "negated"), ("mass", "uncertain")]
    assert list(zip(data["context"]["ent_text"], data["context"]["modifier_category"])) == [
        ("microcalcifications", "NEGATED"), ("mass", "UNCERTAIN")]


def test_a_context_graph_set_before_radpaths_is_kept(nlp):
    theirs = ConTextGraph()
    doc = nlp.make_doc(TEXT)
    for name, component in nlp.pipeline:
        if name == "thyroid_context":
            doc._.context_graph = theirs
        doc = component(doc)
    assert doc._.context_graph is theirs
    assert [e[1].category for e in doc._.radpath_context_graph.edges] == ["NEGATED", "UNCERTAIN"]


def test_displacy_renders_the_mentions(nlp):
    html = displacy.render(nlp(TEXT), style="span", options={"spans_key": KEY})
    assert html.count("MICROCALCIFICATION") == 2 and "NODULE" in html and "mass" in html


def test_errors_inside_a_component_go_to_spacys_error_handler():
    nlp = build_nlp()  # a copy: this test breaks one of its components
    component = nlp.get_pipe("thyroid_attributes")
    find_cues = component.find_cues

    def failing(doc):
        if "EXPLODE" in doc.text:
            raise RuntimeError("boom")
        return find_cues(doc)

    component.find_cues = failing
    with pytest.raises(RuntimeError, match="boom"):  # by default raised, never swallowed
        nlp("microcalcifications EXPLODE")
    seen = []
    nlp.set_error_handler(lambda name, proc, docs, error: seen.append((name, type(error).__name__, len(docs))))
    assert all(nlp.get_pipe(name).get_error_handler() is nlp.default_error_handler for name in PIPE_NAMES)
    docs = list(nlp.pipe(["microcalcifications.", "microcalcifications EXPLODE", "no mass."]))
    assert seen == [("thyroid_attributes", "RuntimeError", 1)]
    assert [d.text for d in docs] == ["microcalcifications.", "no mass."]


def test_every_rule_component_saves_its_rules():
    nlp = build_nlp()
    for name in PIPE_NAMES:
        component = nlp.get_pipe(name)
        assert isinstance(component, RuleComponent) == (name != "thyroid_sentences")


def test_the_pathology_pipeline_has_no_ultrasound_targets(nlp):
    pathology = build_pathology_nlp()
    assert "thyroid_targets" not in pathology.pipe_names
    doc = pathology(TEXT)
    assert [s.text for s in doc.sents] == [s.text for s in nlp(TEXT).sents]
    assert not doc.spans.get(KEY)
