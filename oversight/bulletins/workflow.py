"""The bulletin's workflow as one table (campaign.lib.transitions): the office writes, approves,
publishes, withdraws (with a reason) and revises; a recipient acknowledges."""

from __future__ import annotations

import enum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.lib.transitions import Transition, TransitionTable
from oversight.bulletins.models import BulletinStatus as S


class Side(enum.StrEnum):
    OFFICE = "office"  # the creation office's reviewers
    RECIPIENT = "recipient"  # the staff of a street or department it is sent to


class Action(enum.StrEnum):
    EDIT = "edit"
    APPROVE = "approve"
    REOPEN = "reopen"
    PUBLISH = "publish"
    WITHDRAW = "withdraw"
    REVISE = "revise"
    ACKNOWLEDGE = "acknowledge"


VERBS = {
    Action.EDIT: gettext_lazy("edited"),
    Action.APPROVE: gettext_lazy("approved"),
    Action.REOPEN: gettext_lazy("taken back to draft"),
    Action.PUBLISH: gettext_lazy("published"),
    Action.WITHDRAW: gettext_lazy("withdrawn"),
    Action.REVISE: gettext_lazy("revised"),
    Action.ACKNOWLEDGE: gettext_lazy("acknowledged"),
}
# The buttons of the bulletin's page.
BUTTONS = {
    Action.APPROVE: gettext_lazy("Approve"),
    Action.REOPEN: gettext_lazy("Back to draft"),
    Action.PUBLISH: gettext_lazy("Publish"),
    Action.WITHDRAW: gettext_lazy("Withdraw"),
    Action.REVISE: gettext_lazy("Revise and re-issue"),
}


def _illegal(action: str, state: str) -> str:
    return _("A bulletin that is %(status)s cannot be %(action)s.") % {
        "status": str(S(state).label).lower(),
        "action": VERBS[Action(action)],
    }


TABLE = TransitionTable(
    {
        Action.EDIT: Transition({S.DRAFT}, None, Side.OFFICE),
        Action.APPROVE: Transition({S.DRAFT}, S.APPROVED, Side.OFFICE),
        Action.REOPEN: Transition({S.APPROVED}, S.DRAFT, Side.OFFICE),
        Action.PUBLISH: Transition({S.APPROVED}, S.PUBLISHED, Side.OFFICE),
        # A withdrawal needs a reason (bulletin_withdraw); every published version is kept.
        Action.WITHDRAW: Transition({S.PUBLISHED}, S.WITHDRAWN, Side.OFFICE),
        # A corrected re-issue: back to a draft, approved and published again as the next version.
        Action.REVISE: Transition({S.PUBLISHED, S.WITHDRAWN}, S.DRAFT, Side.OFFICE),
        Action.ACKNOWLEDGE: Transition({S.PUBLISHED}, None, Side.RECIPIENT),
    },
    illegal=_illegal,
    refusals={
        Side.OFFICE: gettext_lazy("Only the creation office writes, approves and publishes bulletins."),
        Side.RECIPIENT: gettext_lazy("Only the streets and departments a bulletin is sent to acknowledge it."),
    },
)
