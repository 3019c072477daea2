"""The `radpath` group imports a command's module only when that command runs (extractor/cli/main.py), so
`radpath --help` and light commands start without spaCy; its table of one-line helps must stay each command's own."""
from __future__ import annotations

import importlib
import subprocess
import sys

import click
from click.testing import CliRunner
import pytest

from extractor.cli.main import COMMANDS, cli


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_table_entry_is_that_command_with_its_own_one_line_help(name):
    target, short_help = COMMANDS[name]
    module, _, attr = target.partition(":")
    command = getattr(importlib.import_module(module), attr)
    assert isinstance(command, click.Command) and command.name == name
    assert short_help == command.get_short_help_str(limit=10**6)


def test_every_command_a_module_defines_is_in_the_table():
    defined = set()
    for module in {target.partition(":")[0] for target, _ in COMMANDS.values()}:
        for value in vars(importlib.import_module(module)).values():
            if isinstance(value, click.Command) and value.callback.__module__ == module:
                defined.add(value.name)
    assert defined == set(COMMANDS)


def test_the_help_lists_every_command_without_loading_spacy():
    code = ("import sys\nfrom click.testing import CliRunner\nfrom extractor.cli.main import cli\n"
            "out = CliRunner().invoke(cli, ['--help']).output\n"
            "print(all(name in out for name in %r), 'spacy' in sys.modules, 'pandas' in sys.modules)" % sorted(COMMANDS))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "False", "False"]


def test_a_command_runs_through_the_group():
    result = CliRunner().invoke(cli, ["evaluate", "--help"])
    assert result.exit_code == 0 and "--gold" in result.output
