"""Keep the docs honest: every output column and every command is documented."""
import re
import tomllib
from pathlib import Path

from click.testing import CliRunner

import click

from extractor.cli.main import cli
from extractor.nlp.mentions import MENTION_COLUMNS
from extractor.tables.schemas import REPORT_COLUMNS
from extractor.tables.sources import ERROR_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
DICTIONARY = (ROOT / "docs" / "data-dictionary.md").read_text()
README = (ROOT / "README.md").read_text()
TEST_COMMAND = "pip install -c constraints.txt -e '.[test]' && pytest"


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


def test_every_nodule_column_is_in_the_data_dictionary():
    from extractor.cohort.index_nodule import NODULE_PATIENT_COLUMNS
    from extractor.tables.schemas import NODULE_COLUMNS

    missing = [c for c in [*NODULE_COLUMNS, *NODULE_PATIENT_COLUMNS] if not documented(c)]
    assert not missing, f"undocumented nodule columns: {missing}"


def test_readme_starts_with_the_two_commands():
    commands = re.findall(r"^(pip install .*)$", README, flags=re.M)[:2]
    assert commands == ["pip install . && radpath demo", TEST_COMMAND]
    assert README.index(commands[1]) < 200


def test_every_command_is_in_the_readme_and_has_an_example():
    context = click.Context(cli)
    names = cli.list_commands(context)
    assert len(names) >= 13
    for name in names:
        command = cli.get_command(context, name)
        assert f"radpath {name}" in README, name
        assert "Example:" in (command.help or ""), name


def test_ci_runs_the_readme_test_command():
    assert TEST_COMMAND in (ROOT / ".ci" / "run").read_text()


def _requirements() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [*project["dependencies"], *(r for extra in project["optional-dependencies"].values() for r in extra)]


def test_dependencies_are_ranges_and_the_lock_pins_each_of_them():
    """pyproject.toml allows ranges (radpath installs beside other tools); constraints.txt pins every one of them
    exactly (the reproducible CI run), and every dependency is justified in docs/dependencies.md."""
    locked = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            locked[_canonical(name)] = version
    justified = (ROOT / "docs" / "dependencies.md").read_text().lower()
    for requirement in _requirements():
        spec = requirement.split(";")[0]
        name = _canonical(re.split(r"[<>=!\[ ]", spec, maxsplit=1)[0])
        assert "==" not in spec, requirement
        assert re.search(r">=\d", spec), f"{requirement}: no tested lower bound"
        assert name in locked, f"{name} is not pinned in constraints.txt"
        assert f"`{name}`" in justified, f"{name} is not justified in docs/dependencies.md"


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower().strip()
