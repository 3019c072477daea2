"""Linking reads the fna_site / tumor_site report columns (contract v1.1) and derives laterality concordance."""
import pytest
from linking_builders import fna, surgery, us

from extractor.cohort.linking import load_linking_config
from extractor.errors import PatternError


def test_sites_are_unknown_without_columns_or_texts(link):
    p, _ = link(us("U1", "P", "2020-01-01"), fna("C1", "P", "2020-01-10"), surgery("S1", "P", "2020-03-01"))
    assert (p["P"]["fna_site"], p["P"]["tumor_site"], p["P"]["laterality_concordance"]) == ("unknown", "unknown", "unknown")


@pytest.mark.parametrize("us_side, fna_site, tumor_site, concordance, flag", [
    ("right", "right", "right", "concordant", "false"),
    ("right", "left", "right", "discordant", "true"),
    ("bilateral", "left", "bilateral", "concordant", "false"),
    ("bilateral", "left", "right", "discordant", "true"),
    ("isthmus", "isthmus", "left", "discordant", "true"),
    ("unspecified", "left", "unspecified", "unknown", ""),
])
def test_laterality_concordance_from_columns(link, us_side, fna_site, tumor_site, concordance, flag):
    p, _ = link(us("U1", "P", "2020-01-01", microcalcification_laterality=us_side),
                fna("C1", "P", "2020-01-10", fna_site=fna_site),
                surgery("S1", "P", "2020-03-01", tumor_site=tumor_site))
    assert (p["P"]["laterality_concordance"], p["P"]["flag_laterality_discordant"]) == (concordance, flag)


def test_texts_are_ignored_linking_reads_the_columns(link):
    with pytest.warns(DeprecationWarning, match="texts= is ignored"):
        p, _ = link(us("U1", "P", "2020-01-01"), fna("C1", "P", "2020-01-10", fna_site="left"),
                    texts={"C1": "FNA, right lobe"})
    assert p["P"]["fna_site"] == "left"


def test_unspecified_column_is_unknown_for_the_patient(link):
    p, _ = link(us("U1", "P", "2020-01-01"), fna("C1", "P", "2020-01-10", fna_site="unspecified"))
    assert p["P"]["fna_site"] == "unknown"


def test_benign_surgery_has_no_tumour_site(link):
    p, _ = link(us("U1", "P", "2020-01-01"), surgery("S1", "P", "2020-03-01", "benign", tumor_site=""))
    assert p["P"]["tumor_site"] == ""


def test_old_tables_without_site_columns_give_unknown_sites_never_text(link):
    import pandas as pd

    texts = pd.DataFrame({"report_id": ["C1", "S1"], "text": ["FNA, right lobe", "Papillary carcinoma, left lobe."]})
    old = [{k: v for k, v in row.items() if k not in ("fna_site", "tumor_site")}
           for row in (us("U1", "P", "2020-01-01"), fna("C1", "P", "2020-01-10"), surgery("S1", "P", "2020-03-01"))]
    with pytest.warns(DeprecationWarning):
        p, _ = link(*old, texts=texts)
    assert (p["P"]["fna_site"], p["P"]["tumor_site"]) == ("unknown", "unknown")


def test_a_sites_table_in_linking_config_is_refused(tmp_path):
    path = tmp_path / "linking.toml"
    path.write_text("[sites]\nright = 'right'\n")
    with pytest.raises(PatternError, match="sites.tsv"):
        load_linking_config(path)
