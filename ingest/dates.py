"""Dates a sentence states, with their precision kept (day, month or year), resolved against the
article's date: a day and month without a year take the article's year (or the one before, so the
date is never after the article), and say so ("inferred")."""

import datetime
import re
from dataclasses import dataclass

MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_month = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"  # noqa: E501 (a pattern or table row reads best on one line)
DAY_MONTH = re.compile(
    rf"\b(?P<month>{_month})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<year>(?:19|20)\d\d))?\b"
)
MONTH_DAY = re.compile(
    rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month>{_month})(?:,?\s+(?P<year>(?:19|20)\d\d))?\b"
)
ISO = re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>\d\d)-(?P<day>\d\d)\b")
# "May" is also a verb: a month alone needs a word before it that makes it a month, or a year after.
MONTH_ALONE = re.compile(
    rf"(?:\b(?:in|since|from|by|until|early|late|mid|end of|last|this|next|of|during)[\s-]+(?P<month>{_month})\b(?:\s+(?P<year>(?:19|20)\d\d))?)"  # noqa: E501 (a pattern or table row reads best on one line)
    rf"|\b(?P<month2>{_month})\s+(?P<year2>(?:19|20)\d\d)\b"
)
YEAR = re.compile(r"\b(?P<year>(?:19|20)\d\d)\b(?!\s*(?:million|billion|yuan|units|cars|vehicles|%|per))")
RELATIVE = re.compile(
    r"\b(?P<phrase>last (?:month|year|week)|this (?:month|year|week)|earlier this (?:month|year)|yesterday|today|"
    r"(?:on |last )(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b",
    re.I,
)


@dataclass
class StatedDate:
    start: int
    end: int
    value: datetime.date | None
    precision: str | None  # "day", "month", "year"
    basis: str | None  # "stated" (all of it in the text) or "inferred" (year or more from the article's date)

    def iso(self) -> str | None:
        if self.value is None:
            return None
        if self.precision == "year":
            return f"{self.value.year:04d}"
        if self.precision == "month":
            return f"{self.value.year:04d}-{self.value.month:02d}"
        return self.value.isoformat()


def _month_number(text: str) -> int:
    return MONTHS[text.lower().rstrip(".")]


def _in_past(month: int, day: int, base: datetime.date) -> datetime.date:
    for year in (base.year, base.year - 1):
        try:
            value = datetime.date(year, month, day)
        except ValueError:
            continue
        if value <= base:
            return value
    return datetime.date(base.year - 1, month, min(day, 28))


def _day(match: re.Match, base: datetime.date | None) -> StatedDate | None:
    month, day = _month_number(match.group("month")), int(match.group("day"))
    if not 1 <= day <= 31:
        return None
    if match.group("year"):
        try:
            return StatedDate(
                match.start(), match.end(), datetime.date(int(match.group("year")), month, day), "day", "stated"
            )
        except ValueError:
            return None
    if base is None:
        return StatedDate(match.start(), match.end(), None, None, None)
    return StatedDate(match.start(), match.end(), _in_past(month, day, base), "day", "inferred")


def _month_alone(match: re.Match, base: datetime.date | None) -> StatedDate:
    month = _month_number(match.group("month") or match.group("month2"))
    year = match.group("year") or match.group("year2")
    if year:
        return StatedDate(match.start(), match.end(), datetime.date(int(year), month, 1), "month", "stated")
    if base is None:
        return StatedDate(match.start(), match.end(), None, None, None)
    value = _in_past(month, 1, base)
    return StatedDate(match.start(), match.end(), value.replace(day=1), "month", "inferred")


def _relative(match: re.Match, base: datetime.date | None) -> StatedDate:
    phrase = match.group("phrase").lower()
    if base is None:
        return StatedDate(match.start(), match.end(), None, None, None)
    if phrase in ("today", "yesterday"):
        value = base - datetime.timedelta(days=phrase == "yesterday")
        return StatedDate(match.start(), match.end(), value, "day", "inferred")
    if phrase.endswith(tuple(WEEKDAYS)):
        weekday = WEEKDAYS.index(phrase.split()[-1])
        back = (base.weekday() - weekday) % 7 or 7 if phrase.startswith("last") else (base.weekday() - weekday) % 7
        return StatedDate(match.start(), match.end(), base - datetime.timedelta(days=back), "day", "inferred")
    if phrase.endswith("week"):
        value = base - datetime.timedelta(days=7 if phrase.startswith("last") else 0)
        return StatedDate(match.start(), match.end(), value.replace(day=1), "month", "inferred")
    if phrase.endswith("month"):
        first = base.replace(day=1)
        value = (first - datetime.timedelta(days=1)).replace(day=1) if phrase.startswith("last") else first
        return StatedDate(match.start(), match.end(), value, "month", "inferred")
    year = base.year - 1 if phrase.startswith("last") else base.year
    return StatedDate(match.start(), match.end(), datetime.date(year, 1, 1), "year", "inferred")


def find_dates(text: str, *, base: datetime.date | None) -> list[StatedDate]:
    """Every date in `text`, most precise reading first where readings overlap, in text order."""
    found: list[StatedDate] = []

    def add(date: StatedDate | None) -> None:
        if date is not None and not any(d.start < date.end and date.start < d.end for d in found):
            found.append(date)

    for match in ISO.finditer(text):
        add(StatedDate(match.start(), match.end(), datetime.date(*map(int, match.groups())), "day", "stated"))
    for pattern in (DAY_MONTH, MONTH_DAY):
        for match in pattern.finditer(text):
            add(_day(match, base))
    for match in MONTH_ALONE.finditer(text):
        add(_month_alone(match, base))
    for match in RELATIVE.finditer(text):
        add(_relative(match, base))
    for match in YEAR.finditer(text):
        add(StatedDate(match.start(), match.end(), datetime.date(int(match.group("year")), 1, 1), "year", "stated"))
    return sorted(found, key=lambda d: d.start)


PUBLICATION_CUE = re.compile(r"\b(published|updated|posted|first published|last updated)\b[^\n]{0,20}?$", re.I)


def stated_publication_date(text: str) -> datetime.date | None:
    """A full date the text gives as its own ("This story was updated on May 10, 2021"): the
    latest such date, which a given published date gives way to."""
    dates = []
    for pattern in (DAY_MONTH, MONTH_DAY):
        for match in pattern.finditer(text):
            if match.group("year") and PUBLICATION_CUE.search(text[max(0, match.start() - 60) : match.start()]):
                date = _day(match, None)
                if date is not None and date.value is not None:
                    dates.append(date.value)
    return max(dates) if dates else None
