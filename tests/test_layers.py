"""The package layout (docs/architecture.md): every import of radpath's own modules runs down the stages, none
runs back up, there is no import cycle, and function-local imports are few (start-up cost only)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "extractor"
# bottom to top; a module may import its own stage and the stages before it
STAGES = ["foundation", "knowledge", "tables", "nlp", "fields", "cohort", "run", "evaluate", "audit", "tools", "cli"]
FOUNDATION = {"extractor", "extractor.errors", "extractor.privacy", "extractor._moved"}
MAX_LOCAL_IMPORTS = 10  # the benchmark's contenders import what they time inside their own function (cold start)


def _module(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module(p): p for p in PACKAGE.rglob("*.py")}


def stage(module: str) -> int:
    if module in FOUNDATION:
        return 0
    if module == "extractor.__main__":
        return len(STAGES)
    return STAGES.index(module.split(".")[1])


def imports(module: str) -> list[tuple[str, bool, int]]:
    """(imported radpath module, at module level?, line) for every import statement of ``module``."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    local = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
             for n in ast.walk(f)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                full = ".".join(base + ([node.module] if node.module else []))
            else:
                full = node.module or ""
            names = [f"{full}.{a.name}" if f"{full}.{a.name}" in MODULES else full for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in dict.fromkeys(names):
            if name in MODULES:
                found.append((name, id(node) not in local, node.lineno))
                # importing a.b.c first runs the package a.b (unless it is one the importer is already inside)
                parts = name.split(".")
                for k in range(2, len(parts)):
                    parent = ".".join(parts[:k])
                    if parent in MODULES and not module.startswith(parent + ".") and parent != module:
                        found.append((parent, id(node) not in local, node.lineno))
    return found


GRAPH = {m: imports(m) for m in MODULES}


def test_every_module_belongs_to_a_stage():
    for module in MODULES:
        assert stage(module) >= 0, module


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_import_runs_back_up(module):
    upward = [f"{target} (line {line})" for target, _, line in GRAPH[module] if stage(target) > stage(module)]
    assert not upward, f"{module} imports a later stage: {upward}"


def test_no_import_cycle():
    edges = {m: {t for t, top, _ in GRAPH[m] if top} for m in MODULES}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for t in sorted(edges[m]):
            if state.get(t) == 1:
                raise AssertionError("import cycle: " + " -> ".join(stack[stack.index(t):] + [t]))
            if t not in state:
                visit(t)
        stack.pop()
        state[m] = 2

    for m in sorted(MODULES):
        if m not in state:
            visit(m)


def test_function_local_imports_are_few():
    local = sorted({f"{m}:{line}" for m in MODULES for t, top, line in GRAPH[m] if not top})  # import statements
    assert len(local) <= MAX_LOCAL_IMPORTS, "\n".join(local)


def test_only_nlp_imports_spacy():
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        uses = any(isinstance(n, ast.Import) and any(a.name.split(".")[0] in ("spacy", "medspacy") for a in n.names)
                   or isinstance(n, ast.ImportFrom) and (n.module or "").split(".")[0] in ("spacy", "medspacy")
                   for n in ast.walk(tree))
        if uses:
            assert module.startswith("extractor.nlp") or module.startswith("extractor.tools"), module


def test_the_job_imports_its_sources_and_sinks_never_the_reverse():
    """Inside run/, data flows one way through the job: the model (what a run is) imports none of the job's modules,
    the sources (inputs) and the sinks (outputs) import the model but not each other nor the job, and the job imports
    all three."""
    run = {"model", "inputs", "outputs", "job"}
    uses = {m: {t.rpartition(".")[2] for t, _, _ in GRAPH[f"extractor.run.{m}"]} & run for m in run}
    assert uses["model"] == set()
    assert uses["inputs"] == {"model"}
    assert uses["outputs"] == {"model"}
    assert uses["job"] == {"model", "inputs", "outputs"}
