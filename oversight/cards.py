"""The dashboard's cards (报送率, 及时率, 整改率, overdue hazards, listed major hazards, red and
orange risks, each target), for its page and for the home page (campaign.lib.cards).

Each card links to the record list that shows what it counted, filtered the way the rollup
counted it: the hazards placed under the unit (its whole subtree), of the sector chosen,
overdue by hazards.models.overdue_q, or open and listed for supervision; the active risks of a
level. A stock is a count at the period's end, so only the running period's (today's) links to
a list: a past month's figure is not what the list shows today.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from campaign.lib.cards import Card, CardSet, Link
from oversight.selectors import Dashboard, Figures
from risks.models import Level

DASH = "—"


def show_rate(value) -> str:
    return DASH if value is None else f"{value}%"


def show_change(value) -> str:
    """A target's change against the baseline: −45.0%, +3.2%."""
    if value is None:
        return DASH
    return f"{'−' if value < 0 else '+' if value > 0 else ''}{abs(value)}%"


def as_of(page: Dashboard) -> str:
    """数据截至 HH:MM (with the day when it is not today), or why there are no figures."""
    if page.campaign is None:
        return _("No campaign: no figures.")
    if page.built_at is None:
        return _("The figures have not been built yet.")
    built = timezone.localtime(page.built_at)
    if built.date() == timezone.localdate():
        return _("Figures as of %(time)s") % {"time": built.strftime("%H:%M")}
    return _("Figures as of %(time)s") % {"time": f"{date_format(built.date(), 'DATE_FORMAT')} {built:%H:%M}"}


def _list(name: str, **params) -> str:
    return f"{reverse(name)}?{urlencode({k: v for k, v in params.items() if v is not None})}"


def record_filters(page: Dashboard) -> dict | None:
    """The filters of the record lists that show what the page counted: the page's place and its
    sector. None when no list shows the same: a past period, or several sectors that a list
    cannot choose at once."""
    if not page.is_running:
        return None
    if page.sector is None and not page.every_sector and len(page.sectors) > 1:
        return None
    params = {"sector": page.sector.pk if page.sector else None}
    if len(page.roots) == 1:
        params["unit"] = page.roots[0].pk
    # An inspection team's streets: its list, unfiltered, holds exactly the hazards of the units
    # assigned to it (a hazard's responsible unit is its place or above it).
    return params


def hazard_list_url(page: Dashboard, **params) -> str:
    filters = record_filters(page)
    return "" if filters is None else _list("hazard_list", **filters, **params)


def risk_list_url(page: Dashboard, level: str) -> str:
    filters = record_filters(page)
    return "" if filters is None else _list("risk_list", **filters, level=level, status="active")


def cards_of(page: Dashboard) -> list[Card]:
    built = page.has_figures
    f: Figures = page.figures
    cards = []

    def value(text: str) -> str:
        return text if built else DASH

    if page.shows_reports:
        expected, filed, on_time = f.count("reports_expected"), f.count("reports_filed"), f.count("reports_on_time")
        calendar = _list("report_calendar", year=page.period.start.year) if page.period else ""
        none_due = _("No report fell due in this period")
        cards += [
            Card(
                "report_rate",
                _("Filing rate"),
                value(show_rate(f.report_rate)),
                calendar,
                _("%(filed)s of %(expected)s reports filed") % {"filed": filed, "expected": expected}
                if built and expected
                else none_due
                if built
                else "",
            ),
            Card(
                "timely_rate",
                _("On-time rate"),
                value(show_rate(f.timely_rate)),
                calendar,
                _("%(on_time)s of %(expected)s filed on time") % {"on_time": on_time, "expected": expected}
                if built and expected
                else none_due
                if built
                else "",
            ),
        ]
    if page.sectors or page.every_sector:
        found, closed = f.count("hazards_found_to_date"), f.count("hazards_closed_to_date")
        red, orange = f.red, f.orange
        cards += [
            Card(
                "closure_rate",
                _("Closure rate"),
                value(show_rate(f.closure_rate)),
                hazard_list_url(page, status="closed"),
                _("%(closed)s of %(found)s hazards closed") % {"closed": closed, "found": found} if built else "",
            ),
            Card(
                "hazards_overdue",
                _("Overdue hazards"),
                value(str(f.overdue)),
                hazard_list_url(page, overdue="true"),
                tone="danger" if built and f.overdue else "",
            ),
            Card(
                "major_hazards_listed",
                _("Major hazards listed for supervision"),
                value(str(f.listed_major)),
                hazard_list_url(page, listed="true"),
                tone="warning" if built and f.listed_major else "",
            ),
            Card(
                "red_orange_risks",
                _("Red and orange risks"),
                value(str(red + orange)),
                "",  # two lists, one a level: the links below
                _("red %(red)s · orange %(orange)s") % {"red": red, "orange": orange} if built else "",
                tone="danger" if built and red else "",
                links=tuple(
                    Link(label, url)
                    for label, url in (
                        (_("Red: %(n)s") % {"n": red}, risk_list_url(page, Level.MAJOR)),
                        (_("Orange: %(n)s") % {"n": orange}, risk_list_url(page, Level.SIGNIFICANT)),
                    )
                    if url and built
                ),
            ),
        ]
    cards += [_target_card(progress) for progress in page.targets]
    return cards


def _target_card(progress) -> Card:
    """A target's card: the change against the baseline year (a reduction target) or the count
    (a ceiling: no serious accident), judged met or not; 数据缺失 and what is missing."""
    target = progress.target
    reduction = target.kind == target.Kind.REDUCTION
    notes = [_("Target: %(target)s") % {"target": target.describe()}]
    if progress.missing:
        shown = _("Data missing")
        notes.append(_("Missing: %(what)s") % {"what": "、".join(progress.missing)})
    elif reduction:
        shown = show_change(progress.change)
        if progress.year:
            notes.append(
                _("%(year)s against %(baseline)s") % {"year": progress.year, "baseline": progress.baseline_year}
            )
    else:
        shown = DASH if progress.actual is None else f"{progress.actual.normalize():f}"
    notes.append({True: _("met"), False: _("not met"), None: ""}[progress.met])
    return Card(
        f"target_{target.indicator}",
        target.get_indicator_display(),
        shown,
        note=" · ".join(note for note in notes if note),
        tone={True: "success", False: "danger", None: ""}[progress.met],
    )


def card_set(page: Dashboard, url: str) -> CardSet:
    title = page.unit.name
    if page.kind == "department" and page.sector is not None:
        title = f"{page.unit.name} · {page.sector.display_name}"
    period = page.period.label if page.period else ""
    return CardSet(
        key=f"{page.kind}-{page.unit.pk}",
        title=title,
        cards=cards_of(page),
        url=url,
        as_of=as_of(page),
        notes=(period,) if period else (),
    )


# ------------------------------------------------------------------------------------------ home page

HOME_LENSES = 3  # a person of many memberships sees the first three; the picker has the rest


def home_card_sets(user) -> list[CardSet]:
    """campaign.lib.cards provider: the cards of each of the person's dashboards (the widest
    first), for the home page."""
    from oversight.readers import lenses_for
    from oversight.selectors import dashboard_for

    sets = []
    for lens in lenses_for(user)[:HOME_LENSES]:
        page = dashboard_for(user, lens.unit.pk, cards_only=True, unit=lens.unit)
        sets.append(card_set(page, lens.url))
    return sets


def dashboard_link(user) -> Link | None:
    """campaign.lib.cards provider: the menu's 数据看板, for a person who has a dashboard."""
    from oversight.readers import lenses_for

    return Link(_("Dashboard"), reverse("oversight:dashboard")) if lenses_for(user) else None
