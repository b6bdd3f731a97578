"""Amounts of money as stated: a decimal, its ISO 4217 currency, and a note for what the
figure alone does not say (a bound such as "more than", a conversion given in brackets)."""

import re
from dataclasses import dataclass
from decimal import Decimal

SYMBOLS = {
    "us$": "USD",
    "$": "USD",
    "hk$": "HKD",
    "s$": "SGD",
    "a$": "AUD",
    "c$": "CAD",
    "nt$": "TWD",
    "€": "EUR",
    "£": "GBP",
    "¥": "CNY",
    "rmb": "CNY",
    "cny": "CNY",
    "usd": "USD",
    "eur": "EUR",
    "gbp": "GBP",
    "hkd": "HKD",
    "jpy": "JPY",
}
WORDS = {
    "yuan": "CNY",
    "renminbi": "CNY",
    "dollars": "USD",
    "euros": "EUR",
    "euro": "EUR",
    "pounds": "GBP",
    "yen": "JPY",
    "won": "KRW",
    "rupees": "INR",
}
SCALES = {
    "thousand": 10**3,
    "k": 10**3,
    "million": 10**6,
    "mn": 10**6,
    "m": 10**6,
    "mln": 10**6,
    "billion": 10**9,
    "bn": 10**9,
    "b": 10**9,
    "trillion": 10**12,
    "tn": 10**12,
}
NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "a": 1,
    "half a": Decimal("0.5"),
}
BOUNDS = {
    "more than": "at least",
    "over": "at least",
    "at least": "at least",
    "upwards of": "at least",
    "nearly": "about",
    "almost": "about",
    "about": "about",
    "around": "about",
    "roughly": "about",
    "approximately": "about",
    "some": "about",
    "up to": "at most",
    "less than": "at most",
    "under": "at most",
}
_symbol = "|".join(re.escape(s) for s in sorted(SYMBOLS, key=len, reverse=True))
_bound = "|".join(sorted(BOUNDS, key=len, reverse=True))
_number = r"\d[\d,]*(?:\.\d+)?|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_scale = "|".join(sorted(SCALES, key=len, reverse=True))
AMOUNT = re.compile(
    rf"(?:(?P<bound>{_bound})\s+)?(?:(?P<symbol>{_symbol})\s?(?P<n1>{_number})(?:\s?(?P<s1>{_scale})\b)?"
    rf"|\b(?P<n2>{_number})(?:\s?(?P<s2>{_scale}))?\s+(?P<word>{'|'.join(WORDS)})\b)",
    re.I,
)


@dataclass
class Amount:
    start: int
    end: int
    value: Decimal
    currency: str
    bound: str  # "", "at least", "about", "at most"
    in_brackets: bool

    def describe(self) -> str:
        return (
            f"{self.currency} {self.value:,.0f}"
            if self.value == self.value.to_integral()
            else f"{self.currency} {self.value:,}"
        )


def _number(text: str) -> Decimal:
    lowered = text.lower()
    if lowered in NUMBER_WORDS:
        return Decimal(NUMBER_WORDS[lowered])
    return Decimal(text.replace(",", ""))


def find_amounts(text: str) -> list[Amount]:
    amounts = []
    for match in AMOUNT.finditer(text):
        number = match.group("n1") or match.group("n2")
        if match.group("symbol") is None and not re.match(r"\d", number) and not match.group("s2"):
            continue  # "a won" or "one yen" alone is prose, not an amount
        scale = (match.group("s1") or match.group("s2") or "").lower()
        if match.group("symbol") is None and scale in ("m", "b", "k"):
            continue
        currency = (
            SYMBOLS[match.group("symbol").lower()] if match.group("symbol") else WORDS[match.group("word").lower()]
        )
        value = _number(number) * SCALES.get(scale, 1)
        bound = BOUNDS.get((match.group("bound") or "").lower(), "")
        before = text[: match.start()]
        in_brackets = before.count("(") > before.count(")")
        amounts.append(Amount(match.start(), match.end(), value.normalize(), currency, bound, in_brackets))
    return amounts


def decimal_string(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# Words just before a figure that make it part of the deal's figure ("an initial US$1.5 billion"),
# or not the deal's at all (a valuation, a total to date, revenue).
PART_OF = re.compile(
    r"\b(initial|first|first[- ]phase|first[- ]stage|down payment|tranche|starting)\b[\w\s-]{0,25}$", re.I
)
NOT_THE_DEAL = re.compile(
    r"\b(valu(ed|ing|ation)|worth|total(ling)?|bringing|so far|to date|revenues?|sales|market (value|cap\w*)|"
    r"losses|lost|profits?)\b[\w\s-]{0,25}$",
    re.I,
)


def _deal_figure(sentence: str, stated: list[Amount]) -> Amount:
    """Which of several stated figures is the deal's: not a valuation or a total to date, and not
    a part ("an initial US$1.5 billion … US$10 billion over the next decade" commits the larger
    whole, of which the first is a first step); else the first, which names the move."""
    if len(stated) == 1:
        return stated[0]
    lead_in = [sentence[max(0, a.start - 40) : a.start] for a in stated]
    deal = [a for a, before in zip(stated, lead_in, strict=True) if not NOT_THE_DEAL.search(before)] or stated
    wholes = [a for a in deal if not PART_OF.search(sentence[max(0, a.start - 40) : a.start])]
    if len(wholes) < len(deal) and wholes:
        same_currency = [a for a in wholes if a.currency == deal[0].currency] or wholes
        return max(same_currency, key=lambda a: a.value)
    return deal[0]


def amount_of_sentence(sentence: str) -> tuple[Amount | None, str]:
    """The amount a deal sentence states (see `_deal_figure` where it states several) and its
    note: the bound, a conversion in brackets, the other figures in the same sentence."""
    amounts = find_amounts(sentence)
    stated = [a for a in amounts if not a.in_brackets]
    if not stated:
        return None, ""
    main = _deal_figure(sentence, stated)
    notes = []
    if main.bound:
        notes.append(f"{main.bound} {decimal_string(main.value)} {main.currency} (“{sentence[main.start : main.end]}”)")
    conversions = [a for a in amounts if a.in_brackets and a.start > main.end]
    if conversions:
        conversion = conversions[0]
        notes.append(
            f"the article converts it to {decimal_string(conversion.value)} {conversion.currency} "
            f"(“{sentence[conversion.start : conversion.end]}”)"
        )
    others = [a for a in stated if a is not main]
    if others:
        notes.append("the sentence also states " + ", ".join(f"“{sentence[a.start : a.end]}”" for a in others))
    return main, "; ".join(notes)
