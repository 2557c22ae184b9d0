"""Making a version of an annual summary: the job (kind "annual_summary"), the PDF and the xlsx.

The job locks its summary (two jobs of one summary run one after the other), builds the contents
section by section (its progress: one step a section, then the PDF and the workbook), and keeps
the version with both files and their sha256, all in the job's one transaction: a worker killed
mid-way leaves no version and the earlier ones as they were. When the figures, the narrative and
the language are those of the latest version, no version is made (the report names the latest):
two jobs started at once make one version, never a half-written one.
"""

from __future__ import annotations

import io
import time
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from campaign.lib.pdf import cn_date, page_count, render_pdf
from districts.models import OrgUnit
from jobs.models import Job
from jobs.registry import JobFailed, JobKind, register
from oversight.bulletins.snapshot import canonical, digest, sha256
from oversight.summaries import contents as contents_module
from oversight.summaries.models import READER_ROLES, AnnualSummary, SummaryVersion
from oversight.summaries.services import KIND

PDF_TEMPLATE = "oversight/summary_pdf.html"
STEPS = len(contents_module.SECTION_KEYS) + 2  # the sections, the PDF, the workbook


def issuer_of(unit: OrgUnit) -> str:
    if unit.kind == OrgUnit.Kind.DISTRICT:
        office = OrgUnit.objects.filter(parent=unit, kind=OrgUnit.Kind.OFFICE).first()
        if office is not None:
            from hazards.notices import official_name

            return official_name(office)
    return unit.name


def title_of(summary: AnnualSummary) -> str:
    return _("%(unit)s %(year)s summary of the creation work") % {"unit": summary.unit.name, "year": summary.year}


def _made_on(day) -> str:
    """The cover's date: 2026年12月3日 in Chinese (公文), 3 December 2026 in English."""
    if (get_language() or "").startswith("zh"):
        return cn_date(day)
    return date_format(day, "j F Y")


def render(contents, narrative: dict, made_at) -> bytes:
    return render_pdf(
        PDF_TEMPLATE,
        {
            "contents": contents,
            "title": title_of(contents.summary),
            "issuer": issuer_of(contents.unit),
            "made_on": _made_on(timezone.localdate(made_at)),
            "narrative": [
                (_("Main work and results"), narrative["practices"]),
                (_("Problems"), narrative["problems"]),
                (_("Plans for next year"), narrative["plans"]),
            ],
        },
    )


def workbook(contents) -> bytes:
    """Every table of the summary as a sheet of one xlsx workbook, numbers as numbers, each list
    of records whole (the PDF prints its first rows). Written as it goes (openpyxl's write-only
    mode): a city's lists run to tens of thousands of rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    used = set()
    for table in contents.tables:
        name = table.title[:31].translate(str.maketrans("[]:*?/\\", "（）：＊？／＼"))
        while name in used:
            name = f"{name[:28]}_{len(used)}"
        used.add(name)
        sheet = book.create_sheet(name)
        header = []
        for title in table.headers:
            cell = WriteOnlyCell(sheet, value=title)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in table.rows:
            sheet.append([_cell(value, i in table.numeric) for i, value in enumerate(row)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: str, numeric: bool):
    if not numeric:
        return value
    plain = value.replace(",", "").rstrip("%")
    try:
        return int(plain)
    except ValueError:
        try:
            return float(plain)
        except ValueError:
            return value


def _figures(snapshot: dict) -> dict:
    """The snapshot but the time its figures were built: a rebuild of the same records (the
    demo loaded again, the nightly full rebuild) changes nothing a version prints."""
    return {key: value for key, value in snapshot.items() if key != "figures_built_at"}


def _run(job: Job, prepared, progress) -> dict:
    started = time.perf_counter()
    summary = (
        AnnualSummary.objects.select_for_update(of=("self",))
        .select_related("unit__parent")
        .filter(pk=job.params.get("summary"))
        .first()
    )
    if summary is None:
        raise JobFailed(_("The summary of this job no longer exists."))
    if job.started_by is None:
        raise JobFailed(_("The summary's maker is no longer known."))
    progress.start(STEPS)
    try:
        contents = contents_module.build(summary, job.started_by, step=progress)
    except Exception as error:  # a year the rollups no longer hold: say so on the job's page
        from django.core.exceptions import ValidationError

        if isinstance(error, ValidationError):
            raise JobFailed(" ".join(error.messages)) from None
        raise
    snapshot = contents.snapshot()
    narrative = summary.narrative
    language = get_language() or ""
    snapshot_sha = digest(snapshot)
    latest = summary.versions.order_by("-version").first()
    if (
        latest is not None
        and canonical(_figures(latest.snapshot)) == canonical(_figures(snapshot))
        and latest.narrative == narrative
        and latest.language == language
    ):
        return {"summary": summary.pk, "version": latest.version, "unchanged": True}
    made_at = timezone.now()
    pdf = render(contents, narrative, made_at)
    progress(STEPS - 1)
    xlsx = workbook(contents)
    progress(STEPS)
    number = (summary.versions.aggregate(n=Max("version"))["n"] or 0) + 1
    version = SummaryVersion(
        summary=summary,
        version=number,
        language=language,
        narrative=narrative,
        snapshot=snapshot,
        snapshot_sha256=snapshot_sha,
        figures_built_at=contents.built_at,
        pdf_sha256=sha256(pdf),
        pdf_pages=page_count(pdf),
        xlsx_sha256=sha256(xlsx),
        made_by=job.started_by,
        made_at=made_at,
        job_id=job.pk,
    )
    stem = f"{summary.unit.code}-{summary.year}-v{number}"
    version.pdf.save(f"{stem}-{version.pdf_sha256[:12]}.pdf", ContentFile(pdf), save=False)
    version.xlsx.save(f"{stem}-{version.xlsx_sha256[:12]}.xlsx", ContentFile(xlsx), save=False)
    # A Decimal of two places: a rounded float still has more, and full_clean() refuses it.
    version.seconds = Decimal(f"{time.perf_counter() - started:.2f}")
    version.full_clean()
    version.save()
    return {"summary": summary.pk, "version": number, "pages": version.pdf_pages, "sha256": version.pdf_sha256}


def _visible_to(user) -> Q:
    from districts.scoping import scope_for

    scope = scope_for(user, READER_ROLES).units_only()
    if scope.is_empty:
        return Q(pk__in=[])
    units = OrgUnit.objects.filter(kind__in=(OrgUnit.Kind.DISTRICT, OrgUnit.Kind.STREET)).in_scope(scope)
    return Q(unit_id__in=list(units.values_list("pk", flat=True)))


def _page(request, job: Job):
    from oversight.summaries.views import job_page

    return job_page(request, job)


LABEL = gettext_lazy("Annual summary PDF")
ANNUAL_SUMMARY = register(JobKind(name=KIND, label=LABEL, run=_run, visible_to=_visible_to, page=_page))
