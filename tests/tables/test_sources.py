import pandas as pd
import pytest

from extractor.errors import InputError
from extractor.tables.sources import ColumnMap, read_reports

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


# -- ids are text, always (issue 13) -------------------------------------------------------------------------------
from pathlib import Path  # noqa: E402

from extractor.run.stream import iter_tables  # noqa: E402
from extractor.tables.sources import normalise  # noqa: E402


def _integer_ids_with_a_null(tmp_path: Path) -> Path:
    """Parquet: patient 1001's reports are rows 1, 2 and 4; row 3 has a null patient id (int64 column + null)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({
        "report_id": pa.array([1, 2, 3, 4, 5], pa.int64()),
        "patient_id": pa.array([1001, 1001, None, 1001, 2002], pa.int64()),
        "report_date": ["2024-01-02"] * 5,
        "text": ["Thyroid ultrasound."] * 5,
    })
    path = tmp_path / "ids.parquet"
    pq.write_table(table, path)
    return path


def test_integer_ids_are_integer_text_in_every_chunk_size(tmp_path):
    path = _integer_ids_with_a_null(tmp_path)
    for chunk_size in range(1, 7):
        chunks = [t for t, _ in iter_tables(path, "parquet", ColumnMap(), chunk_size)]
        reports = pd.concat([t.reports for t in chunks])
        assert list(reports["report_id"]) == ["1", "2", "4", "5"], chunk_size
        assert list(reports["patient_id"]) == ["1001", "1001", "1001", "2002"], chunk_size  # never "1001.0"
        assert [(e["row"], e["reason"]) for t in chunks for e in t.errors] == [(3, "missing_patient_id")]


def test_integer_ids_with_a_null_from_json_lines(tmp_path):
    path = tmp_path / "ids.jsonl"
    path.write_text('{"report_id": 1, "patient_id": 1001, "text": "x"}\n'
                    '{"report_id": 2, "patient_id": null, "text": "x"}\n'
                    '{"report_id": 3, "patient_id": 1001, "text": "x"}\n', encoding="utf-8")
    reports = read_reports(path).reports
    assert list(reports["patient_id"]) == ["1001", "1001"] and list(reports["report_id"]) == ["1", "3"]


def test_float_ids_of_a_dataframe_are_integer_text():
    frame = pd.DataFrame({"report_id": [1.0, 2.0, None], "patient_id": [1001.0, None, 1001.0],
                          "text": ["x", "y", "z"]})
    table = normalise(frame)
    assert list(table.reports["report_id"]) == ["1"] and list(table.reports["patient_id"]) == ["1001"]


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl"])
def test_a_nul_in_an_id_is_an_error_not_a_merge(tmp_path, suffix):
    frame = pd.DataFrame({"report_id": ["r1", "r1\x00", "r2"], "patient_id": ["p1", "p1", "p\x002"],
                          "text": ["a", "b", "c"]})
    path = tmp_path / f"in{suffix}"
    frame.to_parquet(path) if suffix == ".parquet" else frame.to_json(path, orient="records", lines=True)
    table = read_reports(path)
    assert list(table.reports["report_id"]) == ["r1"]
    assert [(e["row"], e["reason"]) for e in table.errors] == [(2, "invalid_report_id"), (3, "invalid_patient_id")]
    assert table.errors[0]["report_id"] == "r1\\x00" and "NUL" in table.errors[0]["message"]


def test_ids_with_invalid_utf8_are_errors_not_duplicates(tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes(b"report_id,patient_id,text\nr1\xff,p1,first\nr1\xfe,p1,second\nr2,p1,third\n")
    table = read_reports(path)
    assert list(table.reports["report_id"]) == ["r2"]
    assert [e["reason"] for e in table.errors] == ["invalid_report_id", "invalid_report_id"]


def test_a_nul_in_a_csv_field_keeps_the_rest_of_the_field(tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes(b"report_id,patient_id,text\nr1,p1,Left nodule.\x00 Microcalcifications present.\n"
                     b"r\x002,p1,second\n")
    table = read_reports(path)
    text = table.reports.loc[0, "text"]
    assert text.endswith("Microcalcifications present.") and "\ufffd" in text
    assert "replacement_characters" in table.reports.loc[0, "input_flags"]
    assert [e["reason"] for e in table.errors] == ["invalid_report_id"]


def test_a_nul_in_a_csv_field_is_kept_when_read_in_chunks(tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes(b"report_id,patient_id,text\nr1,p1,before\x00after\n")
    (table, _), = list(iter_tables(path, "csv", ColumnMap(), 1))
    assert table.reports.loc[0, "text"] == "before\ufffdafter"


def test_invisible_characters_in_ids_are_flagged(tmp_path):
    frame = pd.DataFrame({"report_id": ["r1", "r1\u200b", "r3"], "patient_id": ["p1", "p1", "p\u00a01"],
                          "text": ["a", "b", "c"]})
    table = normalise(frame)
    assert list(table.reports["report_id"]) == ["r1", "r1\u200b", "r3"]  # kept as written: distinct reports
    assert [f.split(";") for f in table.reports["input_flags"]] == [
        [""], ["invisible_characters_in_id"], ["invisible_characters_in_id"]]


# -- input shape (issue 13) ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("chunked", [False, True])
def test_a_trailing_delimiter_on_the_first_row_is_an_error_not_a_shift(tmp_path, chunked):
    path = tmp_path / "in.csv"
    path.write_text("report_id,patient_id,text\nr1,p1,No nodule.,\nr2,p2,No nodule.\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_reports(path) if not chunked else list(iter_tables(path, "csv", ColumnMap(), 1))
    assert "row 1" in str(e.value) and "more fields than the header" in str(e.value)
    assert "No nodule" not in str(e.value)


def test_duplicate_csv_column_names_are_an_error(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("report_id,patient_id,text,text,,\nr1,p1,first,second,,\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"duplicate column name\(s\) \['text'\];"):  # unnamed ones are not
        read_reports(path)
    path.write_text("report_id,patient_id,text,,\nr1,p1,a,,\n", encoding="utf-8")
    assert list(read_reports(path).reports["text"]) == ["a"]


def test_duplicate_parquet_column_names_are_an_error(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_arrays([pa.array(["r1"]), pa.array(["p1"]), pa.array(["a"]), pa.array(["b"])],
                                        names=["report_id", "patient_id", "text", "text"]), path)
    with pytest.raises(InputError, match="duplicate column name"):
        read_reports(path)


def test_a_duplicate_json_key_is_an_error_with_its_line(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"report_id": "r1", "patient_id": "p1", "text": "a"}\n'
                    '{"report_id": "r2", "patient_id": "p1", "text": "a", "text": "b"}\n', encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_reports(path)
    assert "row 2" in str(e.value) and "duplicate key" in str(e.value)


def test_a_headerless_file_names_no_report_text(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("r1,p1,Right lobe nodule with microcalcifications\nr2,p1,No nodule\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_reports(path)
    message = str(e.value)
    assert "microcalcifications" not in message and "header line" in message and "--id-col" in message


@pytest.mark.parametrize("option", ["report_type", "report_date"])
def test_an_option_naming_a_missing_column_is_an_error(tmp_path, option):
    path = tmp_path / "in.csv"
    pd.DataFrame(ROWS).to_csv(path, index=False)
    with pytest.raises(InputError) as e:
        read_reports(path, columns=ColumnMap(**{option: "kind"}))
    assert "'kind' not found" in str(e.value)
    pd.DataFrame(ROWS).drop(columns=[option]).to_csv(path, index=False)
    assert len(read_reports(path).reports) == 2  # an optional column under its default name may be absent


# -- row numbers (issue 13): what a user finds the row by ----------------------------------------------------------
@pytest.mark.parametrize("chunk_size", [1, 2, 100])
def test_csv_rows_count_blank_lines(tmp_path, chunk_size):
    path = tmp_path / "in.csv"
    path.write_text("report_id,patient_id,text\nr1,p1,a\n\n,p1,b\nr1,p1,c\n", encoding="utf-8")
    chunks = [t for t, _ in iter_tables(path, "csv", ColumnMap(), chunk_size)]
    errors = [(e["row"], e["reason"]) for t in chunks for e in t.errors]
    assert errors == [(2, "blank_row"), (3, "missing_report_id"), (4, "duplicate_report_id")]
    assert sum(t.rows_read for t in chunks) == 4


def test_json_lines_rows_are_line_numbers(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"report_id": "r1", "patient_id": "p1", "text": "a"}\n\n'
                    '{"report_id": "", "patient_id": "p1", "text": "b"}\n', encoding="utf-8")
    table = read_reports(path)
    assert [(e["row"], e["reason"]) for e in table.errors] == [(2, "blank_row"), (3, "missing_report_id")]


def test_a_large_blank_input_is_read_in_few_chunks(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_text("report_id,patient_id,text\n" + ",,\n" * 30_000 + "r1,p1,a\n" + "\n" * 20_000,
                    encoding="utf-8")
    chunks = [t for t, _ in iter_tables(path, "csv", ColumnMap(), 250)]
    assert sum(t.rows_read for t in chunks) == 50_001
    assert sum(len(t.errors) for t in chunks) == 50_000 and sum(len(t.reports) for t in chunks) == 1
    assert len(chunks) < 30  # 201 chunks of 250 rows before


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl"])
def test_large_integer_ids_beside_a_null_stay_exact(tmp_path, suffix):
    big = 2**60 + 1  # a float cannot hold it: 1152921504606846977 would read as 1152921504606846976
    path = tmp_path / f"ids{suffix}"
    if suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.table({"report_id": pa.array([big, None], pa.int64()), "patient_id": ["p", "p"],
                                 "text": ["a", "b"]}), path)
    else:
        path.write_text(f'{{"report_id": {big}, "patient_id": "p", "text": "a"}}\n'
                        '{"report_id": null, "patient_id": "p", "text": "b"}\n', encoding="utf-8")
    assert list(read_reports(path).reports["report_id"]) == [str(big)]

