"""patterns/linking.toml is validated at load: unknown keys and values name file and line."""
import pytest

from extractor.cohort.linking import default_linking_path, load_linking_config
from extractor.errors import PatternError


def test_shipped_config_has_the_documented_defaults():
    config = load_linking_config()
    assert (config.cytology_days, config.surgery_days) == (180, 365)
    assert config.index_rules == ("latest_before_first_cytology", "latest_before_first_surgery", "earliest")


@pytest.mark.parametrize("old, new, message", [
    ("cytology_days = 180", "cytology_days = -1", "cytology_days"),
    ("cytology_days = 180", "cytology_dayz = 180", "unknown key"),
    ('"earliest"]', '"first"]', "index_ultrasound.rules"),
    ('mass_counted = ["present", "uncertain"]', 'mass_counted = ["big"]', "mass_counted"),
])
def test_bad_config_names_file_and_line(tmp_path, old, new, message):
    text = default_linking_path().read_text()
    assert old in text
    bad = text.replace(old, new)
    path = tmp_path / "linking.toml"
    path.write_text(bad)
    with pytest.raises(PatternError) as error:
        load_linking_config(path)
    assert message in str(error.value) and str(path) in str(error.value)
    assert new.split("=")[0].strip().strip('"]') in bad.splitlines()[error.value.line - 1]
