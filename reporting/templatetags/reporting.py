from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from reporting import selectors

register = template.Library()


@register.filter
def rate(value) -> str:
    """0.875 → 87.5%; None (nothing expected yet) → —."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}".removesuffix(".0") + "%"


@register.simple_tag
def cell_url(cell) -> str:
    """Where a calendar cell leads: its report, or the list of its reports when there are several."""
    if cell.link:
        return reverse("submission_detail", args=[cell.link])
    if cell.filed > 1 or cell.state == selectors.CellState.RETURNED:
        return reverse("submission_list") + "?" + urlencode({"unit": cell.unit.pk, "period": cell.period.pk})
    return ""


PENDING_MARK = '<span class="pending-mark" aria-hidden="true">◷</span><span class="visually-hidden">（%(text)s）</span>'


@register.simple_tag
def pending_mark() -> str:
    """The mark of a cell awaiting review: a clock a person sees, words a screen reader says."""
    return mark_safe(PENDING_MARK % {"text": escape(_("awaiting review"))})  # noqa: S308 (escaped)


@register.filter
def by_year(cells) -> list[tuple[str, list]]:
    """A row's cells grouped by the year of their period, in order: (year, cells). A period
    whose key names no year (the whole campaign) keeps an empty year."""
    groups: list[tuple[str, list]] = []
    for cell in cells:
        key = cell.period.key
        year = key[:4] if key[:4].isdigit() else ""
        if groups and groups[-1][0] == year:
            groups[-1][1].append(cell)
        else:
            groups.append((year, [cell]))
    return groups


@register.simple_tag
def calendar_cells(row) -> str:
    """A calendar row's cells as table cells, built here rather than by a template include per
    cell: 180 units × 24 months is 4,320 cells, and an include each costs a second."""
    labels = {state: escape(str(label)) for state, label in selectors.CellState.LABELS.items()}
    pending, accepted = escape(_("awaiting review")), escape(_("accepted"))
    # Awaiting review is a dashed border and, for whoever cannot see it, a mark and words.
    pending_mark = PENDING_MARK % {"text": pending}
    # Reversed once per row with a placeholder pk, completed per cell.
    detail = reverse("submission_detail", args=[0]).removesuffix("0/")
    listing = reverse("submission_list") + "?"
    unit = escape(row.unit.name)
    parts = []
    for cell in row.cells:
        if cell.link:
            href = f' href="{detail}{cell.link}/"'
        elif cell.filed > 1 or cell.state == selectors.CellState.RETURNED:
            href = f' href="{listing}{escape(urlencode({"unit": cell.unit.pk, "period": cell.period.pk}))}"'
        else:
            href = ""
        waiting = cell.filed and not cell.accepted
        note = f" · {pending}" if waiting else f" · {accepted}" if cell.accepted else ""
        text = "—" if cell.state == selectors.CellState.NOT_OWED else labels[cell.state]
        if cell.filed > 1:
            text += f" ×{cell.filed}"
        if waiting:
            text += pending_mark
        tag = "a" if href else "span"
        parts.append(
            f'<td class="text-center" data-period="{escape(cell.period.key)}"><{tag}{href} '
            f'class="report-cell state-{cell.state}{" pending" if waiting else ""}" data-state="{cell.state}"'
            f'{" data-accepted" if cell.accepted else ""} title="{unit} · {escape(cell.period.label)} · '
            f'{labels[cell.state]}{note}">{text}</{tag}></td>'
        )
    return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped)


@register.inclusion_tag("reporting/_tabs.html", takes_context=True)
def reporting_tabs(context, active: str):
    user = context["request"].user
    return {"active": active, "files": bool(selectors.own_units(user))}
