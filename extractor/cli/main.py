"""The ``radpath`` command: the click group, whose commands live one module per area in extractor/cli/ and are
imported only when they run (so ``radpath --help`` and ``radpath synth`` never load spaCy). Library errors become
one-line messages (extractor.cli.common)."""
from __future__ import annotations

import importlib

import click

from .. import __version__

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

# command -> (module:function, the one-line help `radpath --help` lists; tests/cli/test_lazy_commands.py holds it to
# the command's own docstring)
COMMANDS = {
    'audit': ('extractor.cli.audit:audit',
        "Write DIR/audit.html: the cohort flow, tables and plots, and every patient's reports with the "
        'mentions, rules and evidence behind each value.'),
    'bench': ('extractor.cli.scale:bench',
        'Measure reports/second and peak memory of radpath against what a user would pick instead (medSpaCy '
        "with a plain list of thyroid targets), medSpaCy running radpath's rules, and spaCy's tokenizer (the "
        'floor).'),
    'cohort': ('extractor.cli.cohort:cohort',
        'List the patients of DIR/patients who meet a case definition, with their index reports and outcome.'),
    'compare': ('extractor.cli.cohort:compare',
        'Cross-tabulate two case definitions on DIR/patients and explain every patient who moves.'),
    'demo': ('extractor.cli.extract:demo',
        'Run the whole job on the bundled synthetic corpus (corpora/sample): tables, patients, the audit '
        "page, and the agreement with the corpus's gold labels."),
    'evaluate': ('extractor.cli.extract:evaluate',
        'Score DIR/reports.csv against gold labels.'),
    'evaluate-patients': ('extractor.cli.cohort:evaluate_patients',
        'Score DIR/patients.csv against gold patient labels, per field.'),
    'explain': ('extractor.cli.audit:explain',
        'Print the audit trace of one patient or one report: each value with its rule, the evidence mentions '
        'with their sentence, ConText triggers and rule ids, and the case-definition verdicts.'),
    'extract': ('extractor.cli.extract:extract',
        'Extract report fields and mentions from INPUT and link them into patients, all in DIR.'),
    'extract-sql': ('extractor.cli.sql:extract_sql',
        'Extract reports read from a database and write the tables back to a database (and / or a directory).'),
    'link': ('extractor.cli.cohort:link',
        'Link DIR/reports into DIR/patients (one row per patient with an ultrasound).'),
    'query': ('extractor.cli.cohort:query',
        'Run one read-only SQL query against DIR/radpath.duckdb (tables reports, mentions, errors, patients, '
        'links and a cohort_<id> view per case definition) and print the result.'),
    'synth': ('extractor.cli.scale:synth',
        'Write a seeded synthetic corpus of thyroid ultrasound, FNA cytology and surgical pathology reports.'),
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use (click's documented lazy-loading pattern)."""

    def __init__(self, *args, lazy: dict[str, tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx):
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx, name):
        if name in self.commands or name not in self.lazy:
            return super().get_command(ctx, name)
        module, _, attr = self.lazy[name][0].partition(":")
        command = getattr(importlib.import_module(module), attr)
        self.add_command(command, name)
        return command

    def format_commands(self, ctx, formatter):
        """The command list from the table, without importing a command."""
        limit = formatter.width - 6 - max(map(len, self.lazy))
        rows = [(name, click.utils.make_default_short_help(self.lazy[name][1], limit))
                for name in self.list_commands(ctx) if name in self.lazy]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="radpath")
def cli():
    """radpath: thyroid ultrasound, FNA cytology and surgical pathology reports -> auditable tables.

    Start with `radpath demo`, which runs the whole job on the bundled synthetic corpus.
    """


def main():
    cli(prog_name="radpath")


if __name__ == "__main__":
    main()
