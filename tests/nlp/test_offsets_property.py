"""Property tests: extraction never raises, offsets always slice to the mention text."""
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.nlp.extensions import MENTIONS_KEY

WORDS = ["no", "not", "microcalcifications", "micro-calcifications", "punctate", "echogenic", "foci", "nodule",
         "right", "left", "lobe", "isthmus", "diffuse", "clustered", "without", "mass", "possibly", "previously",
         "comet-tail", "colloid", ".", ",", ";", ":", "\n", "\n\n", "FINDINGS:", "IMPRESSION:", "Rt.", "1.2cm", "-"]

clinical_text = st.lists(st.sampled_from(WORDS), max_size=60).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(st.one_of(clinical_text, st.text(max_size=300)))
def test_mentions_slice_to_their_text(nlp, text):
    doc = nlp(text)
    for span in doc.spans[MENTIONS_KEY]:
        assert text[span.start_char:span.end_char] == span.text
        assert span._.radpath_status in {"affirmed", "uncertain", "negated", "excluded"}
