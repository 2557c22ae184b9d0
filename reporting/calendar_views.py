"""The reporting calendar (units × periods, with completeness and timeliness), a
unit's own page of what it owes, and the compilation of a period's accepted
reports for the leading group, as a printable page and as a workbook."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from campaign.lib.params import query_int
from campaign.lib.xlsx.files import write_xlsx, xlsx_response
from reporting import selectors
from reporting.models import ReportType
from reporting.selectors import CellState


def _campaign(request, campaigns):
    """The campaign asked for, else the one running today, else the latest."""
    by_pk = {str(c.pk): c for c in campaigns}
    if request.GET.get("campaign") in by_pk:
        return by_pk[request.GET["campaign"]]
    return selectors.default_campaign(campaigns)


def _report_type(request, types: list[ReportType]) -> ReportType:
    return next((t for t in types if t.code == request.GET.get("type")), types[0])


def _context(request):
    """Campaign and report type from the query, or PermissionDenied for a user who reads no reports."""
    if selectors.report_scope(request.user).is_empty:
        raise PermissionDenied(_("You may not read reports."))
    campaigns = selectors.campaigns_for(request.user)
    types = list(ReportType.objects.all())
    if not campaigns or not types:
        return None
    return {
        "campaigns": campaigns,
        "campaign": _campaign(request, campaigns),
        "types": types,
        "report_type": _report_type(request, types),
        "today": timezone.localdate(),
        "states": CellState.LABELS.items(),
    }


@login_required
@require_GET
def report_calendar(request):
    context = _context(request)
    if context is None:
        return render(request, "reporting/calendar.html", {"tab": "calendar"})
    campaign, types, today = context["campaign"], context["types"], context["today"]
    years = list(range(campaign.starts_on.year, campaign.ends_on.year + 1))
    year = query_int(request, "year")
    year = year if year in years else None
    shown = selectors.calendar(campaign, types, context["report_type"], today=today, user=request.user, year=year)
    return render(
        request,
        "reporting/calendar.html",
        {**context, "tab": "calendar", "grid": shown.grid, "summary": shown.totals, "years": years, "year": year},
    )


@login_required
@require_GET
def my_reports(request):
    """A street's or department's own page: what it owes, by when, and how it stands."""
    context = _context(request) or {}
    types = context.get("types", [])
    kinds = {k for t in types for k in t.filer_kinds}
    units = [u for u in selectors.own_units(request.user) if u.kind in kinds]
    if not units or "campaign" not in context:
        return render(request, "reporting/my_reports.html", {**context, "tab": "mine", "units": units})
    unit = next((u for u in units if str(u.pk) == request.GET.get("unit")), units[0])
    campaign, today = context["campaign"], context["today"]
    grids = [g for g in selectors.grids(campaign, types, today=today, units=[unit]) if g.rows]
    drafts = {}
    for draft in selectors.drafts_of(request.user, unit, campaign):
        drafts.setdefault(draft.period_id, []).append(draft)
    todo = [
        (cell, drafts.get(cell.period.pk, []), (cell.period.due_on - today).days, (today - cell.period.due_on).days)
        for cell in selectors.todo_cells(grids, today)
    ]
    return render(
        request,
        "reporting/my_reports.html",
        {**context, "tab": "mine", "units": units, "unit": unit, "grids": grids, "todo": todo, "drafts": drafts},
    )


def _compilation(request):
    context = _context(request)
    if context is None:
        return None
    campaign, report_type, today = context["campaign"], context["report_type"], context["today"]
    grid = selectors.grids(campaign, [report_type], today=today, user=request.user)[0]
    periods = grid.periods
    chosen = next((p for p in periods if str(p.pk) == request.GET.get("period")), None)
    if chosen is None:
        closed = [p for p in periods if p.due_on < today]
        chosen = closed[-1] if closed else periods[0]
    column = periods.index(chosen)
    cells = [row.cells[column] for row in grid.rows]
    return {
        **context,
        "tab": "compile",
        "periods": periods,
        "period": chosen,
        "tally": grid.columns[column],
        "submissions": selectors.compilation(request.user, chosen),
        "not_filed": [c.unit for c in cells if c.state in (CellState.MISSING, CellState.RETURNED)],
        "awaiting": sum(1 for c in cells if c.filed and not c.accepted),
    }


@login_required
@require_GET
def report_compilation(request):
    context = _compilation(request)
    return render(request, "reporting/compilation.html", context or {"tab": "compile"})


@login_required
@require_GET
def report_compilation_xlsx(request):
    context = _compilation(request)
    if context is None:
        raise PermissionDenied(_("There is nothing to compile."))
    period = context["period"]
    headers = [
        _("Serial no."),
        _("Unit"),
        _("Title"),
        _("Text"),
        _("First submitted"),
        _("On time"),
        _("Accepted by"),
        _("Accepted on"),
        _("Attachments"),
    ]
    rows = [
        [
            n,
            s.unit.name,
            s.title,
            s.body,
            timezone.localtime(s.first_submitted_at).strftime("%Y-%m-%d %H:%M"),
            _("Late") if s.is_late else _("On time"),
            str(s.reviewed_by or ""),
            timezone.localtime(s.reviewed_at).strftime("%Y-%m-%d") if s.reviewed_at else "",
            "、".join(a.original_name for a in s.attachments.all()),
        ]
        for n, s in enumerate(context["submissions"], start=1)
    ]
    title = f"{period.report_type} {period.label}"
    content = write_xlsx([(title, headers, rows)])
    return xlsx_response(content, f"reports-{period.report_type.code}-{period.key}.xlsx")
