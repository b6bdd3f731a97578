"""Atom feed of newly published deals."""

import datetime

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from companies.models import Deal

FEED_SIZE = 50


class NewDealsFeed(Feed):
    feed_type = Atom1Feed
    title = "EV Entry Tracker: new deals"
    subtitle = "Deals by Chinese tech companies moving into electric vehicles, each backed by archived sources."

    def link(self) -> str:
        return reverse("companies:deal_list")

    def feed_url(self) -> str:
        return reverse("companies:deal_feed")

    def items(self) -> QuerySet[Deal]:
        # The model records when a deal was created, not when it was published; see README.
        return Deal.objects.published().order_by("-created_at", "-pk")[:FEED_SIZE]

    def item_title(self, deal: Deal) -> str:
        return deal.title

    def item_description(self, deal: Deal) -> str:
        facts = [deal.get_kind_display(), deal.get_status_display()]
        if deal.date:
            facts.append(deal.date_display)
        if deal.amount is not None:
            facts.append(f"{deal.currency} {deal.amount:,.0f}")
        return " · ".join(facts) + (f". {deal.summary}" if deal.summary else ".")

    def item_pubdate(self, deal: Deal) -> datetime.datetime:
        return deal.created_at

    def item_updateddate(self, deal: Deal) -> datetime.datetime:
        return deal.updated_at

    def item_categories(self, deal: Deal) -> list[str]:
        return [deal.get_kind_display()]
