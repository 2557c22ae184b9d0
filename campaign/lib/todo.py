"""What a person must do today, as their home page lists it.

The home page sits in campaign, below reporting; the work sits in risks, hazards and
reporting. So each app that holds work registers, when it is loaded, a provider of its
items: the home page asks every provider and knows none of them. A provider counts
through its app's scoping selectors, so an item never reaches beyond what its reader
may see, and its link opens the list that shows exactly the rows counted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    key: str  # a stable name, e.g. "hazards_rectify": the page marks the item with it
    label: str
    count: int
    url: str
    urgent: bool = False  # overdue or sent back: listed first, in red


Provider = Callable[[object], Iterable[Item]]


@dataclass(frozen=True)
class _Registration:
    order: int
    tasks: Provider
    overview: Provider


_providers: dict[str, _Registration] = {}


def register(name: str, *, order: int, tasks: Provider, overview: Provider) -> None:
    """Add an app's providers: `tasks(user)` for someone who acts, `overview(user)` for a
    read-only leader; the page lists apps by `order`. Registering a name again replaces it
    (an app's ready() may run twice)."""
    _providers[name] = _Registration(order, tasks, overview)


def _registered() -> list[_Registration]:
    return sorted(_providers.values(), key=lambda reg: reg.order)


def tasks_for(user) -> list[Item]:
    """Every item with something in it, the urgent ones first, otherwise in the apps' order
    (reports, hazards, risks: the day's deadlines before the standing work)."""
    items = [item for reg in _registered() for item in reg.tasks(user) if item.count]
    return sorted(items, key=lambda item: not item.urgent)


def overview_for(user) -> list[Item]:
    """Every overview item, zeros included: a leader reads a nought as news too."""
    return [item for reg in _registered() for item in reg.overview(user)]
