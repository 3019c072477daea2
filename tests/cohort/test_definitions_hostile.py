"""Hostile case-definition and linking files: one clear error naming the file, never a traceback."""
import pytest
from click.testing import CliRunner

from extractor.cli.main import cli
from extractor.cohort.linking import load_linking_config
from extractor.errors import PatternError
from extractor.knowledge.definitions import load_definitions


@pytest.mark.parametrize("nesting", ["[" * 50_000 + "]" * 50_000, "{a = " * 50_000 + "1" + "}" * 50_000])
def test_a_deeply_nested_toml_is_a_clear_error(tmp_path, nesting):
    path = tmp_path / "deep.toml"
    path.write_text(f'id = "deep"\nx = {nesting}\n')
    with pytest.raises(PatternError, match="nested too deeply"):
        load_definitions([path])
    with pytest.raises(PatternError, match="nested too deeply"):
        load_linking_config(path)


def test_a_deeply_nested_definitions_file_fails_extract_in_one_line(tmp_path):
    from extractor.knowledge.resources import sample_dir

    path = tmp_path / "deep.toml"
    path.write_text('id = "deep"\nx = ' + "[" * 50_000 + "]" * 50_000 + "\n")
    result = CliRunner().invoke(cli, ["extract", str(sample_dir() / "reports.csv"), "--out", str(tmp_path / "o"),
                                      "--definitions", str(path), "--workers", "1"])
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: {path}: not valid TOML: arrays or tables nested too deeply"
    assert not (tmp_path / "o").exists()  # checked before the output directory is touched
