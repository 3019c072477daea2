"""What radpath's rule-driven components share: rules delivered by ``initialize`` and saved with the pipeline.

As spaCy's SpanRuler keeps its patterns out of ``config.cfg``, a component here is built empty by its factory,
gets its rules from patterns/ in ``initialize(patterns=...)`` (``nlp.initialize()`` reads the patterns radpath
finds by itself: RADPATH_PATTERNS, the checkout, or the installed copy), and writes them with ``to_disk`` /
``to_bytes`` as JSON Lines, one rule a line with its id, literal, pattern, category, file (relative to patterns/),
line and columns. ``spacy.load`` reads them back, so a saved pipeline works once moved, without patterns/.
Subclassing spaCy's ``Pipe`` gives each component ``pipe`` and ``set_error_handler`` / ``get_error_handler``: an
error inside a component goes to the handler set with ``nlp.set_error_handler`` (by default it is raised).
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, Mapping, Optional

import srsly
from spacy import util
from spacy.language import Language
from spacy.pipeline import Pipe
from spacy.tokens import Doc

from ..knowledge.rules import Rule
from ..knowledge.ruleset import RuleSet, load_ruleset

RuleGroups = Mapping[str, tuple[Rule, ...]]


def rule_to_dict(rule: Rule, directory: Path | None) -> dict:
    path = Path(rule.path)
    if directory is not None and path.is_absolute():
        try:
            path = path.relative_to(directory)
        except ValueError:
            path = Path(path.name)
    return {"id": rule.id, "literal": rule.literal, "pattern": rule.pattern, "category": rule.category,
            "path": path.as_posix(), "line": rule.line, "fields": dict(rule.fields)}


def rule_from_dict(data: dict) -> Rule:
    return Rule(id=data["id"], literal=data["literal"], pattern=data["pattern"], category=data["category"],
                path=data["path"], line=int(data["line"]), fields=dict(data.get("fields") or {}))


class RuleComponent(Pipe):
    """A component whose rules come from patterns/ (subclasses name their rule groups and take them in
    :meth:`set_rules`)."""

    rule_groups: tuple[str, ...] = ()

    def __init__(self, nlp: Language, name: str):
        self.name = name
        self.groups: dict[str, tuple[Rule, ...]] | None = None
        self._directory: Path | None = None

    # -- rules --------------------------------------------------------------------------------------------
    def rules_from(self, ruleset: RuleSet) -> dict[str, tuple[Rule, ...]]:
        raise NotImplementedError

    def set_rules(self, groups: RuleGroups) -> None:
        raise NotImplementedError

    def _install(self, groups: RuleGroups) -> None:
        missing = [g for g in self.rule_groups if g not in groups]
        if missing:
            raise ValueError(f"{self.name}: saved rules lack the group(s) {missing}")
        self.groups = {g: tuple(groups[g]) for g in self.rule_groups}
        self.set_rules(self.groups)

    def initialize(self, get_examples: Optional[Callable[[], Iterable]] = None, *, nlp: Optional[Language] = None,
                   patterns: Optional[str] = None) -> None:
        """Read this component's rules from ``patterns`` (default: the patterns radpath finds by itself)."""
        ruleset = load_ruleset(patterns)
        self._directory = ruleset.directory
        self._install(self.rules_from(ruleset))

    @property
    def is_initialized(self) -> bool:
        return self.groups is not None

    def check_initialized(self) -> None:
        if self.groups is None:
            raise ValueError(
                f"radpath component {self.name!r} has no rules: call nlp.initialize() (patterns/ radpath finds by "
                "itself) or extractor.nlp.pipeline.initialize_rules(nlp, patterns), or load a saved pipeline")

    def _serialized(self) -> dict[str, list[dict]]:
        self.check_initialized()
        return {g: [rule_to_dict(r, self._directory) for r in rules] for g, rules in self.groups.items()}

    # -- serialisation, as spaCy's SpanRuler ---------------------------------------------------------------
    def to_disk(self, path, *, exclude: Iterable[str] = util.SimpleFrozenList()) -> None:
        path = util.ensure_path(path)
        data = self._serialized()
        serializers = {f"{g}.jsonl": (lambda p, g=g: srsly.write_jsonl(p, data[g])) for g in self.rule_groups}
        util.to_disk(path, serializers, exclude)

    def from_disk(self, path, *, exclude: Iterable[str] = util.SimpleFrozenList()) -> "RuleComponent":
        path = util.ensure_path(path)
        groups: dict[str, tuple[Rule, ...]] = {}
        deserializers = {
            f"{g}.jsonl": (lambda p, g=g: groups.__setitem__(g, tuple(rule_from_dict(d) for d in srsly.read_jsonl(p))))
            for g in self.rule_groups
        }
        util.from_disk(path, deserializers, exclude)
        self._directory = None
        self._install(groups)
        return self

    def to_bytes(self, *, exclude: Iterable[str] = util.SimpleFrozenList()) -> bytes:
        data = self._serialized()
        return util.to_bytes({g: (lambda g=g: srsly.json_dumps(data[g])) for g in self.rule_groups}, exclude)

    def from_bytes(self, bytes_data: bytes, *, exclude: Iterable[str] = util.SimpleFrozenList()) -> "RuleComponent":
        groups: dict[str, tuple[Rule, ...]] = {}
        deserializers = {g: (lambda b, g=g: groups.__setitem__(g, tuple(rule_from_dict(d) for d in srsly.json_loads(b))))
                         for g in self.rule_groups}
        util.from_bytes(bytes_data, deserializers, exclude)
        self._directory = None
        self._install(groups)
        return self

    def __call__(self, doc: Doc) -> Doc:  # pragma: no cover  (every subclass defines it)
        raise NotImplementedError
