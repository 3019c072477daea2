"""Same-length views of exported and bilingual ultrasound reports for the nodule reader (no spaCy): an XML or JSON
export read as the template it encodes, a bilingual report in language-tagged paragraphs read in English. Offsets are
unchanged, so evidence still points into the report text (see ``nodules.section_view``)."""
import re

_XML_ELEMENT = re.compile(r"<([A-Za-z][\w\-.]*)((?:\s+[\w\-.:]+\s*=\s*\"[^\"<>\n]*\")*)\s*>([^<\n]*)</\1\s*>")
_XML_TAG = re.compile(r"<\?[^<>\n]*\?>|<!--[^\n]*?-->|</?([A-Za-z][\w\-.]*)((?:\s+[\w\-.:]+\s*=\s*\"[^\"<>\n]*\")*)\s*(/?)>")
_XML_ATTRIBUTE = re.compile(r"([\w\-.:]+)\s*=\s*\"([^\"<>\n]*)\"")
_XML_PLACE = re.compile(r"lobe|side|pole|position|location|site|third|level|segment", re.IGNORECASE)  # attributes that place
_XML_LABEL = re.compile(r"(?:nodule|lesion|mass|cyst|finding)s?", re.IGNORECASE)


def _xml_key(name: str, width: int) -> str:
    """An element name as a template key of at most ``width`` characters: "EchogenicFoci:" as "Echogenic Foci:"."""
    words = re.sub(r"(?<=[a-z])(?=[A-Z])|[_\-.]+", " ", name).strip()
    return words + ":" if len(words) + 1 <= width else name + ":"


def _xml_element(m: re.Match) -> str:
    """``<Size unit="mm">14x10x9</Size>`` read as ``Size: 14x10x9 mm``, same length, the value where it stands."""
    opening = m.group(0)[:m.start(3) - m.start(0)]
    closing = m.group(0)[m.end(3) - m.start(0):]
    unit = next((v for k, v in _XML_ATTRIBUTE.findall(m.group(2)) if k.lower() in {"unit", "units", "uom"}), "")
    after = " " + unit if unit and len(unit) + 1 <= len(closing) else ""
    return _xml_key(m.group(1), len(opening)).ljust(len(opening)) + m.group(3) + after.ljust(len(closing))


def _xml_tag(m: re.Match) -> str:
    """Any other tag: a nodule element with its number as the nodule's label ("<Nodule id="2">" as "Nodule 2"), an
    empty element whose attributes place something as "Location: right upper", everything else blank."""
    tag, name = m.group(0), m.group(1) or ""
    values = _XML_ATTRIBUTE.findall(m.group(2) or "")
    if name and not tag.startswith("</") and _XML_LABEL.fullmatch(name) and not m.group(3):
        number = next((v for k, v in values if k.lower() in {"id", "n", "no", "number", "index"} and v.isdigit()), "")
        if number and len(name) + 1 + len(number) <= len(tag):
            return (name[:1].upper() + name[1:].rstrip("sS") + " " + number).ljust(len(tag))
    if name and m.group(3):  # <Location lobe="right" pole="upper"/>
        placed = " ".join(v for k, v in values if _XML_PLACE.fullmatch(k))
        line = _xml_key(name, len(tag)) + (" " + placed if placed else "")
        if placed and len(line) <= len(tag):
            return line.ljust(len(tag))
    return " " * len(tag)


_JSON_SIZE = re.compile(r"(\"(?:[\w\-]*_)?(?:size|dims?|dimensions?)_?(mm|cm)\"\s*:\s*)\[\s*(\d{1,3}(?:\.\d{1,2})?(?:\s*,\s*\d{1,3}(?:\.\d{1,2})?){0,2})\s*\]",
                        re.IGNORECASE)
_JSON_NODULE = re.compile(r"\"(?:nodules|lesions|findings)\"\s*:\s*\[\s*(?=\{)|(?<=\})\s*,\s*(?=\{)", re.IGNORECASE)
_JSON_LABEL = re.compile(r"\{\s*\"(?:n|id|no|number|index|nodule)\"\s*:\s*\"?(\d{1,2})\"?\s*,?[ \t]?")
_JSON_KEY = re.compile(r"\"([^\"\n]{1,40})\"(\s*):")
_JSON_PUNCTUATION = re.compile(r"[\"{}\[\]]|,(?=\s*\")")


def json_view(text: str) -> str:
    """A JSON export read as the template it encodes, same length and offsets: each object of a "nodules" array as a
    labelled block ("Nodule 1: ..."), ``"size_mm": [12, 9, 8]`` as "12x9x8 mm", ``"key": "value"`` as
    ``key: value`` cells (two spaces before each key), brackets and quotes blank."""
    if not re.match(r"\s*[\[{]\s*\"", text) or text.count("\":") < 3:
        return text

    def size(m: re.Match) -> str:
        numbers = re.split(r"\s*,\s*", m.group(3))
        value = "x".join(numbers) + " " + m.group(2).lower()
        width = len(m.group(0)) - len(m.group(1))
        if len(value) > width:
            value = value.replace(" ", "")
        return m.group(1) + value.ljust(width) if len(value) <= width else m.group(0)

    text = _JSON_SIZE.sub(size, text)
    text = _JSON_NODULE.sub(lambda m: "\n" * m.group(0).count("\n") + " " * (len(m.group(0)) - m.group(0).count("\n"))
                            if "\n" not in m.group(0) else re.sub(r"[^\n]", " ", m.group(0)), text)

    def label(m: re.Match) -> str:
        word = "Nodule " + m.group(1) + ":"
        return word.ljust(len(m.group(0))) if len(word) <= len(m.group(0)) else m.group(0)

    text = _JSON_LABEL.sub(label, text)
    text = _JSON_KEY.sub(lambda m: " " + m.group(1).replace("_", " ") + ":" + " " * (len(m.group(2)) + 1), text)
    return _JSON_PUNCTUATION.sub(lambda m: ";" if m.group(0) == "," else " ", text)


_LANGUAGE_TAG = re.compile(r"(?m)^([ \t]*)(EN|ENG|FR|ES|PT|DE|IT|NL|AR|RU|TR|VI|PL|EL|RO)[ \t]*[:：][ \t]*")


def translation_view(text: str) -> str:
    """A bilingual report in tagged paragraphs ("FR: Lobe droit: nodule ... / EN: Right lobe: nodule ...") read in
    English only: the other paragraphs (a tag line and the lines indented under it) blank, same length. Without an
    "EN:" paragraph and another language's the text is returned as it is."""
    tags = list(_LANGUAGE_TAG.finditer(text))
    if not any(m.group(2) in {"EN", "ENG"} for m in tags) or all(m.group(2) in {"EN", "ENG"} for m in tags):
        return text
    out = list(text)
    starts = {m.start() for m in tags}
    for m in tags:
        if m.group(2) in {"EN", "ENG"}:
            continue
        end = text.find("\n", m.end())
        end = len(text) if end < 0 else end
        indent = len(m.group(1))
        while end < len(text):  # the lines indented under the tag line belong to its paragraph
            nxt = text.find("\n", end + 1)
            nxt = len(text) if nxt < 0 else nxt
            line = text[end + 1:nxt]
            if end + 1 in starts or not line.strip() or len(line) - len(line.lstrip(" \t")) <= indent:
                break
            end = nxt
        for i in range(m.start(), end):
            if out[i] != "\n":
                out[i] = " "
    return "".join(out)


def markup_view(text: str) -> str:
    """An XML export read as the template it encodes, same length and offsets: each element with a value as a
    ``Key: value`` line (its unit attribute after the value), a nodule element as its label, place attributes as a
    location line, every other tag blank."""
    if "</" not in text or not _XML_ELEMENT.search(text):
        return text
    text = _XML_ELEMENT.sub(_xml_element, text)
    return _XML_TAG.sub(_xml_tag, text)
