"""The rows of the public lists, written out as HTML in one pass per list.

A template loop resolves every variable, choice label, filter and `{% url %}` of every row through
the template engine: about half a millisecond a row, most of a 50-row list page. Here each row is
one f-string over values already in hand (choice labels from a dict, links from one `reverse()`
per kind of page), every value escaped. The markup is the one the list templates had.
"""

from collections.abc import Callable, Iterable
from html import escape
from urllib.parse import quote

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from companies.models import Company, Deal, Participation
from core.partial_dates import format_partial_date_human, format_partial_date_iso
from public.templatetags.tracker import money, money_short
from sources.models import Source

SLUG_MARK = "slug-mark"
NOT_DISCLOSED = '<span class="meta">Not disclosed</span>'


def link_by_slug(view_name: str) -> Callable[[str], str]:
    """A function giving the escaped address of the page `view_name` for a slug: `reverse()`
    once, then the slug put in its place (quoted as `reverse()` would)."""
    before, after = reverse(view_name, kwargs={"slug": SLUG_MARK}).split(SLUG_MARK)
    return lambda slug: escape(before + quote(slug, safe="") + after)


KIND_LABELS = dict(Deal.Kind.choices)
STATUS_LABELS = dict(Deal.Status.choices)
ROLE_LABELS = {code: label.lower() for code, label in Participation.Role.choices}
COMPANY_KIND_LABELS = dict(Company.Kind.choices)
ENTRY_MODE_LABELS = dict(Company.EntryMode.choices)
STORY_RELATION_LABELS = dict(Source.StoryRelation.choices)


def _joined(parts: Iterable[str]) -> SafeString:
    return mark_safe("\n".join(parts))  # noqa: S308 (every value escaped where the part is built)


def _role(party: Participation) -> str:
    return escape(ROLE_LABELS.get(party.role, party.role))


def _plural(count: int) -> str:
    return "" if count == 1 else "s"


def _verb_s(count: int) -> str:
    return "s" if count == 1 else ""


def evidence(record: Company | Deal) -> str:
    """How well a listed record is backed (public/certainty.py's annotations), escaped: "3 excerpts
    · 2 sources", and a plain mark when any source disagrees."""
    excerpts, sources, dissent = record.excerpt_count, record.source_count, record.dissent_count
    if not excerpts:
        return '<span class="meta">No excerpt yet</span>'
    text = (
        f'{excerpts} excerpt{_plural(excerpts)} <span class="meta">· {sources} independent source{_plural(sources)}'
        "</span>"
    )
    if dissent:
        text += f' <strong class="disagrees">· {dissent} excerpt{_plural(dissent)} disagree{_verb_s(dissent)}</strong>'
    return text


def _deal_facts(deal: Deal) -> tuple[str, str]:
    """The deal's kind (with its round) and its amount, escaped; "" for no amount."""
    kind = escape(KIND_LABELS.get(deal.kind, deal.kind))
    if deal.round_name:
        kind += f" ({escape(deal.round_name)})"
    amount = escape(money(deal.amount, deal.currency)) if deal.amount is not None else ""
    return kind, amount


def deal_rows(deals: Iterable[Deal]) -> SafeString:
    """The deal list's table rows; each deal's visible parties prefetched in order."""
    deal_url, company_url = link_by_slug("companies:deal_detail"), link_by_slug("companies:company_detail")
    rows = []
    for deal in deals:
        kind, amount = _deal_facts(deal)
        date = (
            f'<time datetime="{deal.date_iso}">{escape(deal.date_display)}</time>'
            if deal.date
            else '<span class="meta">Not known</span>'
        )
        parties = ", ".join(
            f'<a href="{company_url(party.company.slug)}">{escape(party.company.name)}</a> '
            f'<span class="meta">({_role(party)})</span>'
            for party in deal.participations.all()
        )
        rows.append(
            f'<tr role="row">\n'
            f'  <th role="rowheader" scope="row"><a href="{deal_url(deal.slug)}">{escape(deal.title)}</a></th>\n'
            f'  <td role="cell" class="nowrap" data-label="Date">{date}</td>\n'
            f'  <td role="cell" data-label="Kind">{kind}</td>\n'
            f'  <td role="cell" data-label="Status">{escape(STATUS_LABELS.get(deal.status, deal.status))}</td>\n'
            f'  <td role="cell" class="number nowrap" data-label="Amount">{amount or NOT_DISCLOSED}</td>\n'
            f'  <td role="cell" data-label="Parties">{parties}</td>\n'
            f'  <td role="cell" data-label="Evidence">{evidence(deal)}</td>\n'
            f"</tr>"
        )
    return _joined(rows)


def deal_items(deals: Iterable[Deal]) -> SafeString:
    """Deals as the home page's list items: title, facts in one line, then the parties."""
    deal_url = link_by_slug("companies:deal_detail")
    items = []
    for deal in deals:
        kind, amount = _deal_facts(deal)
        facts = f'<time datetime="{deal.date_iso}">{escape(deal.date_display)}</time> · ' if deal.date else ""
        facts += f"{kind} · {escape(STATUS_LABELS.get(deal.status, deal.status))}"
        facts += f" · {amount}" if amount else ""
        parties = ", ".join(
            f'{escape(party.company.name)} <span class="meta">({_role(party)})</span>'
            for party in deal.participations.all()
        )
        items.append(
            f'<li class="deal-item">\n'
            f'  <a href="{deal_url(deal.slug)}">{escape(deal.title)}</a>\n'
            f'  <span class="deal-facts meta">{facts}</span>\n'
            + (f'  <span class="deal-parties">{parties}</span>\n' if parties else "")
            + f'  <span class="deal-evidence">Evidence: {evidence(deal)}</span>\n'
            + "</li>"
        )
    return _joined(items)


def company_rows(companies: Iterable[Company]) -> SafeString:
    """The company list's table rows; each company's visible aliases prefetched, `deal_count`,
    `created_deal_count` and the certainty counts annotated."""
    company_url = link_by_slug("companies:company_detail")
    deals_of = escape(reverse("companies:deal_list")) + "?company="
    rows = []
    for company in companies:
        name = escape(company.name)
        aliases = ", ".join(escape(alias.name) for alias in company.aliases.all())
        also = f'<span class="aliases meta">also {aliases}</span>' if aliases else ""
        count = company.deal_count
        kind = escape(COMPANY_KIND_LABELS.get(company.kind, company.kind))
        mode = escape(ENTRY_MODE_LABELS.get(company.entry_mode) or "—")
        created = company.created_deal_count
        label = f"{count} deal{_plural(count)} of {name}"
        label += f", including the one{_plural(created)} that created it" if created else ""
        deals = f'<a href="{deals_of}{escape(company.slug)}" aria-label="{label}">{count}</a>' if count else "0"
        if created:
            deals += f' <span class="meta">(created by {"it" if count == created else created})</span>'
        rows.append(
            f'<tr role="row">\n'
            f'  <th role="rowheader" scope="row"><a href="{company_url(company.slug)}">{name}</a>{also}</th>\n'
            f'  <td role="cell" data-label="Kind">{kind}</td>\n'
            f'  <td role="cell" data-label="Way into EVs">{mode}</td>\n'
            f'  <td role="cell" class="number" data-label="Deals">{deals}</td>\n'
            f'  <td role="cell" data-label="Evidence">{evidence(company)}</td>\n'
            f"</tr>"
        )
    return _joined(rows)


def source_rows(sources: Iterable[Source]) -> SafeString:
    """The source list's table rows; each source's story selected with it, `excerpt_count`,
    `dissent_count` and `version_count` annotated."""
    source_url = link_by_slug("sources:source_detail")
    rows = []
    for source in sources:
        if source.published_date:
            published = f'<time datetime="{source.published_date_iso}">{escape(source.published_date_display)}</time>'
            if source.date_basis == Source.DateBasis.INFERRED:
                published += ' <span class="meta">(inferred)</span>'
        else:
            published = '<span class="meta">Not known</span>'
        if source.story:
            relation = STORY_RELATION_LABELS.get(source.story_relation, source.story_relation)
            story = f"{escape(relation)} of “{escape(source.story.title)}”"
            if source.version_count > 1:
                story += f' <span class="meta">· {source.version_count} versions, counted as one source</span>'
        else:
            story = '<span class="meta">A story of its own</span>'
        count = source.dissent_count
        dissent = f' <strong class="disagrees">({count} disagree{_verb_s(count)})</strong>' if count else ""
        rows.append(
            f'<tr role="row">\n'
            f'  <th role="rowheader" scope="row"><a href="{source_url(source.slug)}">{escape(source.title)}</a></th>\n'
            f'  <td role="cell" data-label="Publisher">{escape(source.publisher or "Not known")}</td>\n'
            f'  <td role="cell" class="nowrap" data-label="Published">{published}</td>\n'
            f'  <td role="cell" data-label="Story">{story}</td>\n'
            f'  <td role="cell" class="number" data-label="Excerpts">{source.excerpt_count}{dissent}</td>\n'
            f"</tr>"
        )
    return _joined(rows)


def first_move_rows(companies: Iterable[Company]) -> SafeString:
    """The home page's tech companies with a published move: its way in (as classified, or else the
    kind of its first move), that first move (`first_deal_*`) and how well the company is backed."""
    company_url, deal_url = link_by_slug("companies:company_detail"), link_by_slug("companies:deal_detail")
    rows = []
    for company in companies:
        if company.entry_mode:
            mode = escape(ENTRY_MODE_LABELS.get(company.entry_mode, company.entry_mode))
        else:
            first_kind = KIND_LABELS.get(company.first_deal_kind or "", company.first_deal_kind or "")
            mode = f'{escape(first_kind)} <span class="meta">(its first move)</span>' if first_kind else "—"
        name = escape(company.name)
        first = f'<a href="{deal_url(company.first_deal_slug)}">{escape(company.first_deal_title)}</a>'
        if company.first_deal_date:
            date, precision = company.first_deal_date, company.first_deal_date_precision
            first += (
                f' <span class="meta">· <time datetime="{format_partial_date_iso(date, precision)}">'
                f"{escape(format_partial_date_human(date, precision))}</time></span>"
            )
        rows.append(
            f'<tr role="row">\n'
            f'  <th role="rowheader" scope="row"><a href="{company_url(company.slug)}">{name}</a></th>\n'
            f'  <td role="cell" data-label="Way in">{mode}</td>\n'
            f'  <td role="cell" data-label="First move">{first}</td>\n'
            f'  <td role="cell" data-label="Evidence">{evidence(company)}</td>\n'
            f"</tr>"
        )
    return _joined(rows)


def company_links(companies: Iterable[Company]) -> SafeString:
    """Companies as links to their pages, joined by commas (the home page's "mentioned" line)."""
    company_url = link_by_slug("companies:company_detail")
    return mark_safe(  # noqa: S308 (every value escaped)
        ", ".join(f'<a href="{company_url(company.slug)}">{escape(company.name)}</a>' for company in companies)
    )


# How far a deal had got, as the home page's money lines say it: "USD 10 billion announced".
MONEY_STATUS_WORDS = {
    Deal.Status.COMPLETED: "completed",
    Deal.Status.ANNOUNCED: "announced",
    Deal.Status.IN_TALKS: "in talks",
    Deal.Status.RUMOURED: "rumoured",
    Deal.Status.CALLED_OFF: "stalled or called off",
}


def money_items(totals: Iterable) -> SafeString:
    """The home page's disclosed money, one line per status and currency (company_selectors's
    `MoneyTotal`s, completed first): "USD 1.1 billion completed in 4 deals"."""
    lines = []
    for total in totals:
        status = MONEY_STATUS_WORDS.get(total.status, total.status)
        lines.append(
            f'<span class="money-total"><data value="{total.total:f}">'
            f"{escape(money_short(total.total, total.currency))}</data> {escape(status)} "
            f'<span class="meta">in {total.deals} deal{_plural(total.deals)}</span></span>'
        )
    return _joined(lines)
