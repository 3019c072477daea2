"""Report kind (ultrasound, cytology, surgical_pathology, other) from the type hint and the text (no spaCy)."""
from __future__ import annotations

from dataclasses import dataclass

from .ruleset import RuleSet

KIND_TIE_ORDER = ("surgical_pathology", "cytology", "ultrasound", "other")
STRONG_TEXT_SCORE = 8  # text evidence that overrides a hint the text does not support at all
MAX_HITS_PER_CUE = 3


@dataclass(frozen=True)
class KindDecision:
    kind: str
    source: str  # hint | text | hint_overridden_by_text | none
    scores: dict  # text score per kind; empty when a hint the text supports decided


class KindClassifier:
    def __init__(self, ruleset: RuleSet):
        self.hint_rules = [r for r in ruleset.report_kinds if r.get("source") == "hint"]
        self.text_rules = [r for r in ruleset.report_kinds if r.get("source") == "text"]

    def hint_kind(self, hint: str) -> str | None:
        hint = (hint or "").strip()
        if not hint:
            return None
        for rule in self.hint_rules:
            if rule.regex.fullmatch(hint):
                return rule.get("kind")
        return None

    def supports(self, kind: str, text: str) -> bool:
        """Whether ``kind`` scores above zero on ``text`` (stops at the first cue found)."""
        return any(rule.regex.search(text) for rule in self.text_rules
                   if rule.get("kind") == kind and int(rule.get("weight")) > 0)

    def text_scores(self, text: str) -> dict[str, int]:
        scores = {kind: 0 for kind in KIND_TIE_ORDER}
        for rule in self.text_rules:
            hits = 0
            for _ in rule.regex.finditer(text):
                hits += 1
                if hits == MAX_HITS_PER_CUE:
                    break
            scores[rule.get("kind")] += hits * int(rule.get("weight"))
        return scores

    def classify(self, hint: str, text: str) -> KindDecision:
        from_hint = self.hint_kind(hint)
        if from_hint is not None and self.supports(from_hint, text or ""):
            return KindDecision(from_hint, "hint", {})  # the text supports the hint: it cannot be overridden
        scores = self.text_scores(text or "")
        best = max(KIND_TIE_ORDER, key=lambda k: (scores[k], -KIND_TIE_ORDER.index(k)))
        from_text = best if scores[best] > 0 else "other"
        if from_hint is None:
            return KindDecision(from_text, "text" if scores[best] > 0 else "none", scores)
        if from_hint != from_text and scores.get(from_hint, 0) == 0 and scores[best] >= STRONG_TEXT_SCORE:
            return KindDecision(from_text, "hint_overridden_by_text", scores)
        return KindDecision(from_hint, "hint", scores)
