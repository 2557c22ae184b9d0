"""Writes of oversight's own settings: the weights of a campaign's ranking (oversight.ranking).
Through this service whoever writes them (the office's screen, the admin), with history."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from campaign.lib.history import save_with_history
from campaign.models import Campaign
from districts.models import User
from districts.scoping import scope_for
from oversight.models import DEFAULT_WEIGHTS, RankingWeights
from reporting.models import REVIEWER_ROLES


def may_set_weights(user: User, campaign: Campaign) -> bool:
    """The creation office of the campaign's district."""
    return scope_for(user, REVIEWER_ROLES).units_only().covers(campaign.district)


@transaction.atomic
def ranking_weights_set(*, by: User, campaign: Campaign, **weights) -> RankingWeights:
    """Set some or all of the campaign's ranking weights (names as in DEFAULT_WEIGHTS); the rest
    keep their value. A name it does not know is refused, not dropped."""
    if not may_set_weights(by, campaign):
        raise PermissionDenied(_("Only the creation office sets the weights of the ranking."))
    unknown = sorted(set(weights) - set(DEFAULT_WEIGHTS))
    if unknown:
        raise ValidationError(_("Unknown weights: %(names)s.") % {"names": ", ".join(unknown)})
    row = RankingWeights.objects.select_for_update().filter(campaign=campaign).first()
    row = row or RankingWeights(campaign=campaign, **DEFAULT_WEIGHTS)
    errors = {}
    for name, value in weights.items():
        try:
            setattr(row, name, Decimal(str(value)))
        except (InvalidOperation, ValueError):
            errors[name] = _("Enter a number.")
    if errors:
        raise ValidationError(errors)
    return save_with_history(row, by)
