"""Load and validate the rule files in patterns/ (tab-separated, one rule per line, ``#`` comments).

Every rule becomes a :class:`Rule` that knows its file, line, id, human-readable literal and compiled regular
expression. Schema errors (unknown or missing columns, blank literals, duplicate ids, bad regular expressions,
values outside a column's vocabulary) raise :class:`~extractor.errors.PatternError` naming file, line and rule id.
Matching semantics are documented for reviewers in patterns/README.md.
"""
from __future__ import annotations

import re
import re._constants as sre_constants
import re._parser as sre_parse
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Iterable, Mapping

from ..errors import PatternError

# Start and end guards: a match may not begin or end inside a word, whatever its first and last characters are.
_WORD_START = r"(?:(?<!\w)|(?!\w))"
_WORD_END = r"(?:(?!\w)|(?<!\w))"
_LITERAL_GAP = r"[\s\-]+"
MAX_PATTERN_LENGTH = 2000


@dataclass(frozen=True)
class Rule:
    """One line of a rule file."""

    id: str
    literal: str
    pattern: str
    category: str
    path: str
    line: int
    fields: Mapping[str, str] = field(default_factory=dict)

    @cached_property
    def regex(self) -> re.Pattern:
        return compile_rule(self.pattern, self.literal, path=self.path, line=self.line, rule_id=self.id)

    @cached_property
    def fragments(self) -> frozenset[str] | None:
        """Lower-case strings one of which occurs in every match (a fast pre-check), or None when unknown."""
        return required_fragments(self.pattern or literal_to_regex(self.literal))

    def may_match(self, lowered_text: str) -> bool:
        fragments = self.fragments
        return fragments is None or any(f in lowered_text for f in fragments)

    @cached_property
    def first_chars(self) -> frozenset[str] | None:
        """Lower-case ASCII word characters one of which begins every match, or None when unknown.

        With the start guard this means a match can only begin at the start of a word that begins with one of these
        characters, so a matcher may try the rule only there (see extractor.nlp.matching)."""
        return first_word_chars(self.pattern or literal_to_regex(self.literal))

    def get(self, key: str, default: str = "") -> str:
        return self.fields.get(key, default) or default


def literal_to_regex(literal: str) -> str:
    """A literal matches as whole words, case-insensitively, any run of spaces or hyphens standing for its gaps."""
    words = re.split(r"[\s\-]+", literal.strip())
    return _LITERAL_GAP.join(re.escape(w) for w in words if w)


MIN_FRAGMENT = 3


def required_fragments(source: str) -> frozenset[str] | None:
    """Literal pieces of a regular expression of which every match contains at least one (lower-cased).

    Used only to skip a rule quickly when none of its pieces is in the text; None means "always try the rule".
    """
    try:
        parsed = sre_parse.parse(source, re.IGNORECASE)
    except re.error:
        return None
    found = _sequence_fragments(list(parsed))
    if found is None or min(len(f) for f in found) < MIN_FRAGMENT:
        return None
    return frozenset(found)


def _sequence_fragments(items) -> set[str] | None:
    best: set[str] | None = None
    run: list[str] = []

    def consider(candidate):
        nonlocal best
        if candidate and (best is None or min(map(len, candidate)) > min(map(len, best))):
            best = candidate

    for op, av in items:
        if op is sre_constants.LITERAL:
            run.append(chr(av).lower())
            continue
        consider({"".join(run)} if run else None)
        run = []
        if op is sre_constants.SUBPATTERN:
            consider(_sequence_fragments(list(av[-1])))
        elif op is sre_constants.BRANCH:
            alternatives = [_sequence_fragments(list(branch)) for branch in av[1]]
            if all(alternatives):
                consider(set().union(*alternatives))
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and av[0] >= 1:
            consider(_sequence_fragments(list(av[2])))
    consider({"".join(run)} if run else None)
    return best


_ASCII_WORD = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")
_DIGITS = frozenset("0123456789")


def first_word_chars(source: str) -> frozenset[str] | None:
    """The lower-case ASCII word characters a match of ``source`` (case-insensitive) can begin with, or None.

    None whenever this is not certain: the pattern can match the empty string, or can begin with a non-ASCII
    character, a non-word character, any word character (``\\w``, ``.``) or something this analysis does not know.
    """
    try:
        parsed = sre_parse.parse(source, re.IGNORECASE)
    except re.error:
        return None
    if parsed.getwidth()[0] < 1:
        return None
    chars, nullable = _first_chars(list(parsed))
    if chars is None or nullable or not chars or not chars <= _ASCII_WORD:
        return None
    return frozenset(chars)


def _first_chars(items) -> tuple[set[str] | None, bool]:
    """(characters the sequence can begin with, whether it can match empty); None = unknown."""
    chars: set[str] = set()
    for op, av in items:
        if op is sre_constants.LITERAL:
            found = _char(av)
            return (None, False) if found is None else (chars | found, False)
        if op is sre_constants.IN:
            found = _charset(av)
            return (None, False) if found is None else (chars | found, False)
        if op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT, sre_constants.AT):
            continue  # zero width: the matcher still checks it where it tries the rule
        if op is sre_constants.SUBPATTERN or op is getattr(sre_constants, "ATOMIC_GROUP", None):
            body = av[-1] if op is sre_constants.SUBPATTERN else av
            found, nullable = _first_chars(list(body))
        elif op is sre_constants.BRANCH:
            found, nullable = set(), False
            for branch in av[1]:
                sub, sub_nullable = _first_chars(list(branch))
                if sub is None:
                    return None, False
                found |= sub
                nullable = nullable or sub_nullable
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, getattr(sre_constants, "POSSESSIVE_REPEAT", None)):
            low, _, body = av
            found, nullable = _first_chars(list(body))
            nullable = nullable or low == 0
        else:
            return None, False
        if found is None:
            return None, False
        chars |= found
        if not nullable:
            return chars, False
    return chars, True


def _char(code: int) -> set[str] | None:
    c = chr(code)
    return {c.lower()} if c.isascii() and c.lower() in _ASCII_WORD else None


def _charset(items) -> set[str] | None:
    found: set[str] = set()
    for op, av in items:
        if op is sre_constants.LITERAL:
            c = _char(av)
        elif op is sre_constants.RANGE and av[1] - av[0] <= 128:
            c = set()
            for code in range(av[0], av[1] + 1):
                one = _char(code)
                if one is None:
                    return None
                c |= one
        elif op is sre_constants.CATEGORY and av in (sre_constants.CATEGORY_DIGIT, sre_constants.CATEGORY_UNI_DIGIT):
            c = None if av is sre_constants.CATEGORY_UNI_DIGIT else set(_DIGITS)
        else:
            return None
        if c is None:
            return None
        found |= c
    return found


_ANY = None  # a position that may hold any character
_MAX_WORDS = 256  # the strings a repeated body is expanded to, at most (beyond: not checked this way)


def _words(items) -> list[tuple] | None:
    """Every string ``items`` can match, as tuples of per-position character sets (None = any character), or
    None when there are too many or they are unbounded. Anchors and lookarounds match the empty string."""
    words: list[tuple] = [()]
    for op, av in items:
        if op is sre_constants.LITERAL:
            c = chr(av)
            options = [(frozenset({c.lower(), c.upper()}),)]
        elif op is sre_constants.NOT_LITERAL or op in (sre_constants.ANY, sre_constants.CATEGORY):
            options = [(_ANY,)]
        elif op is sre_constants.IN:
            chars = _charset(av)
            options = [(frozenset(chars | {c.upper() for c in chars}) if chars else _ANY,)]
        elif op is sre_constants.SUBPATTERN:
            options = _words(list(av[-1]))
        elif op is sre_constants.BRANCH:
            options = []
            for branch in av[1]:
                sub = _words(list(branch))
                if sub is None:
                    return None
                options += sub
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
            low, high, body = av
            sub = _words(list(body))
            if sub is None or high > 8:
                return None
            options, layer = ([()] if low == 0 else []), [()]
            for count in range(1, high + 1):
                layer = [a + b for a in layer for b in sub]
                if len(layer) > _MAX_WORDS:
                    return None
                if count >= low:
                    options += layer
        elif op in (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            options = [()]
        else:
            return None
        if options is None:
            return None
        words = [a + b for a in words for b in options]
        if len(words) > _MAX_WORDS:
            return None
    return words


def _rest(u: tuple, v: tuple) -> tuple | None:
    """What is left of ``v`` when a string matched by ``u`` can be its beginning, else None."""
    if len(u) > len(v):
        return None
    for a, b in zip(u, v):
        if a is not _ANY and b is not _ANY and not (a & b):
            return None
    return v[len(u):]


def ambiguous_repeat(words: list[tuple]) -> bool:
    """Whether a repeat of a body that matches ``words`` can split one string in two ways (``(a|aa)+``,
    ``(ab|abab)*``, ``(x|x)+``): the Sardinas-Patterson test that ``words`` is not a uniquely decodable code,
    with character sets compared by overlap (so it errs towards "ambiguous"). Backtracking over such a repeat
    takes exponential time on a string that almost matches."""
    suffixes = set()
    for i, u in enumerate(words):
        for j, v in enumerate(words):
            rest = _rest(u, v) if i != j else None
            if rest == ():
                return True  # two alternatives match the same string
            if rest is not None:
                suffixes.add(rest)
    seen: set[tuple] = set()
    while suffixes:
        if () in suffixes:
            return True
        seen |= suffixes
        following = set()
        for s in suffixes:
            for w in words:
                for rest in (_rest(s, w), _rest(w, s)):
                    if rest is not None:
                        following.add(rest)
        suffixes = following - seen
    return False


def nested_unbounded_repeat(source: str) -> bool:
    """Whether a pattern has one of the shapes that backtrack exponentially and can hang a run on one unlucky
    report: an unbounded repeat of something that can match the empty string (``(a?)*``), of a single unbounded
    repeat (``(a+)+``, ``(\\w*)*``), of two adjacent unbounded repeats of the same thing (``(\\w+\\w+)*``), or of
    alternatives that can split one string in two ways (``(a|aa)+``, see :func:`ambiguous_repeat`)."""

    def unwrap(items):
        while len(items) == 1 and items[0][0] is sre_constants.SUBPATTERN:
            items = list(items[0][1][-1])
        return items

    def is_unbounded_repeat(item):
        op, av = item
        return op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and (
            av[1] == sre_constants.MAXREPEAT or av[1] > 50)

    def dangerous_body(body) -> bool:
        items = unwrap(list(body))
        if sre_parse.SubPattern(sre_parse.State(), items).getwidth()[0] == 0:
            return True
        if len(items) == 1 and is_unbounded_repeat(items[0]):
            return True
        solid = [item for item in items if sre_parse.SubPattern(sre_parse.State(), [item]).getwidth()[0] > 0]
        if len(solid) == 1 and is_unbounded_repeat(solid[0]):  # (\d+\s*)+: the rest may match nothing
            return True
        repeats = [list(av[2]) for (op, av) in items if is_unbounded_repeat((op, av))]
        if len(repeats) == len(items) and any(a == b for a, b in zip(repeats, repeats[1:])):
            return True
        words = _words(items)
        return words is not None and len(words) > 1 and ambiguous_repeat(words)

    def walk(items) -> bool:
        for op, av in items:
            if is_unbounded_repeat((op, av)) and dangerous_body(av[2]):
                return True
            children = []
            if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
                children = [av[2]]
            elif op is sre_constants.SUBPATTERN:
                children = [av[-1]]
            elif op is sre_constants.BRANCH:
                children = av[1]
            elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
                children = [av[1]]
            if any(walk(list(child)) for child in children):
                return True
        return False

    try:
        return walk(list(sre_parse.parse(source)))
    except re.error:
        return False  # reported by re.compile with its own message


def compile_rule(pattern: str, literal: str, *, path: str, line: int, rule_id: str) -> re.Pattern:
    source = pattern or literal_to_regex(literal)
    if len(source) > MAX_PATTERN_LENGTH:
        raise PatternError(f"pattern longer than {MAX_PATTERN_LENGTH} characters", path=path, line=line, rule_id=rule_id)
    if nested_unbounded_repeat(source):
        raise PatternError(
            "pattern repeats an unbounded repeat (e.g. (a+)+), which can make matching take forever; "
            "bound the inner or the outer repeat", path=path, line=line, rule_id=rule_id,
        )
    try:
        return re.compile(f"{_WORD_START}(?:{source}){_WORD_END}", re.IGNORECASE)
    except re.error as e:
        raise PatternError(f"invalid regular expression: {e}", path=path, line=line, rule_id=rule_id) from e


def read_rule_file(
    path: Path,
    *,
    required: Iterable[str] = (),
    optional: Iterable[str] = (),
    choices: Mapping[str, Iterable[str]] | None = None,
    category: str | None = None,
    needs_literal: bool = True,
) -> list[Rule]:
    """Read one rule file. ``category`` defaults to the file's stem in upper case (the file name is the concept)."""
    required = list(required)
    allowed = set(required) | set(optional) | {"id", "literal", "pattern", "note"}
    choices = {k: set(v) for k, v in (choices or {}).items()}
    category = category or path.stem.upper()
    rules: list[Rule] = []
    header: list[str] | None = None
    for number, raw in rule_lines(path):
        cells = raw.split("\t")
        if header is None:
            header = [c.strip() for c in cells]
            unknown = [c for c in header if c not in allowed]
            if unknown:
                raise PatternError(f"unknown column(s) {unknown}; allowed: {sorted(allowed)}", path=str(path), line=number)
            missing = [c for c in ["id", *(["literal"] if needs_literal else []), *required] if c not in header]
            if missing:
                raise PatternError(f"missing column(s) {missing}", path=str(path), line=number)
            continue
        if len(cells) > len(header):
            raise PatternError(
                f"{len(cells)} tab-separated cells but the header has {len(header)} columns", path=str(path), line=number
            )
        row = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header)}
        rule_id = row["id"]
        if not rule_id:
            raise PatternError("blank id", path=str(path), line=number)
        row.setdefault("literal", "")
        if needs_literal and not row["literal"]:
            raise PatternError("blank literal", path=str(path), line=number, rule_id=rule_id)
        for name in required:
            if not row.get(name) and name in choices and "" not in choices[name]:
                raise PatternError(f"blank {name}", path=str(path), line=number, rule_id=rule_id)
        for name, allowed_values in choices.items():
            value = row.get(name, "")
            if value and value not in allowed_values:
                raise PatternError(
                    f"{name} {value!r} is not one of {sorted(v for v in allowed_values if v)}",
                    path=str(path), line=number, rule_id=rule_id,
                )
        rule = Rule(
            id=rule_id,
            literal=row["literal"],
            pattern=row.get("pattern", ""),
            category=category,
            path=str(path),
            line=number,
            fields={k: v for k, v in row.items() if k not in {"id", "literal", "pattern"}},
        )
        if needs_literal:
            rule.regex  # compile now so a bad expression fails at load, with its file and line
        rules.append(rule)
    if header is None:
        raise PatternError("no header line", path=str(path))
    return rules


def check_unique_ids(rules: Iterable[Rule]) -> None:
    seen: dict[str, Rule] = {}
    for rule in rules:
        if rule.id in seen:
            first = seen[rule.id]
            raise PatternError(
                f"duplicate id (first used at {first.path}:{first.line})", path=rule.path, line=rule.line, rule_id=rule.id
            )
        seen[rule.id] = rule


def read_rule_dir(directory: Path, **kwargs) -> list[Rule]:
    """Read every ``*.tsv`` in a directory, one concept per file, ids unique across the directory."""
    if not directory.is_dir():
        raise PatternError("rule directory not found", path=str(directory))
    rules: list[Rule] = []
    for path in sorted(directory.glob("*.tsv")):
        rules.extend(read_rule_file(path, **kwargs))
    check_unique_ids(rules)
    return rules


def rule_lines(path: Path):
    """(line number, line) of every rule line of a tab-separated rule file (blank lines and # comments skipped);
    an unreadable file is a PatternError naming it."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise PatternError(f"cannot read rule file: {e}", path=str(path)) from e
    for number, raw in enumerate(lines, start=1):
        if raw.strip() and not raw.lstrip().startswith("#"):
            yield number, raw


def read_toml(path: Path) -> tuple[dict, list[str]]:
    """Parse a TOML file; a syntax error becomes a PatternError naming the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise PatternError(f"cannot read file: {e}", path=str(path)) from e
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        match = re.search(r"line (\d+)", str(e))
        raise PatternError(f"not valid TOML: {e}", path=str(path), line=int(match.group(1)) if match else None) from e
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise PatternError("not valid TOML: arrays or tables nested too deeply", path=str(path)) from None
    return data, text.splitlines()
