"""Links on a record's page to what a higher app made of it: a hazard's page shows the assessment
finding that raised it, though hazards never import assessments.

The page asks the registry (`links_for(user, record)`); an app above registers, in its
AppConfig.ready, a provider for a kind of record (as campaign.lib.cards does for the home page).
A provider keeps to its reader's scope: it returns only links to what the user may open.
A reverse relation read in the hazard's template would also work, but it would make the hazards'
template name the assessments' URLs and show a finding to anyone who sees the hazard.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class BackLink:
    label: str  # what it is: "督查评估发现问题"
    text: str  # which one: the run and the item
    url: str
    note: str = ""


Provider = Callable[[object, object], Sequence[BackLink]]

_providers: dict[str, dict[str, Provider]] = {}


def register(model_label: str, name: str, provider: Provider) -> None:
    """Add `provider(user, record)` for records of `model_label` ("hazards.hazard"). Registering
    a name again replaces it (an app's ready() may run twice)."""
    _providers.setdefault(model_label.lower(), {})[name] = provider


def links_for(user, record) -> list[BackLink]:
    providers = _providers.get(record._meta.label_lower, {})
    return [link for name in sorted(providers) for link in providers[name](user, record)]
