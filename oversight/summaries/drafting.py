"""The narrative's first drafts, written from the year's figures (the dashboard's, for the year):
what the office then edits. Plain sentences in the writer's language; every number is one the
summary's tables print."""

from __future__ import annotations

from django.utils.translation import gettext as _

from oversight.models import Metric
from oversight.selectors import Dashboard
from oversight.summaries.printed import num, rate


def drafted(page: Dashboard, year: int) -> dict[str, str]:
    f = page.figures
    values = {
        "year": year,
        "unit": page.unit.name,
        "found": num(f.count(Metric.HAZARDS_FOUND)),
        "closed": num(f.count(Metric.HAZARDS_CLOSED)),
        "on_time": num(f.count(Metric.HAZARDS_CLOSED_ON_TIME)),
        "closure": rate(f.closure_rate),
        "overdue": num(f.overdue),
        "listed": num(f.listed_major),
        "filing": rate(f.report_rate),
        "timely": rate(f.timely_rate),
        "red": num(f.red),
        "orange": num(f.orange),
    }
    practices = (
        _(
            "In %(year)s %(unit)s found %(found)s hazards and closed %(closed)s, %(on_time)s of them on time; "
            "the closure rate to the year's end was %(closure)s. The risk register held %(red)s major and "
            "%(orange)s significant risks under graded control. Reports were filed at a rate of %(filing)s, "
            "%(timely)s on time."
        )
        % values
    )
    problems_parts = []
    if f.overdue:
        problems_parts.append(_("%(overdue)s hazards were still overdue at the year's end.") % values)
    if f.listed_major:
        problems_parts.append(_("%(listed)s major hazards listed for supervision were not yet closed.") % values)
    if f.report_rate is not None and f.report_rate < 100:
        problems_parts.append(_("Not every report due was filed (filing rate %(filing)s).") % values)
    problems = " ".join(problems_parts) or _("(Write the problems found in the year.)")
    plans = _(
        "Next year: close every overdue hazard and listed major hazard, keep every report on time, "
        "and keep the major and significant risks under control."
    )
    return {"practices": practices, "problems": problems, "plans": plans}
