"""`radpath audit` and `radpath explain`, invoked directly (the lead registers them on the main group)."""
import pandas as pd
from click.testing import CliRunner

from extractor.cli.audit import audit, explain


def run(command, args):
    return CliRunner().invoke(command, [str(a) for a in args], catch_exceptions=False)


def test_audit_writes_the_page(linked):
    result = run(audit, [linked])
    assert result.exit_code == 0, result.output
    assert (linked / "audit.html").is_file()
    assert "35 patients" in result.output or "patients" in result.output


def test_audit_to_another_path_with_input(extracted, tmp_path):
    from extractor.knowledge.resources import sample_dir

    out = tmp_path / "page.html"
    result = run(audit, [extracted, "--input", sample_dir() / "reports.csv", "--out", out, "-q"])
    assert result.exit_code == 0 and result.output == ""
    assert out.stat().st_size > 10_000


def test_audit_of_a_directory_without_reports_is_a_clean_error(tmp_path):
    result = run(audit, [tmp_path])
    assert result.exit_code == 2
    assert "reports" in result.output and "Traceback" not in result.output


def test_explain_a_patient_shows_values_evidence_and_verdicts(linked):
    result = run(explain, [linked, "P001", "--width", "200"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "MEETS" in out and "yoon2011_dmo" in out
    assert "microcalcifications" in out and "precedence rank 1" in out
    assert "neg-" in out  # a negation trigger's rule id
    assert "without discrete mass" in out  # an evidence sentence


def test_explain_never_prints_whole_texts_unless_asked(linked):
    from extractor.knowledge.resources import sample_dir

    text = pd.read_csv(sample_dir() / "reports.csv", dtype=str).set_index("report_id").loc["R001", "text"]
    tail = "US-FNA of the densest area is recommended."  # a sentence with no mention in it
    assert tail in text
    plain = run(explain, [linked, "R001", "--width", "200"]).output
    assert tail not in plain
    shown = run(explain, [linked, "R001", "--width", "200", "--show-text"]).output
    assert tail in shown


def test_explain_a_report(linked):
    result = run(explain, [linked, "R002", "--width", "200"])
    assert result.exit_code == 0
    assert "R002" in result.output and "bethesda_category" in result.output and "linked cytology" in result.output


def test_explain_an_unknown_id(linked):
    result = run(explain, [linked, "NOPE"])
    assert result.exit_code == 2 and "neither a patient id nor a report id" in result.output


def test_explain_does_not_interpret_report_words_as_rich_markup(tmp_path, make_cohort):
    directory = make_cohort(2, tmp_path / "c", xss_every=1)
    result = run(explain, [directory, "S00000", "--width", "200", "--show-text"])
    assert result.exit_code == 0
    assert "<script>" in result.output  # shown literally


def test_explain_prints_no_terminal_escape_sequence_from_ids_or_text(tmp_path):
    """A report (or an id) carrying ESC sequences, a carriage return, a bell or a bidi override: printed as
    visible symbols, never sent to the terminal."""
    from extractor.run.api import RunOptions, extract_file

    hostile = "\x1b]0;owned\x07\x1b[2J\r\u202e"
    # ids with control characters are refused at input (invalid_patient_id); a bidi override is allowed and flagged
    reports = pd.DataFrame([{
        "report_id": "R1", "patient_id": "P\u202e1", "report_date": "2020-01-01", "report_type": "US thyroid",
        "text": f"THYROID ULTRASOUND. {hostile}Diffuse microcalcifications throughout the right lobe {hostile}"
                "without a discrete mass."}])
    reports.to_csv(tmp_path / "in.csv", index=False)
    extract_file(tmp_path / "in.csv", tmp_path / "out", options=RunOptions(link=False, duckdb=False))
    for args in (["R1", "--show-text", "--input", tmp_path / "in.csv"], ["P\u202e1"]):
        result = run(explain, [tmp_path / "out", *args, "--width", "200"])
        assert result.exit_code == 0, result.output
        assert "microcalcification" in result.output
        for character in ("\x1b", "\x07", "\r", "\u202e"):
            assert character not in result.output, (args, character)
    assert "\u241b" in run(explain, [tmp_path / "out", "R1", "--show-text", "--input", tmp_path / "in.csv",
                                     "--width", "200"]).output  # ESC as its control picture


def test_terminal_safe_keeps_offsets():
    from extractor.audit.safety import terminal_safe

    text = "a\x1b[0mb\tc\nd\x9be\u202ef\x7f"
    assert len(terminal_safe(text)) == len(text)
    assert terminal_safe(text) == "a\u241b[0mb\tc\nd\ufffde\ufffdf\u2421"
