"""The shipped rules found inside a zipped package (radpath as a wheel on Spark's --py-files)."""
import tempfile
import zipfile

from extractor.knowledge.resources import _unpacked


def _zipped_rules(path, precedence: str) -> zipfile.Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("extractor/_patterns/sections.tsv", "id\theader\n")
        archive.writestr("extractor/_patterns/nodules/sizes.tsv", "id\tpattern\n")
        archive.writestr("extractor/_patterns/precedence.tsv", precedence)
    return zipfile.Path(path, "extractor/_patterns/")


def test_zipped_rules_are_copied_out_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    copy = _unpacked(_zipped_rules(tmp_path / "a.whl", "rank\tvalue\n"))
    assert (copy / "nodules" / "sizes.tsv").read_text() == "id\tpattern\n"
    assert _unpacked(_zipped_rules(tmp_path / "b.whl", "rank\tvalue\n")) == copy  # the same rules: copied once


def test_a_wheel_with_edited_rules_never_reads_an_older_copy(tmp_path, monkeypatch):
    """The copy was named for the version only: a rebuilt wheel of the same version read the rules of an earlier
    build (a precedence.tsv without its id column failed the spark-submit recipe)."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    old = _unpacked(_zipped_rules(tmp_path / "old.whl", "rank\tvalue\n"))
    new = _unpacked(_zipped_rules(tmp_path / "new.whl", "id\trank\tvalue\n"))
    assert new != old
    assert (new / "precedence.tsv").read_text() == "id\trank\tvalue\n"
    assert (old / "precedence.tsv").read_text() == "rank\tvalue\n"
