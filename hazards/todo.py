"""The hazards on a person's home page (campaign.lib.todo): what waits for them to assign,
rectify or verify, and what was sent back; a leader's overview of the ledger. Each count is
the row count of the hazard list its link opens."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from campaign.lib.todo import Item
from hazards import selectors
from hazards.models import Status


def _list(**params) -> str:
    return f"{reverse('hazard_list')}?{urlencode(params)}"


def tasks(user) -> list[Item]:
    counts = selectors.todo_counts(user)
    return [
        Item(
            "hazards_returned",
            _("Rectifications returned to you"),
            counts["returned"],
            _list(queue="rectify", returned="true"),
            urgent=True,
        ),
        Item(
            "hazards_rectify_overdue",
            _("Hazards to rectify, past their deadline"),
            counts["rectify_overdue"],
            _list(queue="rectify", overdue="true"),
            urgent=True,
        ),
        Item("hazards_assign", _("Hazards to assign"), counts["assign"], _list(queue="assign")),
        Item("hazards_rectify", _("Hazards to rectify"), counts["rectify"], _list(queue="rectify")),
        Item("hazards_verify", _("Hazards to verify"), counts["verify"], _list(queue="verify")),
    ]


def overview(user) -> list[Item]:
    counts = selectors.overview_counts(user)
    return [
        Item("hazards_overdue", _("Overdue hazards"), counts["overdue"], _list(queue="overdue"), urgent=True),
        Item("hazards_major", _("Open major hazards"), counts["major"], _list(queue="major")),
        Item("hazards_reported", _("Hazards not yet assigned"), counts["reported"], _list(status=Status.REPORTED)),
        Item(
            "hazards_awaiting_verification",
            _("Hazards awaiting verification"),
            counts["awaiting_verification"],
            _list(status=Status.AWAITING_VERIFICATION),
        ),
    ]
