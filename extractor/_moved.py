"""The import paths of radpath 0.1, kept for one release: ``import extractor.api`` still works and warns
(DeprecationWarning) with the module's new place in the stage packages (docs/architecture.md).

One table, one finder: nothing is imported until an old path is, and an old path gives the very module object of
its new path (``extractor.api is extractor.run.api``), so monkeypatching either patches both."""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import warnings

# extractor.tables (0.1: the output schemas) and extractor.evaluate (0.1: report scores) are packages now; their
# packages re-export the 0.1 names, so they are not in this table.
OLD_PATHS = {
    "extractor.aggregate": "extractor.fields.ultrasound",
    "extractor.api": "extractor.run.api",
    "extractor.bench": "extractor.tools.bench",
    "extractor.budget": "extractor.run.budget",
    "extractor.cli_audit": "extractor.cli.audit",
    "extractor.cli_cohort": "extractor.cli.cohort",
    "extractor.cli_common": "extractor.cli.common",
    "extractor.cli_scale": "extractor.cli.scale",
    "extractor.cli_sql": "extractor.cli.sql",
    "extractor.cohort_api": "extractor.run.api",
    "extractor.components": "extractor.nlp",
    "extractor.components.attributes": "extractor.nlp.attributes",
    "extractor.components.context": "extractor.nlp.context",
    "extractor.components.matching": "extractor.nlp.matching",
    "extractor.components.sections": "extractor.nlp.sections",
    "extractor.components.sentences": "extractor.nlp.sentences",
    "extractor.components.status": "extractor.nlp.status",
    "extractor.components.targets": "extractor.nlp.targets",
    "extractor.components.tokenizer": "extractor.nlp.tokenizer",
    "extractor.definitions": "extractor.knowledge.definitions",
    "extractor.evaluate_nodules": "extractor.evaluate.nodules",
    "extractor.evaluate_patients": "extractor.evaluate.patients",
    "extractor.extensions": "extractor.nlp.extensions",
    "extractor.files": "extractor.tables.files",
    "extractor.kinds": "extractor.fields.kinds",
    "extractor.linking": "extractor.cohort.linking",
    "extractor.manifest": "extractor.run.manifest",
    "extractor.mentions": "extractor.nlp.mentions",
    "extractor.negex_kit": "extractor.tools.negex_kit",
    "extractor.nodule_fields": "extractor.fields.nodule_parts",
    "extractor.nodule_index": "extractor.cohort.index_nodule",
    "extractor.nodule_rules": "extractor.knowledge.nodule_rules",
    "extractor.nodules": "extractor.fields.nodules",
    "extractor.omop": "extractor.tables.omop",
    "extractor.pathology": "extractor.fields.pathology",
    "extractor.pathology.aggregate": "extractor.fields.pathology.report",
    "extractor.pathology.bethesda": "extractor.fields.pathology.bethesda",
    "extractor.pathology.findings": "extractor.fields.pathology.findings",
    "extractor.pathology.histology": "extractor.fields.pathology.histology",
    "extractor.pathology.nodes": "extractor.fields.pathology.nodes",
    "extractor.pathology.rulebook": "extractor.knowledge.pathology_rules",
    "extractor.pathology.sites": "extractor.fields.pathology.sites",
    "extractor.pathology.sizes": "extractor.fields.pathology.sizes",
    "extractor.pathology.synoptic": "extractor.fields.pathology.synoptic",
    "extractor.pathology.text": "extractor.fields.pathology.text",
    "extractor.pathology.tumour": "extractor.fields.pathology.tumour",
    "extractor.pipeline": "extractor.nlp.pipeline",
    "extractor.pool": "extractor.run.pool",
    "extractor.quality": "extractor.tables.quality",
    "extractor.resources": "extractor.knowledge.resources",
    "extractor.rules": "extractor.knowledge.rules",
    "extractor.ruleset": "extractor.knowledge.ruleset",
    "extractor.runner": "extractor.run.stream",
    "extractor.sources": "extractor.tables.sources",
    "extractor.spark": "extractor.run.spark",
    "extractor.sqlio": "extractor.tables.sql",
    "extractor.sqlio.reader": "extractor.tables.sql.reader",
    "extractor.sqlio.run": "extractor.run.sql",
    "extractor.sqlio.schema": "extractor.tables.sql.schema",
    "extractor.sqlio.urls": "extractor.tables.sql.urls",
    "extractor.sqlio.writer": "extractor.tables.sql.writer",
    "extractor.store": "extractor.tables.store",
    "extractor.synth": "extractor.tools.synth",
    "extractor.typed": "extractor.tables.typed",
}


class OldPathFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds an old module path and hands back the module at its new path."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname in OLD_PATHS:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        new = OLD_PATHS[spec.name]
        warnings.warn(f"{spec.name} is now {new}; the old path goes in radpath 0.3", DeprecationWarning, stacklevel=3)
        return importlib.import_module(new)

    def exec_module(self, module):  # the module at the new path is already executed
        return None


def install() -> None:
    """Put the finder first on sys.meta_path (once). It only ever answers for the names in OLD_PATHS, and it must
    come first: an old package path (``extractor.pathology``) hands back the new package, whose folder the default
    finder would otherwise search for ``extractor.pathology.sizes`` and load that file a second time, as another
    module."""
    if not any(isinstance(finder, OldPathFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, OldPathFinder())


def names_of(package: str, module: str):
    """A package ``__getattr__`` for a 0.1 module that became a package of the same name (``extractor.tables``,
    ``extractor.evaluate``): its 0.1 names resolve from ``package.module``, with a DeprecationWarning."""

    def __getattr__(name):
        target = importlib.import_module(f"{package}.{module}")
        if name.startswith("__") or not hasattr(target, name):
            raise AttributeError(name)
        warnings.warn(f"{package}.{name} is now {package}.{module}.{name}; the old path goes in radpath 0.3",
                      DeprecationWarning, stacklevel=2)
        return getattr(target, name)

    return __getattr__
