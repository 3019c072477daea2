"""Score the ConText rules in patterns/context/ on the NegEx test kit (Chapman et al., Apache-2.0).

Each kit row is one sentence with one concept and gold labels for negation (Affirmed/Negated), temporality
(Recent/Historical/Not particular) and experiencer (Patient/Family member/Other). For every row we build a Doc
with radpath's own tokenizer, sections and sentence splitter, mark the concept as the only mention (so the rules
are tested on arbitrary concepts, not on thyroid targets), run the ConText component and read its modifiers.
medSpaCy's default ConText rules are scored on the very same Docs for comparison.

Rows whose concept cannot be found in the sentence are counted and listed, and left out of the scores.

Example:
    python -m extractor.tools.negex_kit /work/shared/realdata/negex_testset.tsv
"""
from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..nlp.extensions import MENTIONS_KEY
from ..nlp.pipeline import build_nlp

RADPATH = "radpath"
MEDSPACY_DEFAULT = "medspacy_default"
SYSTEMS = (RADPATH, MEDSPACY_DEFAULT)
PRE_CONTEXT_PIPES = ("thyroid_sections", "thyroid_sentences")
CONTEXT_PIPE = "thyroid_context"

# Modifier categories that mean "negated", "historical" and "not the patient", per system.
_NEGATED = {"NEGATED", "NEGATED_EXISTENCE"}
_HISTORICAL = {"HISTORICAL"}
_OTHER_EXPERIENCER = {"FAMILY"}


@dataclass(frozen=True)
class KitRow:
    id: str
    concept: str
    sentence: str
    negation: str  # Affirmed | Negated
    temporality: str  # Recent | Historical | Not particular
    experiencer: str  # Patient | Family member | Other


@dataclass(frozen=True)
class Prediction:
    row: KitRow
    negated: bool
    historical: bool
    other_experiencer: bool
    triggers: tuple[str, ...] = ()  # "CATEGORY rule-id 'trigger text'" for every modifier, for error review


@dataclass
class BinaryScore:
    """Counts for one binary label; the positive class is named in ``positive``."""

    positive: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, gold: bool, predicted: bool) -> None:
        if gold and predicted:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif gold:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def accuracy(self) -> float:
        total = self.tp + self.fp + self.fn + self.tn
        return (self.tp + self.tn) / total if total else 0.0


@dataclass
class KitScores:
    system: str
    rows: int = 0  # rows read from the kit
    missing: list[str] = field(default_factory=list)  # ids of rows whose concept is not in the sentence
    missing_negated: int = 0  # how many of those are gold Negated
    negation: BinaryScore = field(default_factory=lambda: BinaryScore("Negated"))
    temporality: BinaryScore = field(default_factory=lambda: BinaryScore("Historical"))
    experiencer: BinaryScore = field(default_factory=lambda: BinaryScore("not Patient"))
    errors: list[Prediction] = field(default_factory=list)  # negation errors
    seconds: float = 0.0


def read_kit(path: str | Path) -> list[KitRow]:
    """The kit's rows, every value kept as text (no "NA" turned into a missing value; quoted cells unquoted)."""
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        return [
            KitRow(
                id=r["id"].strip(),
                concept=r["concept"].strip(),
                sentence=r["sentence"],
                negation=r["negation"].strip(),
                temporality=r["temporality"].strip(),
                experiencer=r["experiencer"].strip(),
            )
            for r in reader
        ]


def find_concept(sentence: str, concept: str) -> tuple[int, int] | None:
    """Character offsets of the concept in the sentence, case-insensitively, any run of whitespace matching any other.

    The kit writes the annotated concept in upper case, so an upper-case whole-word occurrence is preferred (it tells
    the annotated "... BK VIRUS ..." apart from an earlier "BK Virus" in a header), then any whole-word occurrence,
    then one inside a longer word; the first of the preferred kind wins."""
    words = concept.split()
    if not words:
        return None
    body = r"\s+".join(re.escape(w) for w in words)
    whole = list(re.finditer(rf"(?<!\w){body}(?!\w)", sentence, re.IGNORECASE))
    upper = [m for m in whole if m.group() == m.group().upper() and m.group() != m.group().lower()]
    for candidates in (upper, whole, list(re.finditer(body, sentence, re.IGNORECASE))):
        if candidates:
            return candidates[0].start(), candidates[0].end()
    return None


def _categories(doc: Doc) -> tuple[set[str], tuple[str, ...]]:
    span = doc.spans[MENTIONS_KEY][0]
    categories, triggers = set(), []
    # radpath's ConText fills span._.radpath_modifiers, medSpaCy's its own span._.modifiers
    ours = span._.radpath_modifiers
    for modifier in ours or (span._.modifiers if Span.has_extension("modifiers") else ()) or ():
        categories.add(modifier.category.upper())
        start, end = modifier.modifier_span
        rule_id = (modifier.rule.metadata or {}).get("id") or modifier.rule.literal  # medSpaCy's rules have no id
        triggers.append(f"{modifier.category.upper()} {rule_id} {doc[start:end].text!r}")
    return categories, tuple(triggers)


def _prepared_docs(nlp: Language, rows: Sequence[KitRow]) -> Iterable[tuple[KitRow, Doc | None]]:
    """Docs after sections and sentences, with the concept as the only mention (None when it is not found)."""
    with nlp.select_pipes(enable=list(PRE_CONTEXT_PIPES)):
        docs = nlp.pipe(row.sentence for row in rows)
        for row, doc in zip(rows, docs):
            offsets = find_concept(row.sentence, row.concept)
            span = doc.char_span(*offsets, alignment_mode="expand") if offsets else None
            if span is None or len(span) == 0:
                yield row, None
                continue
            doc.spans[MENTIONS_KEY] = [span]
            yield row, doc


def medspacy_default_context(nlp: Language) -> Callable[[Doc], Doc]:
    """medSpaCy's packaged ConText rules, reading the same span group as ours (not added to ``nlp``)."""
    from medspacy.context import ConText

    return ConText(
        nlp,
        name="medspacy_default_context",
        rules="default",
        span_attrs=None,
        input_span_type="group",
        span_group_name=MENTIONS_KEY,
    )


def score_system(
    nlp: Language, rows: Sequence[KitRow], context: Callable[[Doc], Doc], *, system: str
) -> KitScores:
    scores = KitScores(system=system, rows=len(rows))
    started = time.perf_counter()
    for row, doc in _prepared_docs(nlp, rows):
        if doc is None:
            scores.missing.append(row.id)
            scores.missing_negated += row.negation == "Negated"
            continue
        doc = context(doc)
        categories, triggers = _categories(doc)
        prediction = Prediction(
            row=row,
            negated=bool(categories & _NEGATED),
            historical=bool(categories & _HISTORICAL),
            other_experiencer=bool(categories & _OTHER_EXPERIENCER),
            triggers=triggers,
        )
        gold_negated = row.negation == "Negated"
        scores.negation.add(gold_negated, prediction.negated)
        scores.temporality.add(row.temporality == "Historical", prediction.historical)
        scores.experiencer.add(row.experiencer != "Patient", prediction.other_experiencer)
        if gold_negated != prediction.negated:
            scores.errors.append(prediction)
    scores.seconds = time.perf_counter() - started
    return scores


def evaluate_kit(
    path: str | Path, *, nlp: Language | None = None, systems: Sequence[str] = SYSTEMS
) -> dict[str, KitScores]:
    """Scores per system on the kit at ``path``; ``nlp`` defaults to the pipeline built from patterns/."""
    if nlp is None:
        nlp = build_nlp()
    rows = read_kit(path)
    contexts = {RADPATH: lambda: nlp.get_pipe(CONTEXT_PIPE), MEDSPACY_DEFAULT: lambda: medspacy_default_context(nlp)}
    unknown = [s for s in systems if s not in contexts]
    if unknown:
        raise ValueError(f"unknown system(s) {unknown}; choose from {list(contexts)}")
    return {system: score_system(nlp, rows, contexts[system](), system=system) for system in systems}


def format_scores(results: dict[str, KitScores]) -> str:
    lines = []
    for s in results.values():
        n, t, e = s.negation, s.temporality, s.experiencer
        lines += [
            f"{s.system}: {s.rows} rows; {len(s.missing)} left out, concept not in the sentence "
            f"({s.missing_negated} of them gold Negated; ids {', '.join(s.missing[:20])}"
            f"{' ...' if len(s.missing) > 20 else ''}); {s.seconds:.1f} s",
            f"  negation (Negated positive): P {n.precision:.3f}  R {n.recall:.3f}  F1 {n.f1:.3f}  "
            f"(tp {n.tp} fp {n.fp} fn {n.fn} tn {n.tn})",
            f"  temporality Historical vs not: accuracy {t.accuracy:.3f}  P {t.precision:.3f}  R {t.recall:.3f}  "
            f"F1 {t.f1:.3f}",
            f"  experiencer not-Patient vs Patient: accuracy {e.accuracy:.3f}  (tp {e.tp} fp {e.fp} fn {e.fn})",
        ]
    return "\n".join(lines)


def format_errors(scores: KitScores) -> str:
    lines = [f"{scores.system}: {len(scores.errors)} negation errors"]
    for p in scores.errors:
        kind = "FN" if p.row.negation == "Negated" else "FP"
        lines.append(f"{kind}\t{p.row.id}\t{p.row.concept}\t{p.row.sentence}\t{'; '.join(p.triggers)}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m extractor.tools.negex_kit", description=__doc__.split("\n\n")[0])
    parser.add_argument("path", help="the NegEx test kit (tab-separated: id, concept, sentence, negation, ...)")
    parser.add_argument("--errors", action="store_true", help="also list radpath's negation errors")
    parser.add_argument("--system", action="append", choices=SYSTEMS, help="score only this system (repeatable)")
    args = parser.parse_args(argv)
    results = evaluate_kit(args.path, systems=args.system or SYSTEMS)
    print(format_scores(results))
    if args.errors and RADPATH in results:
        print(format_errors(results[RADPATH]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
