"""`radpath synth` (the command object; extractor.cli.main registers it on the main group)."""
import pandas as pd
from click.testing import CliRunner

from extractor.cli.scale import COMMANDS, bench, synth
from extractor.tools.synth import generate


def test_synth_writes_the_seeded_corpus(tmp_path):
    out = tmp_path / "c.csv"
    result = CliRunner().invoke(synth, ["--patients", "12", "--seed", "4", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(written["text"]) == list(generate(12, seed=4)["text"])


def test_commands_have_help_and_an_example():
    for command in COMMANDS:
        result = CliRunner().invoke(command, ["--help"])
        assert result.exit_code == 0 and "Example:" in result.output
    assert {c.name for c in COMMANDS} == {"synth", "bench"}
    assert bench.name == "bench"
