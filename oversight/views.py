"""The dashboards: a reader's own (`/dashboard/`) and any unit's within their scope
(`/dashboard/unit/<pk>/`), with `?sector=<id>` and `?period=<granularity>:<YYYY-MM-DD>`."""

from __future__ import annotations

import functools
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign.lib.params import parse_int
from districts.models import OrgUnit
from districts.scoping import scope_for
from oversight import charts, selectors
from oversight.cards import DASH, as_of, card_set, hazard_list_url, show_rate
from oversight.job_kinds import REBUILDER_ROLES, rollups_start
from oversight.models import Granularity
from oversight.periods import Calendar
from oversight.readers import ReaderKind, lenses_for
from oversight.summaries.selectors import reads_summaries


def _no_dashboard() -> str:
    return _(
        "You have no dashboard: it is for the district, streets, communities, lead departments and inspection teams."
    )


def page_url(unit: OrgUnit, sector=None, period=None) -> str:
    """A unit's dashboard page with the sector and period chosen (None: the page's default)."""
    params = {}
    if sector is not None:
        params["sector"] = sector.pk
    if period is not None:
        params["period"] = period.param
    url = reverse("oversight:unit", args=[unit.pk])
    return f"{url}?{urlencode(params)}" if params else url


def can_rebuild(user, district: OrgUnit) -> bool:
    """Whether the button to rebuild the district's figures shows: for its creation office and
    administrators (oversight.job_kinds.REBUILDER_ROLES), from their scope, without a query."""
    return scope_for(user, REBUILDER_ROLES).covers(district)


@login_required
def dashboard(request):
    """The reader's own dashboard: the first of theirs (the widest), with a picker of the others."""
    lenses = lenses_for(request.user)
    if not lenses:
        raise PermissionDenied(_no_dashboard())
    return _render(request, lenses[0].unit.pk, lenses)


@login_required
def unit_dashboard(request, pk):
    return _render(request, pk, lenses_for(request.user))


def _render(request, pk, lenses):
    page = selectors.dashboard_for(
        request.user,
        pk,
        sector=request.GET.get("sector"),
        period=request.GET.get("period"),
        url_for=page_url,
    )
    own = page_url(page.unit, page.sector, _chosen(page))
    # The children's reports are ranked where the page shows them (not a department's sector page).
    reports_ranked = page.shows_reports and page.kind != ReaderKind.DEPARTMENT
    ranks = [(key, label) for key, label in _rank_choices() if key != "timely" or reports_ranked]
    rank = request.GET.get("rank")
    if rank not in {key for key, _label in ranks}:  # 及时率 where there is one to rank by, else 整改率
        timely = reports_ranked and any(row.figures.timely_rate is not None for row in page.children)
        rank = "timely" if timely else "closure"
    query = request.GET.copy()
    query.pop("rank", None)
    context = {
        "page": page,
        "breadcrumbs": [(unit, page_url(unit, page.sector, _chosen(page))) for unit in page.breadcrumbs],
        "cards": card_set(page, own),
        "as_of": as_of(page),
        "lenses": lenses if len(lenses) > 1 else [],
        "periods": _period_choices(page),
        "chosen_period": page.period.param if page.period else "",
        "charts": charts.section(page),
        "overdue_url": hazard_list_url(page, overdue="true"),
        "can_rebuild": can_rebuild(request.user, page.district),
        "can_summarise": reads_summaries(request.user),
        "ranking": _ranking(selectors.ranked(page.children, rank)) if page.has_figures else [],
        "ranking_title": _ranking_title(page),
        "ranking_reports": reports_ranked,
        "rank": rank,
        "rank_choices": ranks,
        "rank_query": f"{query.urlencode()}&" if query else "",
        "departments": _departments(selectors.ranked(page.departments, rank)) if page.has_figures else [],
    }
    return render(request, "oversight/dashboard.html", context)


def _ranking(ranked: list[tuple[int, selectors.Row]]) -> list[tuple]:
    """The ranking table's rows as the cells show them: (place, unit id, name, link, 报送率,
    及时率, 整改率, overdue, listed major, red, orange), each figure worked out once."""
    table = []
    for place, row in ranked:
        f = row.figures
        rates = (show_rate(f.report_rate), show_rate(f.timely_rate), show_rate(f.closure_rate))
        table.append((place, row.unit.pk, row.unit.name, row.url, *rates, f.overdue, f.listed_major, f.red, f.orange))
    return table


def _departments(ranked: list[tuple[int, selectors.Row]]) -> list[tuple]:
    """The departments' table rows: (place, unit id, name, link, the sectors it leads, 报送率,
    及时率, 整改率, overdue); a department that leads no sector has no hazard figure (—)."""
    table = []
    for place, row in ranked:
        f = row.figures
        led = "、".join(sector.display_name for sector in row.sectors) or DASH
        reports = (show_rate(f.report_rate), show_rate(f.timely_rate))
        hazards = (show_rate(f.closure_rate), f.overdue) if row.sectors else (DASH, DASH)
        table.append((place, row.unit.pk, row.unit.name, row.url, led, *reports, *hazards))
    return table


def _rank_choices() -> list[tuple[str, str]]:
    return [("timely", _("On-time rate")), ("closure", _("Closure rate")), ("overdue", _("Overdue hazards"))]


def _ranking_title(page) -> str:
    kind = page.child_kind
    if kind == OrgUnit.Kind.STREET:
        return _("Streets ranked")
    if kind == OrgUnit.Kind.COMMUNITY:
        return _("Communities ranked")
    return _("Units ranked")


def _chosen(page):
    """The period when it is not the default one (the default needs no parameter)."""
    if page.period is None or page.calendar is None or page.period == page.calendar.default:
        return None
    return page.period


def _period_choices(page) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """The picker's periods, grouped by kind, the latest first, each as (parameter, name)."""
    if page.calendar is None:
        return ()
    calendar = page.calendar
    return _period_options(calendar.first, calendar.last, calendar.spans, get_language())


@functools.lru_cache(maxsize=128)
def _period_options(first, last, spans, language: str):
    """The periods of the months `first` to `last` that the campaigns' `spans` cover, named in
    `language`: the same for every page of a district's calendar, so named once (some thirty
    dates formatted on every request else)."""
    calendar = Calendar(first, last, today=last, spans=spans)
    with override(language):
        return tuple(
            (label, tuple((period.param, period.label) for period in calendar.periods(granularity)))
            for granularity, label in (
                (Granularity.MONTH, _("Months")),
                (Granularity.QUARTER, _("Quarters")),
                (Granularity.YEAR, _("Years")),
            )
        )


@login_required
@require_POST
def rebuild(request):
    """Start the rollups' rebuild for the district now, and watch it on its job page."""
    district_pk = parse_int(request.POST.get("district"), maximum=selectors.MAX_ID)
    district = OrgUnit.objects.filter(pk=district_pk, kind=OrgUnit.Kind.DISTRICT).first() if district_pk else None
    if district is None:
        raise Http404
    job = rollups_start(district=district, by=request.user)  # refuses anyone else (PermissionDenied)
    messages.info(request, _("The figures are being rebuilt; this page shows when they are done."))
    return redirect("job_detail", pk=job.pk)
