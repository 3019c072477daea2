"""docs/spacy.md's code runs as written and prints what the page says it prints."""
import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "spacy.md"


def test_the_spacy_page_runs_and_prints_what_it_says(tmp_path, monkeypatch, capsys):
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 3, "docs/spacy.md lost its examples"
    monkeypatch.chdir(tmp_path)  # the page saves and moves a pipeline in the working directory
    namespace = {"__name__": "spacy_doc"}
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), namespace)
    printed = capsys.readouterr().out.splitlines()
    expected = [line for block in re.findall(r"prints\n\n```\n(.*?)```", text, flags=re.S)
                for line in block.splitlines()] + re.findall(r"prints `(.*?)`", text)
    assert expected and all(line in printed for line in expected), printed
    assert (tmp_path / "moved_pipeline" / "config.cfg").is_file()
