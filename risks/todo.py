"""The risk reviews on a person's home page (campaign.lib.todo): overdue and due soon, of the
risks they keep; a leader's overview of every risk they see. Each count is the row count of
the risk list its link opens."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from campaign.lib.todo import Item
from risks import selectors
from risks.models import REVIEW_DUE_WITHIN_DAYS


def _list(**params) -> str:
    return f"{reverse('risk_list')}?{urlencode(params)}"


def _items(counts) -> list[Item]:
    return [
        Item("risks_review_overdue", _("Risk reviews overdue"), counts["overdue"], _list(overdue="true"), urgent=True),
        Item(
            "risks_review_due",
            _("Risk reviews due within %(days)s days") % {"days": REVIEW_DUE_WITHIN_DAYS},
            counts["due"],
            _list(review_due="true"),
        ),
    ]


def tasks(user) -> list[Item]:
    return _items(selectors.review_counts(user))


def overview(user) -> list[Item]:
    return _items(selectors.review_counts(user, overview=True))
