import pandas as pd
import pytest

from extractor.errors import InputError
from extractor.sources import ColumnMap, read_reports

ROWS = [
    {"report_id": "a", "patient_id": "p1", "report_date": "2024-01-02", "report_type": "US", "text": "No nodule."},
    {"report_id": "b", "patient_id": "p1", "report_date": "2024-02-02", "report_type": "FNA", "text": "Bethesda II."},
]


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".parquet", ".jsonl"])
def test_reads_every_format(tmp_path, suffix):
    frame = pd.DataFrame(ROWS)
    path = tmp_path / f"in{suffix}"
    {".csv": lambda: frame.to_csv(path, index=False), ".tsv": lambda: frame.to_csv(path, sep="\t", index=False),
     ".parquet": lambda: frame.to_parquet(path), ".jsonl": lambda: frame.to_json(path, orient="records", lines=True)}[suffix]()
    table = read_reports(path)
    assert list(table.reports["report_id"]) == ["a", "b"]


def test_maps_other_column_names(tmp_path):
    path = tmp_path / "notes.csv"
    pd.DataFrame([{"NOTE_ID": 1, "PERSON": 9, "NOTE_TEXT": "No nodule."}]).to_csv(path, index=False)
    table = read_reports(path, columns=ColumnMap(report_id="NOTE_ID", patient_id="PERSON", text="NOTE_TEXT"))
    assert table.reports.loc[0, "text"] == "No nodule." and table.reports.loc[0, "report_id"] == "1"


def test_missing_column_names_it_and_lists_found(tmp_path):
    path = tmp_path / "in.csv"
    pd.DataFrame([{"report_id": "a", "patient_id": "p", "body": "x"}]).to_csv(path, index=False)
    with pytest.raises(InputError) as e:
        read_reports(path)
    message = str(e.value)
    assert "'text'" in message and "body" in message and "--text-col" in message


def test_bad_rows_go_to_errors_not_away(tmp_path):
    path = tmp_path / "in.csv"
    rows = ROWS + [
        {"report_id": "a", "patient_id": "p2", "report_date": "", "report_type": "", "text": "dup"},
        {"report_id": "c", "patient_id": "", "report_date": "", "report_type": "", "text": "no patient"},
        {"report_id": "d", "patient_id": "p3", "report_date": "", "report_type": "", "text": "   "},
    ]
    pd.DataFrame(rows).to_csv(path, index=False)
    table = read_reports(path)
    assert len(table.reports) + len(table.errors) == table.rows_read == 5
    assert [e["reason"] for e in table.errors] == ["duplicate_report_id", "missing_patient_id", "empty_text"]


def test_semicolon_csv_with_bom(tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes("\ufeffreport_id;patient_id;text\r\nx;p;No nodule.\r\n".encode("utf-8"))
    assert read_reports(path).reports.loc[0, "report_id"] == "x"


@pytest.mark.parametrize("make", ["directory", "missing", "empty", "unknown_suffix"])
def test_unreadable_inputs_are_input_errors(tmp_path, make):
    path = {"directory": tmp_path, "missing": tmp_path / "nope.csv", "empty": tmp_path / "e.csv",
            "unknown_suffix": tmp_path / "x.docx"}[make]
    if make == "empty":
        path.write_text("")
    if make == "unknown_suffix":
        path.write_text("x")
    with pytest.raises(InputError):
        read_reports(path)
