"""Keep the docs honest: every output column and every command is documented."""
import re
from pathlib import Path

from click.testing import CliRunner

from extractor.cli import cli
from extractor.mentions import MENTION_COLUMNS
from extractor.sources import ERROR_COLUMNS
from extractor.tables import REPORT_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
DICTIONARY = (ROOT / "docs" / "data-dictionary.md").read_text()
README = (ROOT / "README.md").read_text()


def documented(column: str) -> bool:
    if f"`{column}`" in DICTIONARY:
        return True
    for prefix in ("negated", "uncertain", "historical", "hypothetical", "family"):
        if column.startswith(prefix + "_") and f"`<modifier>{column[len(prefix):]}`" in DICTIONARY:
            return True
    for prefix in ("organ", "laterality", "extent", "clustering"):
        if column.startswith(prefix + "_") and f"`<attribute>{column[len(prefix):]}`" in DICTIONARY:
            return True
    return False


def test_every_output_column_is_in_the_data_dictionary():
    missing = [c for c in [*REPORT_COLUMNS, *MENTION_COLUMNS, *ERROR_COLUMNS] if not documented(c)]
    assert not missing


def test_readme_starts_with_the_two_commands():
    commands = re.findall(r"^(pip install .*)$", README, flags=re.M)[:2]
    assert commands == ["pip install . && radpath demo", "pip install -e '.[test]' && pytest"]
    assert README.index(commands[1]) < 200


def test_every_command_is_in_the_readme_and_has_an_example():
    for name, command in cli.commands.items():
        assert f"radpath {name}" in README, name
        assert "Example:" in (command.help or ""), name


def test_ci_runs_the_readme_test_command():
    assert "pip install -e '.[test]' && pytest" in (ROOT / ".ci" / "run").read_text()
