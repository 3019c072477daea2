"""Bad input never loses a report silently: rows read = reports + errors, or a clean exit-2 message for a file
that cannot be read at all. Plus determinism and no network."""
import socket
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from extractor.cli.main import cli

HEADER = "report_id,patient_id,report_date,report_type,text\n"
GOOD = "R1,P1,2024-01-02,US,Right lobe: scattered microcalcifications without a discrete mass.\n"


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return (header + "".join(rows)).encode("utf-8")


def run(tmp_path, name: str, content: bytes | None = None, frame: pd.DataFrame | None = None, extra=()):
    path = tmp_path / name
    if frame is not None:
        frame.to_parquet(path) if name.endswith(".parquet") else frame.to_json(path, orient="records", lines=True)
    elif content is not None:
        path.write_bytes(content)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["extract", str(path), "--out", str(out), "-q", *extra])
    return result, out


def tables(out: Path):
    read = lambda name: pd.read_csv(out / f"{name}.csv", dtype=str, keep_default_na=False)  # noqa: E731
    return read("reports"), read("errors")


# (case id, file name, bytes, rows in the file, expected error reasons, check on the reports table)
ROW_CASES = [
    ("bom", "a.csv", b"\xef\xbb\xbf" + csv_bytes(GOOD), 1, [], None),
    ("semicolons", "a.csv", csv_bytes(GOOD.replace(",", ";"), header=HEADER.replace(",", ";")), 1, [], None),
    ("crlf", "a.csv", csv_bytes(GOOD).replace(b"\n", b"\r\n"), 1, [], None),
    ("latin1", "a.csv", csv_bytes("R1,P1,2024-01-02,US,Nodule with microcalcifications \xe9\xe8.\n").replace(
        "\xe9\xe8".encode(), b"\xe9\xe8"), 1, [], ("input_flags", "replacement_characters")),
    ("invalid_utf8", "a.csv", csv_bytes(GOOD).replace(b"discrete", b"dis\xff\xfecrete"), 1, [],
     ("input_flags", "replacement_characters")),
    ("empty_text", "a.csv", csv_bytes(GOOD, "R2,P1,2024-01-03,US,\n"), 2, ["empty_text"], None),
    ("whitespace_text", "a.csv", csv_bytes(GOOD, 'R2,P1,2024-01-03,US,"   \n  "\n'), 2, ["empty_text"], None),
    ("empty_patient", "a.csv", csv_bytes(GOOD, "R2,,2024-01-03,US,No nodule.\n"), 2, ["missing_patient_id"], None),
    ("missing_report_id", "a.csv", csv_bytes(GOOD, ",P2,2024-01-03,US,No nodule.\n"), 2, ["missing_report_id"], None),
    ("duplicate_id", "a.csv", csv_bytes(GOOD, GOOD.replace("P1", "P9")), 2, ["duplicate_report_id"], None),
    ("unparseable_date", "a.csv", csv_bytes(GOOD.replace("2024-01-02", "02/31/20xx")), 1, [],
     ("report_date_status", "unparseable")),
    ("future_date", "a.csv", csv_bytes(GOOD.replace("2024-01-02", "2999-01-01")), 1, [],
     ("report_date_status", "future")),
    ("binary_junk", "a.csv", csv_bytes('R1,P1,2024-01-02,US,"No nodule.\x01\x02\x7f\x1b end"\n'), 1, [],
     ("input_flags", "control_characters")),
    ("rtf", "a.csv", csv_bytes('R1,P1,2024-01-02,US,"{\\rtf1\\ansi No nodule.\\par}"\n'), 1, [],
     ("input_flags", "markup")),
    ("html", "a.csv", csv_bytes('R1,P1,2024-01-02,US,"<p>No <b>nodule</b>.</p><script>x()</script>"\n'), 1, [],
     ("input_flags", "markup")),
    ("unknown_kind", "a.csv", csv_bytes("R1,P1,2024-01-02,,Patient phoned about an appointment.\n"), 1, [],
     ("report_kind", "other")),
    ("header_only", "a.csv", csv_bytes(), 0, [], None),
    ("multiline_quoted", "a.csv", csv_bytes('R1,P1,2024-01-02,US,"FINDINGS:\nNo nodule.\n\nIMPRESSION: normal"\n'), 1,
     [], None),
    ("tsv", "a.tsv", csv_bytes(GOOD.replace(",", "\t"), header=HEADER.replace(",", "\t")), 1, [], None),
    ("blank_lines", "a.csv", csv_bytes(GOOD, "\n", ",,,,\n", "\n"), 4, ["blank_row"] * 3, None),
    ("nul_in_id", "a.csv", csv_bytes(GOOD, GOOD.replace("R1", "R1\x00")), 2, ["invalid_report_id"], None),
    ("nul_in_text", "a.csv", csv_bytes(GOOD.replace("Right lobe:", "Right lobe:\x00")), 1, [],
     ("microcalcifications", "present")),
    ("zero_width_id", "a.csv", csv_bytes(GOOD.replace("R1", "R\u200b1")), 1, [],
     ("input_flags", "invisible_characters_in_id")),
    ("jsonl_missing_key", "a.jsonl", b'{"report_id":"R1","patient_id":"P1","text":"No nodule."}\n'
                                     b'{"report_id":"R2","patient_id":"P1"}\n', 2, ["empty_text"], None),
]


@pytest.mark.parametrize("case, name, content, rows, reasons, check", ROW_CASES, ids=[c[0] for c in ROW_CASES])
def test_every_row_is_accounted_for(tmp_path, case, name, content, rows, reasons, check):
    result, out = run(tmp_path, name, content)
    assert result.exit_code == 0, result.output
    reports, errors = tables(out)
    assert len(reports) + len(errors) == rows
    assert sorted(errors["reason"]) == sorted(reasons)
    if check:
        column, value = check
        assert value in reports.loc[0, column].split(";")


def test_parquet_with_wrong_types_is_read_as_text(tmp_path):
    frame = pd.DataFrame({"report_id": [1, 2], "patient_id": [10.0, None], "report_date": [20240101, None],
                          "text": [1234, 42]})
    result, out = run(tmp_path, "a.parquet", frame=frame)
    assert result.exit_code == 0, result.output
    reports, errors = tables(out)
    assert len(reports) + len(errors) == 2
    assert list(errors["reason"]) == ["missing_patient_id"]


def test_five_megabyte_report_is_processed(tmp_path):
    unit = "Right lobe: scattered microcalcifications without a discrete mass; no nodule. Possibly clustered.\n"
    text = unit * (5_000_000 // len(unit))
    frame = pd.DataFrame([{"report_id": "big", "patient_id": "P1", "report_date": "2024-01-01",
                           "report_type": "US", "text": text}])
    # past the default --max-report-chars it is an error row (too_long); with the limits raised it is extracted
    result, out = run(tmp_path, "a.parquet", frame=frame)
    assert result.exit_code == 0, result.output
    reports, errors = tables(out)
    assert reports.empty and list(errors["reason"]) == ["too_long"]
    result, out = run(tmp_path, "a.parquet", frame=frame,
                      extra=["--max-report-chars", "6000000", "--max-seconds-per-report", "0"])
    assert result.exit_code == 0, result.output
    reports, _ = tables(out)
    assert reports.loc[0, "microcalcifications"] == "present" and "long_text" in reports.loc[0, "input_flags"]


@pytest.mark.parametrize(
    "make, message",
    [
        ("missing_column", "required column 'text' not found"),
        ("trailing_delimiter", "row 1: the first data row has more fields than the header"),
        ("duplicate_columns", "duplicate column name(s) ['text']"),
        ("missing_type_column", "column 'kind' not found"),
        ("empty_file", "empty"),
        ("directory", "is a directory"),
        ("unknown_suffix", "unknown file type"),
        ("not_found", "file not found"),
    ],
)
def test_unreadable_file_is_a_clean_exit_2(tmp_path, make, message):
    path = {"directory": tmp_path, "unknown_suffix": tmp_path / "a.xlsx", "not_found": tmp_path / "nope.csv"}.get(
        make, tmp_path / "a.csv")
    if make == "missing_column":
        path.write_text("report_id,patient_id,body\nR1,P1,x\n")
    elif make in {"empty_file", "unknown_suffix"}:
        path.write_text("")
    elif make in {"trailing_delimiter", "missing_type_column"}:
        path.write_bytes(csv_bytes(GOOD.replace("\n", ",\n") if make == "trailing_delimiter" else GOOD))
    elif make == "duplicate_columns":
        path.write_bytes(csv_bytes(GOOD.replace("\n", ",x\n"), header=HEADER.replace("\n", ",text\n")))
    extra = ["--type-col", "kind"] if make == "missing_type_column" else []
    result = CliRunner().invoke(cli, ["extract", str(path), "--out", str(tmp_path / "out"), *extra])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    if make == "missing_column":
        assert "body" in result.output and "--text-col" in result.output


def test_a_patient_with_integer_ids_and_a_null_in_another_chunk_is_not_split(tmp_path):
    """Issue 13: from Parquet, patient 1001 read as 1001 in one chunk and 1001.0 in the chunk with a null, so the
    Bethesda VI FNA went unlinked (final diagnosis unknown instead of malignant)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "a.parquet"
    pq.write_table(pa.table({
        "report_id": pa.array([1, 2, 3, 4], pa.int64()),
        "patient_id": pa.array([1001, None, 1001, 2002], pa.int64()),
        "report_date": ["2024-01-02", "2024-01-03", "2024-02-01", "2024-01-02"],
        "report_type": ["US", "US", "FNA", "US"],
        "text": ["Right lobe nodule with microcalcifications.", "No nodule.",
                 "FINE NEEDLE ASPIRATION, right thyroid nodule. DIAGNOSIS: Malignant. Papillary thyroid carcinoma "
                 "(Bethesda category VI).", "No nodule."],
    }), path)
    for chunk_size in (1, 2, 3):
        out = tmp_path / f"out{chunk_size}"
        result = CliRunner().invoke(cli, ["extract", str(path), "--out", str(out), "-q", "--workers", "1",
                                          "--chunk-size", str(chunk_size)])
        assert result.exit_code == 0, result.output
        patients = pd.read_csv(out / "patients.csv", dtype=str, keep_default_na=False).set_index("patient_id")
        assert list(patients.index) == ["1001", "2002"], chunk_size
        assert patients.loc["1001", "fna_report_id"] == "3", chunk_size
        assert patients.loc["1001", "final_diagnosis"] == "malignant", chunk_size


def test_same_input_gives_byte_identical_tables(tmp_path):
    source = Path(__file__).resolve().parents[2] / "corpora" / "sample" / "reports.csv"
    outs = []
    for n in range(2):
        out = tmp_path / f"run{n}"
        assert CliRunner().invoke(cli, ["extract", str(source), "--out", str(out), "-q"]).exit_code == 0
        outs.append(out)
    for name in ("reports", "mentions", "errors", "patients", "links"):
        for suffix in (".csv", ".parquet"):
            assert (outs[0] / f"{name}{suffix}").read_bytes() == (outs[1] / f"{name}{suffix}").read_bytes(), name


def test_a_full_run_makes_no_network_call(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("radpath tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    source = Path(__file__).resolve().parents[2] / "corpora" / "sample" / "reports.csv"
    result = CliRunner().invoke(cli, ["extract", str(source), "--out", str(tmp_path / "out")], catch_exceptions=False)
    assert result.exit_code == 0


def test_files_with_report_text_are_private(tmp_path):
    result, out = run(tmp_path, "a.csv", csv_bytes(GOOD))
    assert result.exit_code == 0
    for name in ("mentions.csv", "mentions.parquet", "radpath.duckdb"):
        assert (out / name).stat().st_mode & 0o077 == 0, name
