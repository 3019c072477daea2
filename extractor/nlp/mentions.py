"""Turn an annotated Doc into mention rows (plain dicts): the only place where Doc meets tables."""
from __future__ import annotations

from spacy.tokens import Doc

from ..tables.schemas import ATTRIBUTE_COLUMNS, CONTEXT_FLAGS, MENTION_COLUMNS  # noqa: F401  (MENTION_COLUMNS re-exported)
from .context import SentenceBounds
from .extensions import MENTIONS_KEY
from .matching import doc_text
from .status import modifier_categories, trigger_rule_id, trigger_span


def mention_rows(doc: Doc, *, report_id: str, patient_id: str) -> list[dict]:
    rows = []
    text = doc_text(doc)
    sentences = SentenceBounds(doc)
    sentence_texts: dict[tuple[int, int], str] = {}  # each sentence's text once: one can hold 1,000s of mentions
    for index, span in enumerate(doc.spans[MENTIONS_KEY]):
        # span.sent (from its first token's sentence start to its last token's sentence end), found by bisection
        sentence = doc[sentences.bounds(span.start)[0]:sentences.bounds(span.end - 1)[1]]
        sentence_start_char, sentence_end_char = sentence.start_char, sentence.end_char
        sentence_text = sentence_texts.get((sentence_start_char, sentence_end_char))
        if sentence_text is None:
            sentence_text = sentence_texts[sentence_start_char, sentence_end_char] = \
                text[sentence_start_char:sentence_end_char]
        ext = span._  # spaCy builds a new accessor object on every ``span._``: once per mention
        row = {
            "report_id": report_id,
            "patient_id": patient_id,
            "mention_index": index,
            "section": ext.radpath_section,
            "label": span.label_,
            "text": span.text,
            "start_char": span.start_char,
            "end_char": span.end_char,
            "sentence": sentence_text,
            "sentence_start": sentence_start_char,
            "sentence_end": sentence_end_char,
            "rule_id": ext.radpath_rule_id,
            "rule_literal": ext.radpath_rule_literal,
            "status": ext.radpath_status,
            "status_reason": ext.radpath_status_reason,
        }
        modifiers = modifier_categories(span)
        for flag in CONTEXT_FLAGS:
            modifier = modifiers.get(flag.upper())
            trigger = trigger_span(modifier, doc) if modifier is not None else None
            row[flag] = modifier is not None
            row[f"{flag}_trigger"] = trigger.text if trigger is not None else ""
            row[f"{flag}_trigger_start"] = trigger.start_char if trigger is not None else None
            row[f"{flag}_rule"] = trigger_rule_id(modifier) if modifier is not None else ""
        attributes = ext.radpath_attributes or {}
        for name in ATTRIBUTE_COLUMNS:
            cue = attributes.get(name)
            row[name] = cue.value if cue else ""
            row[f"{name}_trigger"] = text[cue.start:cue.end] if cue else ""
            row[f"{name}_trigger_start"] = cue.start if cue and cue.end > cue.start else None
            row[f"{name}_rule"] = cue.rule_id if cue else ""
            row[f"{name}_source"] = cue.source if cue else ""
        rows.append(row)
    return rows
