"""One test per row of the status decision table in extractor/nlp/status.py."""
import pytest


def status_of(mentions_of, text, mention):
    return [(s) for lab, t, s in mentions_of(text) if t == mention][0]


@pytest.mark.parametrize(
    "text, mention, status",
    [
        # 1 organ: a lymph node's microcalcifications
        ("Level VI lymph node containing microcalcifications.", "microcalcifications", "excluded"),
        # 2 section that does not describe this exam
        ("INDICATION: microcalcifications on outside study\nFINDINGS: normal", "microcalcifications", "excluded"),
        # 3 family
        ("Her mother had a thyroid nodule removed.", "nodule", "excluded"),
        # 4 hypothetical
        ("Should microcalcifications appear, FNA would be advised.", "microcalcifications", "excluded"),
        # 5 negated (also when historical)
        ("The microcalcifications described before are no longer visualized.", "microcalcifications", "negated"),
        # 6 historical
        ("Microcalcifications were seen previously on the 2019 scan.", "Microcalcifications", "excluded"),
        # 7 uncertain
        ("Microcalcifications cannot be excluded in the left lobe.", "Microcalcifications", "uncertain"),
        # 8 affirmed
        ("Microcalcifications are present in the left lobe.", "Microcalcifications", "affirmed"),
    ],
)
def test_status_decision_table(mentions_of, text, mention, status):
    assert status_of(mentions_of, text, mention) == status
