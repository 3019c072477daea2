"""Report-level ultrasound fields from mention rows (no spaCy). The rules are patterns/fields.tsv (which label
feeds which field) and patterns/precedence.tsv (present > uncertain > absent > not_mentioned)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

from .ruleset import RuleSet

PRECEDENCE = ("present", "uncertain", "absent")  # patterns/precedence.tsv ranks 1-3; rank 4 is not_mentioned
NOT_MENTIONED = "not_mentioned"
ULTRASOUND_FIELDS = (
    "microcalcifications",
    "microcalcification_extent",
    "microcalcification_clustered",
    "microcalcification_laterality",
    "mass",
    "focal_echogenicity_change",
)
LOBES = {"right", "left"}


@dataclass
class FieldValue:
    value: str
    evidence: list[int] = field(default_factory=list)  # mention_index of the mentions behind the value
    rule: str = ""  # how the value was reached (precedence row, attribute rule)


class UltrasoundAggregator:
    def __init__(self, ruleset: RuleSet):
        self.feeds: dict[str, list[tuple[str, dict[str, str]]]] = {}
        self.requires: dict[str, str] = {}
        for rule in ruleset.fields:
            by_status = {s: rule.get(s) for s in ("affirmed", "uncertain", "negated")}
            self.feeds.setdefault(rule.get("field"), []).append((rule.get("label"), by_status))
            if rule.get("requires"):
                self.requires[rule.get("field")] = rule.get("requires")

    def resolve(self, name: str, mentions: Iterable[Mapping]) -> FieldValue:
        """Value of one presence field under the precedence table, with the mentions that gave it."""
        given: dict[str, list[int]] = {}
        for mention in mentions:
            for label, by_status in self.feeds.get(name, ()):
                if mention["label"] == label and by_status.get(mention["status"]):
                    given.setdefault(by_status[mention["status"]], []).append(mention["mention_index"])
        for rank, value in enumerate(PRECEDENCE, start=1):
            if value in given:
                return FieldValue(value, given[value], f"precedence rank {rank}")
        return FieldValue(NOT_MENTIONED, [], "precedence rank 4")

    def aggregate(self, mentions: list[Mapping]) -> dict[str, FieldValue]:
        out = {name: self.resolve(name, mentions) for name in ("microcalcifications", "mass", "focal_echogenicity_change")}
        for name, needed in self.requires.items():
            # contract v1.1: without the required finding the field is not_mentioned, unless explicitly denied
            if out[needed].value not in {"present", "uncertain"} and out[name].value != "absent":
                out[name] = FieldValue(NOT_MENTIONED, [], f"{needed} is {out[needed].value}")
        micro = out["microcalcifications"]
        if micro.value in {"present", "uncertain"}:
            evidence = set(micro.evidence)
            behind = [m for m in mentions if m["mention_index"] in evidence]
            out["microcalcification_extent"] = extent_of(behind)
            out["microcalcification_clustered"] = clustered_of(behind)
            out["microcalcification_laterality"] = laterality_of(behind)
        else:
            for name in ("microcalcification_extent", "microcalcification_clustered", "microcalcification_laterality"):
                out[name] = FieldValue("", [], "microcalcifications not present or uncertain")
        return out


def extent_of(mentions: list[Mapping]) -> FieldValue:
    """diffuse if any mention is diffuse (a cluster in a diffuse background stays diffuse), else localized."""
    for value in ("diffuse", "localized"):
        hits = [m["mention_index"] for m in mentions if m.get("extent") == value]
        if hits:
            return FieldValue(value, hits, f"a mention with a {value} cue")
    return FieldValue("unspecified", [m["mention_index"] for m in mentions], "no extent cue")


def clustered_of(mentions: list[Mapping]) -> FieldValue:
    hits = [m["mention_index"] for m in mentions if m.get("clustering") == "clustered"]
    if hits:
        return FieldValue("true", hits, "a mention with a clustering cue")
    return FieldValue("false", [m["mention_index"] for m in mentions], "no clustering cue")


def laterality_of(mentions: list[Mapping]) -> FieldValue:
    """Both lobes -> bilateral; the isthmus alone -> isthmus; one lobe (with or without the isthmus) -> that lobe."""
    sides = {m.get("laterality") for m in mentions} - {"", None}
    indices = [m["mention_index"] for m in mentions if m.get("laterality")]
    if "bilateral" in sides or LOBES <= sides:
        return FieldValue("bilateral", indices, "both lobes")
    lobes = sides & LOBES
    if lobes:
        return FieldValue(lobes.pop(), indices, "one lobe")
    if sides == {"isthmus"}:
        return FieldValue("isthmus", indices, "isthmus only")
    return FieldValue("unspecified", [m["mention_index"] for m in mentions], "no side stated")
