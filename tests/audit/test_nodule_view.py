"""The patient card lists the index ultrasound's nodules (features, points, evidence) and marks the index nodule."""
import json
import re

import pandas as pd

from extractor.audit import build_audit, load_audit_data
from extractor.audit.patientview import nodule_views
from extractor.audit.render import unpack_cards

PAYLOAD = re.compile(r'<script type="application/json" id="audit-data">(.*?)</script>', re.S)


def cards_of(html: str) -> list[str]:
    return unpack_cards(json.loads(PAYLOAD.search(html).group(1)))


def _with_nodules(extracted, linked, index_nodule: str) -> None:
    for ext in ("csv", "parquet"):
        (linked / f"nodules.{ext}").write_bytes((extracted / f"nodules.{ext}").read_bytes())
    patients = pd.read_csv(linked / "patients.csv", dtype=str, keep_default_na=False)
    patients["index_nodule"] = ""
    patients.loc[patients["index_us_report_id"] == "R010", "index_nodule"] = index_nodule
    patients.to_csv(linked / "patients.csv", index=False)


def test_card_lists_nodules_and_marks_the_index_one(extracted, linked):
    _with_nodules(extracted, linked, "2")
    build_audit(load_audit_data(linked))
    cards = cards_of((linked / "audit.html").read_text(encoding="utf-8"))
    card = next(c for c in cards if 'data-pid="P004"' in c)
    assert "Nodules of the index ultrasound" in card
    assert card.count('class="index-nodule"') == 1
    assert "spongiform" in card and "npt-" in card  # the points rows behind tirads_points are cited


def test_nodule_views_carry_evidence_links(extracted, linked):
    _with_nodules(extracted, linked, "1")
    data = load_audit_data(linked)
    row = {"index_us_report_id": "R010", "index_nodule": "1"}
    mentions = {"R010": data.mentions[data.mentions["report_id"] == "R010"].to_dict("records")}
    views = nodule_views(data, row, mentions, {"R010": "r1"})
    assert [v.index for v in views] == ["1", "2"]
    assert views[0].is_index and not views[1].is_index
    values = dict(views[0].values)
    assert (values["tirads_points"], values["tirads_level"]) == ("10", "TR5")
    linked_fields = {name for name, _, links in views[0].evidence if links}
    assert "echogenic_foci" in linked_fields


def test_no_nodule_table_no_section(linked):
    build_audit(load_audit_data(linked))
    cards = cards_of((linked / "audit.html").read_text(encoding="utf-8"))
    assert not any("Nodules of the index ultrasound" in c for c in cards)
