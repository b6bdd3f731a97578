"""The long sections of the company and deal pages, written out as HTML in one pass each.

A company page lists up to 50 deals with their parties, 40 connected companies and 40 quoted
excerpts; through the template engine (a variable lookup, filter and `{% url %}` per value, an
include per excerpt) that was most of the page's time. As in public/rows.py, each item here is one
f-string over values already in hand, every value escaped; the markup is the one the templates had.
"""

from collections.abc import Iterable
from html import escape
from urllib.parse import quote

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from core.partial_dates import format_partial_date_human, format_partial_date_iso
from public.company_selectors import Connection, TimelineEntry
from public.rows import COMPANY_KIND_LABELS, KIND_LABELS, STATUS_LABELS, link_by_slug
from public.templatetags.tracker import money
from sources.models import Excerpt

STANCE_LABELS = dict(Excerpt.Stance.choices)


def _joined(parts: Iterable[str]) -> SafeString:
    return mark_safe("\n".join(parts))  # noqa: S308 (every value escaped where the part is built)


def _plural(count: int) -> str:
    return "" if count == 1 else "s"


def timeline_items(*, company_name: str, timeline: list[TimelineEntry]) -> SafeString:
    """The company's deals, oldest first: when, what, the deal's facts, its part and the others'."""
    deal_url, company_url = link_by_slug("companies:deal_detail"), link_by_slug("companies:company_detail")
    name = escape(company_name)
    items = []
    for entry in timeline:
        deal = entry.deal
        if deal.date:
            iso = format_partial_date_iso(deal.date, deal.date_precision)
            human = format_partial_date_human(deal.date, deal.date_precision)
            when = f'<time datetime="{iso}">{escape(human)}</time>'
        else:
            when = "Date not known"
        meta = escape(KIND_LABELS.get(deal.kind, deal.kind))
        if deal.round_name:
            meta += f" ({escape(deal.round_name)})"
        meta += f" · {escape(STATUS_LABELS.get(deal.status, deal.status))}"
        if deal.amount is not None:
            meta += f" · {escape(money(deal.amount, deal.currency))}"
        part = f"{name}&#x27;s part: {', '.join(escape(role) for role in entry.roles).lower()}."
        if entry.partners:
            others = ", ".join(
                f'<a href="{company_url(party.slug)}">{escape(party.name)}</a> ({escape(party.role_label).lower()})'
                for party in entry.partners
            )
            part += f" With {others}."
        items.append(
            "<li>\n"
            f'  <p class="when">{when}</p>\n'
            f'  <p class="what"><a href="{deal_url(deal.slug)}">{escape(deal.title)}</a></p>\n'
            f'  <p class="meta">{meta}</p>\n'
            f"  <p>{part}</p>\n"
            "</li>"
        )
    return _joined(items)


def connection_items(*, company_slug: str, connections: list[Connection], shown: int) -> SafeString:
    """The connected companies, each with the shared deals among the `shown` ones listed above and
    a link to the rest in the deal list."""
    deal_url, company_url = link_by_slug("companies:deal_detail"), link_by_slug("companies:company_detail")
    deals_of = f"{escape(reverse('companies:deal_list'))}?company={escape(company_slug)}"
    items = []
    for connection in connections:
        other = connection.company
        listed = "; ".join(f'<a href="{deal_url(deal.slug)}">{escape(deal.title)}</a>' for deal in connection.deals)
        unlisted = connection.unlisted
        if unlisted:
            more = "more " if connection.deals else ""
            listed += "; and " if connection.deals else ""
            listed += (
                f'<a href="{deals_of}&amp;q={quote(other.name, safe="/")}&amp;ordering=date">'
                f"{unlisted} {more}shared deal{_plural(unlisted)}</a> beyond the first {shown} above"
            )
        kind = escape(COMPANY_KIND_LABELS.get(other.kind, other.kind))
        items.append(
            f'<li><a href="{company_url(other.slug)}">{escape(other.name)}</a> <span class="meta">{kind}</span>'
            f" — {listed}</li>"
        )
    return _joined(items)


def excerpt_figures(excerpts: Iterable[Excerpt]) -> SafeString:
    """Quoted excerpts, each with its stance, claim and citation; each excerpt's `source` set."""
    source_url = link_by_slug("sources:source_detail")
    figures = []
    for excerpt in excerpts:
        source = excerpt.source
        cite = f' cite="{escape(source.url)}"' if source.url else ""
        claim = f': <span class="claim">{escape(excerpt.claim)}</span>' if excerpt.claim else ""
        citation = f'<a href="{source_url(source.slug)}#excerpt-{excerpt.pk}">{escape(source.title)}</a>'
        if source.publisher:
            citation += f", {escape(source.publisher)}"
        if source.published_date:
            citation += f', <time datetime="{source.published_date_iso}">{escape(source.published_date_display)}</time>'
        note = f'<span class="excerpt-note">{escape(excerpt.note)}</span>' if excerpt.note else ""
        figures.append(
            f'<figure class="excerpt excerpt--{escape(excerpt.stance)}">\n'
            f"  <blockquote{cite}>{escape(excerpt.quote)}</blockquote>\n"
            "  <figcaption>\n"
            f'    <strong class="stance">{escape(STANCE_LABELS.get(excerpt.stance, excerpt.stance))}</strong>{claim}.\n'
            f"    Source: {citation}\n"
            f"    {note}\n"
            "  </figcaption>\n"
            "</figure>"
        )
    return _joined(figures)
