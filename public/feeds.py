"""Atom feed of newly published deals."""

import datetime

from django.contrib.syndication.views import Feed
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from companies.models import Deal, deal_date_order

FEED_SIZE = 50
AUTHOR = "EV Entry Tracker"


class NewDealsFeed(Feed):
    feed_type = Atom1Feed
    title = "EV Entry Tracker: new deals"
    subtitle = "Deals by Chinese tech companies moving into electric vehicles, each backed by archived sources."

    def link(self) -> str:
        return reverse("companies:deal_list")

    def feed_url(self) -> str:
        return reverse("companies:deal_feed")

    # RFC 4287 asks for an author of the feed and of every entry: the tracker writes both.
    author_name = AUTHOR

    def item_author_name(self, deal: Deal) -> str:
        return AUTHOR

    def items(self) -> QuerySet[Deal]:
        # New deals are newly published ones, whenever the deal itself happened or was entered.
        newest = F("first_published_at").desc(nulls_last=True)
        # Deals published together (say, by one import) follow the deal list's date order.
        return Deal.objects.published().order_by(newest, *deal_date_order(newest_first=True))[:FEED_SIZE]

    def item_title(self, deal: Deal) -> str:
        return deal.title

    def item_description(self, deal: Deal) -> str:
        facts = [deal.get_kind_display(), deal.get_status_display()]
        if deal.date:
            facts.append(deal.date_display)
        if deal.amount is not None:
            facts.append(f"{deal.currency} {deal.amount:,.0f}")
        return " · ".join(facts) + (f". {deal.summary}" if deal.summary else ".")

    def item_pubdate(self, deal: Deal) -> datetime.datetime | None:
        """Atom's `published`: when the tracker first published the deal."""
        return deal.first_published_at

    def item_updateddate(self, deal: Deal) -> datetime.datetime | None:
        """Atom's `updated`: when the version now public was published."""
        return deal.last_published_at

    def item_categories(self, deal: Deal) -> list[str]:
        return [deal.get_kind_display()]
