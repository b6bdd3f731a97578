"""Tidying a file before import: each thing a spreadsheet does is undone, and a clean file is
left exactly as it is (that shortcut must never skip a needed change)."""

import datetime

import pytest
import tablib

from dataio.resources import tidy_dataset


def tidied(headers, *rows, verbatim=frozenset()):
    dataset = tablib.Dataset(*rows, headers=headers)
    tidy_dataset(dataset, verbatim=frozenset(verbatim))
    return dataset.headers, [list(row) for row in dataset]


@pytest.mark.parametrize(
    ("headers", "row", "expected_headers", "expected_row"),
    [
        (["slug", "name"], ["a", "A"], ["slug", "name"], ["a", "A"]),  # clean: unchanged
        (["Slug", "name"], ["a", "A"], ["slug", "name"], ["a", "A"]),  # header case
        ([" slug", "name"], ["a", "A"], ["slug", "name"], ["a", "A"]),  # header spaces
        (["slug", "name", ""], ["a", "A", ""], ["slug", "name"], ["a", "A"]),  # empty trailing column
        (["slug", "name", None], ["a", "A", None], ["slug", "name"], ["a", "A"]),  # an XLSX's empty column
        (["slug", "name"], ["a", None], ["slug", "name"], ["a", ""]),  # an empty XLSX cell
        (["slug", "name"], ["a", " A "], ["slug", "name"], ["a", "A"]),  # spaces around a value
        (["slug", "name"], ["a", "'=1+1"], ["slug", "name"], ["a", "=1+1"]),  # apostrophe marking text
        (["slug", "amount"], ["a", 12.5], ["slug", "amount"], ["a", 12.5]),  # numbers stay numbers
    ],
)
def test_each_spreadsheet_habit_is_undone(headers, row, expected_headers, expected_row):
    assert tidied(headers, row) == (expected_headers, [expected_row])


def test_verbatim_columns_keep_their_spaces_but_lose_the_text_apostrophe():
    assert tidied(["slug", "quote"], ["a", " said so. "], ["b", "'-5% "], verbatim={"quote"}) == (
        ["slug", "quote"],
        [["a", " said so. "], ["b", "-5% "]],
    )


def test_only_the_one_changed_row_of_many_is_changed():
    rows = [[f"row-{index}", f"Name {index}"] for index in range(1000)]
    rows[700][1] = "  Padded  "
    _headers, result = tidied(["slug", "name"], *rows)
    assert result[700] == ["row-700", "Padded"]
    assert result[:700] == rows[:700] and result[701:] == rows[701:]


def test_a_date_cell_from_xlsx_is_kept():
    day = datetime.datetime(2021, 6, 15)
    assert tidied(["slug", "date"], ["a", day]) == (["slug", "date"], [["a", day]])


def test_values_under_no_header_and_duplicate_headers_are_refused():
    with pytest.raises(ValueError, match="column 3 has values but no header"):
        tidied(["slug", "name", ""], ["a", "A", "stray"])
    with pytest.raises(ValueError, match='columns 1 and 2 are both "slug"'):
        tidied(["slug", "SLUG"], ["a", "b"])
