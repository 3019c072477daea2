"""Load and validate patterns/nodules/*.tsv (one concept per file) into one :class:`NoduleRules`.

Every file goes through :func:`extractor.knowledge.rules.read_rule_file`, so unknown columns, blank literals, duplicate ids,
bad regular expressions and values outside a column's vocabulary fail with file, line and rule id. No spaCy here.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import PatternError
from .rules import Rule, check_unique_ids, read_rule_file

# contract vocabularies (CONTRACT.md "DIR/nodules")
SIDES = ("right", "left", "isthmus", "unspecified")
POSITIONS = ("upper", "mid", "lower", "unspecified")
COMPOSITIONS = ("cystic", "spongiform", "mixed", "solid", "unspecified")
ECHOGENICITIES = ("anechoic", "hyperechoic", "isoechoic", "hypoechoic", "very_hypoechoic", "unspecified")
SHAPES = ("wider_than_tall", "taller_than_wide", "unspecified")
MARGINS = ("smooth", "ill_defined", "lobulated_irregular", "extrathyroidal_extension", "unspecified")
FOCI = ("none", "comet_tail", "macrocalcification", "rim", "punctate")
MICRO = ("present", "absent", "uncertain", "not_mentioned")
LEVELS = ("TR1", "TR2", "TR3", "TR4", "TR5")
CATEGORY_FEATURES = ("composition", "echogenicity", "shape", "margin", "echogenic_foci")
VOCABULARY = {"composition": COMPOSITIONS, "echogenicity": ECHOGENICITIES, "shape": SHAPES, "margin": MARGINS,
              "echogenic_foci": FOCI}
KEY_FEATURES = {"location", "size", *CATEGORY_FEATURES, "category", "ignore", "label", "microcalcifications"}


@dataclass(frozen=True)
class NoduleRules:
    directory: Path
    anchors: tuple[Rule, ...]
    context: tuple[Rule, ...]
    groups: tuple[Rule, ...]
    features: dict[str, tuple[Rule, ...]]  # composition, echogenicity, shape, margin, echogenic_foci
    side: tuple[Rule, ...]
    position: tuple[Rule, ...]
    sizes: tuple[Rule, ...]
    categories: tuple[Rule, ...]
    keys: tuple[Rule, ...]
    answers: tuple[Rule, ...]
    points: dict[tuple[str, str], tuple[int, str]]  # (feature, value) -> (points, rule id)
    levels: tuple[tuple[int, int | None, str, str], ...]  # (min, max or None, level, rule id)
    withdrawn: tuple[Rule, ...]
    headers: tuple[Rule, ...] = ()  # conclusion headers of translated reports, read as IMPRESSION (headers.tsv)
    ocr_words: tuple[Rule, ...] = ()  # words OCR splits with one space, read whole (ocr_words.tsv)

    def level(self, points: int) -> tuple[str, str]:
        for low, high, level, rule_id in self.levels:
            if points >= low and (high is None or points <= high):
                return level, rule_id
        return "", ""


def _int(rule: Rule, column: str, *, blank_ok: bool = False) -> int | None:
    value = rule.get(column)
    if not value and blank_ok:
        return None
    if not value.isdigit():
        raise PatternError(f"{column} must be a whole number", path=rule.path, line=rule.line, rule_id=rule.id)
    return int(value)


_CACHE: dict[Path, NoduleRules] = {}


def load_nodule_rules(directory: Path) -> NoduleRules:
    directory = Path(directory).resolve()
    if directory not in _CACHE:
        _CACHE[directory] = read_nodule_rules(directory)
    return _CACHE[directory]


def read_nodule_rules(directory: Path) -> NoduleRules:
    """Read every nodule rule file under ``directory`` (patterns/nodules) and check it against its vocabulary."""
    d = Path(directory)
    if not d.is_dir():
        raise PatternError("nodule rule directory not found", path=str(d))
    features = {}
    for name, values in VOCABULARY.items():
        extra = ({"micro"} if name == "echogenic_foci" else set()) | {"scope"}
        allowed = set(values) - {"unspecified"} | {"none", "skip"} if name == "echogenic_foci" else set(values) - {"unspecified"} | {"none"}
        features[name] = tuple(read_rule_file(d / f"{name}.tsv", required=["value"], optional=extra,
                                              choices={"value": allowed, "micro": {"present", "uncertain", "absent"},
                                                       "scope": {"cell"}}))
    scoped = {"scope": {"cell"}}
    points_rules = read_rule_file(d / "points.tsv", required=["feature", "value", "points"],
                                  choices={"feature": set(CATEGORY_FEATURES)}, needs_literal=True)
    points = {}
    for rule in points_rules:
        feature, value = rule.get("feature"), rule.get("value")
        if value not in VOCABULARY[feature]:
            raise PatternError(f"value {value!r} is not a {feature} category", path=rule.path, line=rule.line,
                               rule_id=rule.id)
        points[(feature, value)] = (_int(rule, "points"), rule.id)
    for feature, values in VOCABULARY.items():
        for value in values:
            if value != "unspecified" and (feature, value) not in points:
                raise PatternError(f"points.tsv has no row for {feature} {value}", path=str(d / "points.tsv"))
    level_rules = read_rule_file(d / "levels.tsv", required=["level", "min_points", "max_points"],
                                 choices={"level": set(LEVELS)})
    levels = tuple((_int(r, "min_points"), _int(r, "max_points", blank_ok=True), r.get("level"), r.id)
                   for r in level_rules)
    sizes = read_rule_file(d / "sizes.tsv", required=["kind", "value"], choices={"kind": {"unit", "exclude_before", "exclude_after"}})
    for rule in sizes:
        _int(rule, "value")
    context = read_rule_file(d / "context.tsv", required=["value", "direction", "max_chars"], optional=["scope"],
                             choices={"scope": {"sentence"},
                                      "value": {"negated", "uncertain", "historical", "definite", "lookalike", "every",
                                                "count"},
                                      "direction": {"pre", "post"}})
    for rule in context:
        _int(rule, "max_chars")
    rules = NoduleRules(
        directory=d,
        anchors=tuple(read_rule_file(d / "anchors.tsv", required=["value"], optional=["label"],
                                     choices={"value": {"nodule", "cyst", "group", "lookalike"}, "label": {"yes"}})),
        context=tuple(context),
        groups=tuple(read_rule_file(d / "groups.tsv", required=["value"], choices={"value": {"group", "largest"}})),
        features=features,
        side=tuple(read_rule_file(d / "side.tsv", required=["value"], optional=["scope"],
                                  choices={"value": {"right", "left", "isthmus", "none"}, **scoped})),
        position=tuple(read_rule_file(d / "position.tsv", required=["value"], optional=["scope"],
                                      choices={"value": {"upper", "mid", "lower", "none"}, **scoped})),
        sizes=tuple(sizes),
        categories=tuple(read_rule_file(d / "categories.tsv", required=["normal"])),
        keys=tuple(read_rule_file(d / "keys.tsv", required=["feature"], choices={"feature": KEY_FEATURES})),
        answers=tuple(read_rule_file(d / "answers.tsv", required=["value"],
                                     choices={"value": {"none", "unspecified", "present", "uncertain"}})),
        points=points,
        levels=levels,
        withdrawn=tuple(read_rule_file(d / "withdrawn.tsv")),
        headers=tuple(read_rule_file(d / "headers.tsv")),
        ocr_words=tuple(read_rule_file(d / "ocr_words.tsv")),
    )
    every = [*rules.anchors, *rules.context, *rules.groups, *(r for rs in features.values() for r in rs), *rules.side,
             *rules.position, *rules.sizes, *rules.categories, *rules.keys, *rules.answers, *points_rules,
             *level_rules, *rules.withdrawn, *rules.headers, *rules.ocr_words]
    check_unique_ids(every)
    return rules
