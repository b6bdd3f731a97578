"""Candidates set against the deals the tracker holds: the same parties and kind with a
compatible date make corroboration (a new supporting excerpt); a value the article gives
otherwise than the tracker makes a conflict naming the field and both values."""

from decimal import Decimal

from companies.models import Deal

# Kinds an article may name for one move: a venture set up is reported as a new unit or brand.
COMPATIBLE_KINDS = [
    {"joint_venture", "subsidiary"},
    {"investment", "funding_round"},
    {"partnership", "joint_venture"},
    {"joint_venture", "investment"},  # the capital put into a venture is reported as an investment
]


def _kinds_compatible(a: str, b: str) -> bool:
    return a == b or any(a in group and b in group for group in COMPATIBLE_KINDS)


def _dates_compatible(candidate: dict, deal: Deal) -> bool:
    if not candidate["date"] or not deal.date:
        return True
    ours, theirs = candidate["date"], deal.date_iso
    shorter = min(len(ours), len(theirs))
    return ours[:4] == theirs[:4] or (abs(int(ours[:4]) - int(theirs[:4])) <= 1 and shorter > 4)


def known_deals() -> list[tuple[Deal, dict[str, str]]]:
    deals = Deal.objects.select_related("venture").prefetch_related("participations__company")
    return [(deal, {p.company.slug: p.role for p in deal.participations.all()}) for deal in deals]


def _overlap(candidate: dict, deal: Deal, roles: dict[str, str]) -> int:
    companies = {p["company"] for p in candidate["parties"] if p["company"]}
    known = set(roles) | ({deal.venture.slug} if deal.venture else set())
    return len(companies & known)


def best_deal(candidate: dict, deals: list[tuple[Deal, dict[str, str]]]) -> tuple[Deal, dict[str, str]] | None:
    """The deal the candidate describes: most shared parties (two at least, or the only party of a
    one-party deal), a compatible kind and date."""
    scored = []
    for deal, roles in deals:
        shared = _overlap(candidate, deal, roles)
        enough = shared >= 2 or (shared == 1 and len(roles) == 1 and not deal.venture)
        if enough and _kinds_compatible(candidate["kind"], deal.kind) and _dates_compatible(candidate, deal):
            scored.append((shared, candidate["kind"] == deal.kind, deal.slug, deal, roles))
    if not scored:
        return None
    scored.sort(key=lambda s: (-s[0], not s[1], s[2]))
    return scored[0][3], scored[0][4]


def conflicts_with(candidate: dict, deal: Deal, roles: dict[str, str]) -> list[dict]:
    conflicts = []

    def differ(field: str, tracker: str, article: str) -> None:
        conflicts.append({"deal": deal.slug, "field": field, "tracker": tracker, "article": article})

    if candidate["amount"] is not None and deal.amount is not None and not _states_tracked_amount(candidate, deal):
        stated_elsewhere = deal.amount.normalize() != Decimal(candidate["amount"]).normalize()
        if candidate["currency"] != deal.currency:
            differ("currency", deal.currency, candidate["currency"])
        elif stated_elsewhere and _format(deal.amount) not in _figures_in(candidate):
            differ("amount", _format(deal.amount), candidate["amount"])
    if candidate["date"] and deal.date:
        ours, theirs = candidate["date"], deal.date_iso
        shorter = min(len(ours), len(theirs))
        if ours[:shorter] != theirs[:shorter]:
            differ("date", theirs, ours)
    if (
        candidate["status"] != deal.status
        and candidate["status"] in ("rumoured", "in_talks")
        and deal.status == "completed"
    ):
        differ("status", deal.status, candidate["status"])
    for party in candidate["parties"]:
        tracked = roles.get(party["company"])
        if (
            tracked
            and party["role"] in ("minority_shareholder", "controlling_shareholder")
            and party["role"] != tracked
        ):
            differ("role", f"{party['company']}: {tracked}", f"{party['company']}: {party['role']}")
    return conflicts


def _format(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _states_tracked_amount(candidate: dict, deal: Deal) -> bool:
    """The quote states the tracker's figure in the tracker's currency (not as a conversion in
    brackets), though it proposes another of its figures: no conflict on amount or currency."""
    from ingest.amounts import find_amounts

    tracked = (deal.amount.normalize(), deal.currency)
    return any((a.value, a.currency) == tracked for a in find_amounts(candidate["quote"]) if not a.in_brackets)


def _figures_in(candidate: dict) -> set[str]:
    from ingest.amounts import find_amounts

    return {_format(a.value) for a in find_amounts(candidate["quote"])}


def match_deals(candidates: list[dict]) -> list[dict]:
    deals = known_deals()
    previous: tuple[int, tuple] | None = None
    for candidate in candidates:
        found = best_deal(candidate, deals)
        if found is None and previous is not None and candidate["start"] - previous[0] < 500:
            # The next sentence about the same move often names one party only ("the partners will invest…").
            deal, roles = previous[1]
            if _overlap(candidate, deal, roles) and _kinds_compatible(candidate["kind"], deal.kind):
                found = previous[1]
        if found is not None:
            previous = (candidate["end"], found)
            deal, roles = found
            candidate["deal"] = deal.slug
            candidate["conflicts"] = conflicts_with(candidate, deal, roles)
    return candidates
