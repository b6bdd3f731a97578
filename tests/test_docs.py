"""The documents that describe the data stay true to the code."""

import re
from pathlib import Path

import pytest

from dataio.datadictionary import data_dictionary_markdown

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("document", ["README.md", "seeds/README.md"])
def test_data_dictionary_is_current(document):
    text = (ROOT / document).read_text(encoding="utf-8")
    assert data_dictionary_markdown() in text, f"run: python manage.py data_dictionary --write ({document})"


def test_readme_documents_every_setting_variable():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    settings_source = (ROOT / "evtracker" / "settings.py").read_text(encoding="utf-8")

    variables = set(re.findall(r'env_\w+\("([A-Z_]+)"', settings_source))
    assert variables, "no variables found in settings"
    missing = sorted(name for name in variables if f"`{name}`" not in readme)
    assert not missing, f"README.md does not document: {missing}"


def test_readme_starts_with_the_two_commands():
    head = (ROOT / "README.md").read_text(encoding="utf-8")[:400]
    assert "make run" in head and "make test" in head
