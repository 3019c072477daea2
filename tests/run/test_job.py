"""extractor.run.job: one job behind every entry point (file, SQL, DataFrame give identical tables), one pass per report
(pathology gets no ultrasound mentions), the input read once, linking from tables only."""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

import extractor
from extractor.knowledge.resources import sample_dir
from extractor.run.api import Extractor, build_cohort, extract, extract_file, link_dir
from extractor.run.inputs import FrameSource
from extractor.run.job import Job, run
from extractor.run.model import RunOptions
from extractor.run.outputs import MemorySink

TABLES = ("reports", "mentions", "patients", "links")


def _text(frame: pd.DataFrame) -> pd.DataFrame:
    """A table as the text its CSV holds (empty for missing), rows in a stable order."""
    out = frame.astype(object).where(frame.notna(), "").astype(str).reset_index(drop=True)
    return out.replace({"<NA>": "", "nan": "", "None": ""})


def _read(directory: Path, name: str) -> pd.DataFrame:
    return _text(pd.read_csv(directory / f"{name}.csv", dtype=str, keep_default_na=False))


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return pd.read_csv(sample_dir() / "reports.csv", dtype=str, keep_default_na=False)


def test_file_sql_and_dataframe_runs_give_identical_tables(sample, tmp_path):
    sa = pytest.importorskip("sqlalchemy")
    from extractor.run.sql import run_sql

    # a file
    extract_file(sample_dir() / "reports.csv", tmp_path / "file", options=RunOptions(duckdb=False))
    from_file = {name: _read(tmp_path / "file", name) for name in TABLES}
    # a database (SQLite), into a directory
    url = f"sqlite:///{tmp_path / 'in.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        sample.to_sql("reports_in", conn, index=False)
    engine.dispose()
    run_sql(url, table="reports_in", out_dir=tmp_path / "sql", options=RunOptions(duckdb=False))
    from_sql = {name: _read(tmp_path / "sql", name) for name in TABLES}
    # a DataFrame
    cohort = build_cohort(sample)
    from_frame = {name: _text(getattr(cohort, name)) for name in TABLES}
    # and the job itself, its DataFrame source into memory
    sink = MemorySink()
    result = run(Job(FrameSource(sample), [sink], engine=Extractor))
    from_job = {"reports": _text(sink.extraction().reports), "mentions": _text(sink.extraction().mentions),
                "patients": _text(result.linkage.patients), "links": _text(result.linkage.links)}
    assert len(from_file["patients"]) and len(from_file["links"]) and len(from_file["mentions"])
    for name in TABLES:
        pd.testing.assert_frame_equal(from_sql[name], from_file[name], obj=f"{name}: SQL vs file")
        pd.testing.assert_frame_equal(from_frame[name], from_file[name], obj=f"{name}: DataFrame vs file")
        pd.testing.assert_frame_equal(from_job[name], from_file[name], obj=f"{name}: job vs file")


PATHOLOGY = pd.DataFrame({
    "report_id": ["C1", "S1", "U1"], "patient_id": ["P", "P", "P"], "report_date": ["2020-01-10", "2020-02-01",
                                                                                    "2020-01-01"],
    "report_type": ["cytology", "surgical pathology", "ultrasound"],
    "text": ["FNA, right thyroid nodule. Abundant colloid with benign follicular cells and comet tail "
             "artifact noted on smear. Benign (Bethesda II).",
             "Right lobectomy. Nodular hyperplasia with cystic change and colloid; a microcalcification in the "
             "stroma. No malignancy.",
             "Right lobe: 12 mm nodule with comet-tail artifact and microcalcifications."],
})


def test_pathology_reports_get_no_ultrasound_mentions():
    result = extract(PATHOLOGY)
    kinds = dict(zip(result.reports["report_id"], result.reports["report_kind"]))
    assert kinds == {"C1": "cytology", "S1": "surgical_pathology", "U1": "ultrasound"}
    assert set(result.mentions["report_id"]) == {"U1"}  # the ultrasound keeps its mentions
    assert {"COMET_TAIL_ARTIFACT", "MICROCALCIFICATION"} <= set(result.mentions["label"])
    n = dict(zip(result.reports["report_id"], result.reports["n_mentions"]))
    assert (n["C1"], n["S1"]) == (0, 0)
    fields = result.reports.set_index("report_id")
    assert (fields.loc["C1", "bethesda_category"], fields.loc["S1", "malignancy"]) == ("II", "benign")


def test_pathology_reports_give_no_note_nlp_rows(tmp_path):
    PATHOLOGY.to_csv(tmp_path / "in.csv", index=False)
    extract_file(tmp_path / "in.csv", tmp_path / "out", options=RunOptions(note_nlp=True, duckdb=False))
    note_nlp = pd.read_csv(tmp_path / "out" / "note_nlp.csv", dtype=str, keep_default_na=False)
    ids = pd.read_csv(tmp_path / "out" / "note_nlp_ids.csv", dtype=str, keep_default_na=False)
    ultrasound = ids.loc[ids["report_id"] == "U1", "note_id"].item()
    assert len(note_nlp) and set(note_nlp["note_id"]) == {ultrasound}


NODULES = pd.DataFrame({
    "report_id": ["U1", "C1"], "patient_id": ["P", "P"], "report_date": ["2020-01-01", "2020-01-10"],
    "report_type": ["ultrasound", "cytology"],
    "text": ["Thyroid ultrasound. Left lobe: a 9 mm isoechoic nodule in the upper pole and a 25 mm isoechoic "
             "nodule in the lower pole. No microcalcifications.",
             "FNA, left upper pole thyroid nodule. Benign follicular nodule (Bethesda II)."],
})


def test_the_input_is_read_once_per_run(tmp_path, monkeypatch):
    """Every module that holds the reader gets a counting one: a whole run (extract, link, write) parses the
    input file once."""
    import extractor.tables.sources as sources

    path = tmp_path / "in.csv"
    NODULES.to_csv(path, index=False)
    real = sources.raw_chunks
    reads = []

    def counting(source, *args, **kwargs):
        if Path(source).resolve() == path.resolve():
            reads.append(source)
        return real(source, *args, **kwargs)

    for name, module in list(sys.modules.items()):
        if name.startswith("extractor") and getattr(module, "raw_chunks", None) is real:
            monkeypatch.setattr(module, "raw_chunks", counting)
    run = extract_file(path, tmp_path / "out", options=RunOptions(duckdb=False))
    assert len(reads) == 1
    assert run.linkage.patients.loc[0, "index_nodule_rule"] == "fna_site_position"


def test_linking_needs_no_text_column_at_all(tmp_path):
    """The re-link of a stored DIR whose input is gone: the FNA's pole is a report column, so the index nodule is
    still the one the cytology sampled."""
    path = tmp_path / "in.csv"
    NODULES.to_csv(path, index=False)
    extract_file(path, tmp_path / "out", options=RunOptions(duckdb=False))
    path.unlink()
    reports = pd.read_csv(tmp_path / "out" / "reports.csv", dtype=str, keep_default_na=False)
    assert "text" not in reports.columns
    assert reports.set_index("report_id").loc["C1", "fna_position"] == "upper"
    (tmp_path / "out" / "patients.csv").unlink()
    linkage, _ = link_dir(tmp_path / "out", duckdb=False)
    row = linkage.patients.iloc[0]
    assert (row["fna_site"], row["index_nodule_rule"], row["index_nodule_position"]) == (
        "left", "fna_site_position", "upper")


# -- the import graph ----------------------------------------------------------------------------------------------
def _modules() -> dict[str, Path]:
    root = Path(extractor.__file__).parent
    out = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _imports(modules: dict[str, Path], *, module_level: bool) -> dict[str, set[str]]:
    """radpath module -> the radpath modules it imports (``from pkg import sub`` counts as ``pkg.sub``). Imports of
    the package root itself (``from . import __version__``; its lazy public API) are left out."""
    import ast

    graph = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        nodes = tree.body if module_level else list(ast.walk(tree))
        deps = set()
        for node in nodes:
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[:len(package.split(".")) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                subs = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in modules]
                candidates = subs if len(subs) == len(node.names) else [target, *subs]
            elif isinstance(node, ast.Import):
                candidates = [a.name for a in node.names]
            else:
                continue
            deps |= {c for c in candidates if c in modules and c not in (name, "extractor")}
        graph[name] = deps
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` (a path that comes back to its start), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                return stack[stack.index(dep):] + [dep]
            if dep not in state:
                found = visit(dep)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_no_import_cycle_among_radpaths_modules():
    """Neither among module-level imports nor through function-local ones (api <-> cohort_api <-> runner <-> pool
    was such a cycle, hidden in function-local imports)."""
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]  # the finder finds one
    modules = _modules()
    assert {"extractor.run.job", "extractor.run.model", "extractor.run.inputs", "extractor.run.outputs",
            "extractor.run.api", "extractor.run.pool", "extractor.run.sql"} <= set(modules)
    assert _cycle(_imports(modules, module_level=True)) is None
    assert _cycle(_imports(modules, module_level=False)) is None


JOB_NAMES = {  # every public name extractor.run.job defined before its sources, sinks and model moved out
    "extractor.run.model": ["RunOptions", "Extraction", "Chunk", "RunSummary", "Context", "Result",
                            "manifest_options"],
    "extractor.run.inputs": ["Source", "FileSource", "FrameSource", "StoredSource", "PATHOLOGY_KINDS", "SITE_COLUMNS",
                             "check_input", "iter_tables", "omop_columns", "resolve_date_format", "read_texts",
                             "add_site_columns"],
    "extractor.run.outputs": ["Sink", "MemorySink", "CohortSink", "FileSink", "write_cohort_outputs",
                              "write_note_nlp_for", "read_report_rows"],
    "extractor.run.job": ["Job", "run", "extract_chunk", "check_knowledge", "manifest_tables", "run_state",
                          "csv_safe_env", "date_problems", "CLINICAL_KINDS", "DATE_SHARE_WARNED",
                          "DEFAULT_CHUNK_SIZE"],
}


@pytest.mark.parametrize("module", sorted(JOB_NAMES))
def test_extractor_run_job_still_gives_every_name_it_gave(module):
    """``from extractor.run.job import FileSink, FileSource, Job, RunOptions, run`` (docs/scale.md) and every other
    name the job module held still import from it, as the very objects of their new modules."""
    import importlib

    job, home = importlib.import_module("extractor.run.job"), importlib.import_module(module)
    for name in JOB_NAMES[module]:
        assert getattr(job, name) is getattr(home, name), name
    assert set(job.__all__) <= set(vars(job))
