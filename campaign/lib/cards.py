"""The figures a person's home page shows above their to-do list, and where their dashboards are.

The home page and the menu sit in campaign; the figures are counted in oversight, above it.
So oversight registers, when it is loaded, a provider of card sets and of dashboard links: the
home page and the menu ask the registry and know no app above them (as campaign.lib.todo does
for the to-do list). A provider keeps to its reader's scope and links every card to the page
that shows what it counted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Card:
    key: str  # a stable name, e.g. "hazards_overdue": the page marks the card with it
    label: str
    value: str  # as shown: "85.7%", "12", "—" (no denominator), "数据缺失"
    url: str = ""  # the list or page behind the figure; "" when there is none
    note: str = ""  # a line under the figure: its terms, the target, the period
    tone: str = ""  # "", "danger", "warning" or "success": how the figure reads
    links: Sequence[Link] = ()  # further lists behind parts of the figure (red, orange)


@dataclass(frozen=True)
class CardSet:
    """One scope's cards: a district, a street, a sector, an inspection team's streets."""

    key: str
    title: str
    cards: Sequence[Card]
    url: str = ""  # the full dashboard
    as_of: str = ""  # "数据截至 14:05", or why there are no figures yet
    notes: Sequence[str] = field(default_factory=tuple)


CardProvider = Callable[[object], Sequence[CardSet]]
LinkProvider = Callable[[object], Link | None]


@dataclass(frozen=True)
class _Registration:
    order: int
    cards: CardProvider
    link: LinkProvider | None


_providers: dict[str, _Registration] = {}


def register(name: str, *, order: int, cards: CardProvider, link: LinkProvider | None = None) -> None:
    """Add an app's providers: `cards(user)` → the card sets of the user's own scope (none: an
    empty list); `link(user)` → the menu's link to the user's dashboard, or None when they have
    none. Registering a name again replaces it (an app's ready() may run twice)."""
    _providers[name] = _Registration(order, cards, link)


def _registered() -> list[_Registration]:
    return sorted(_providers.values(), key=lambda reg: reg.order)


def card_sets_for(user) -> list[CardSet]:
    return [card_set for reg in _registered() for card_set in reg.cards(user)]


def links_for(user) -> list[Link]:
    links = (reg.link(user) for reg in _registered() if reg.link is not None)
    return [link for link in links if link is not None]
