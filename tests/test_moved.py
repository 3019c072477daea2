"""radpath 0.1's module paths still import for one release: the same module object as the new path, with a
DeprecationWarning naming it (extractor/_moved.py)."""
from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

from extractor._moved import OLD_PATHS


def test_every_old_path_is_the_module_at_its_new_path():
    """Each old path (parents first), imported in a fresh process, warns naming its new path and gives the very
    module of the new path."""
    code = """
import importlib, json, sys, warnings
from extractor._moved import OLD_PATHS
out = {}
for old, new in sorted(OLD_PATHS.items()):
    target = importlib.import_module(new)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        module = importlib.import_module(old)
    out[old] = [module is target, [str(w.message) for w in caught if w.category is DeprecationWarning]]
print(json.dumps(out))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    results = json.loads(done.stdout)
    assert set(results) == set(OLD_PATHS)
    for old, (same, warned) in results.items():
        assert same, old
        assert warned == [f"{old} is now {OLD_PATHS[old]}; the old path goes in radpath 0.3"], (old, warned)


def test_a_module_imported_by_its_old_path_and_its_new_one_is_loaded_once():
    with pytest.warns(DeprecationWarning):
        old = importlib.import_module("extractor.pathology.sizes")
    assert old is importlib.import_module("extractor.fields.pathology.sizes")


@pytest.mark.parametrize("package, name, module", [("extractor.tables", "reports_frame", "extractor.tables.schemas"),
                                                     ("extractor.evaluate", "evaluate_dir", "extractor.evaluate.reports")])
def test_the_old_modules_that_became_packages_still_give_their_names(package, name, module):
    with pytest.warns(DeprecationWarning, match=module):
        value = getattr(importlib.import_module(package), name)
    assert value is getattr(importlib.import_module(module), name)


def test_every_new_path_exists():
    for new in OLD_PATHS.values():
        importlib.import_module(new)
