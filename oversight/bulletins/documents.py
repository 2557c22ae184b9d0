"""A bulletin version as a document: the one context its page and its PDF are rendered from
(templates/oversight/bulletin_document.html, included by the page and by the PDF), read from its
snapshot only; the PDF rendered by a job (kind "bulletin_pdf") and stored with its sha256."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.lib.pdf import cn_date, page_count, render_pdf
from districts.models import OrgUnit
from jobs.models import Job
from jobs.registry import JobFailed, JobKind, register
from jobs.services import job_start
from oversight.bulletins import snapshot
from oversight.bulletins.models import OFFICE_ROLES, BulletinVersion
from oversight.charts import ranking_chart

KIND = "bulletin_pdf"
PDF_TEMPLATE = "oversight/bulletin_pdf.html"
DASH = "—"


def _rate(value) -> str:
    return DASH if value is None else f"{value}%"


def _points(value) -> str:
    return DASH if value is None else str(value)


def table_rows(rows: list[dict]) -> list[list[str]]:
    """A ranking table's cells as the page and the PDF print them."""
    return [
        [
            str(row["rank"]),
            row["unit_name"],
            f"{row['reports_filed']}/{row['reports_expected']}",
            _rate(row["filing_rate"]),
            _rate(row["on_time_rate"]),
            f"{row['adopted']} ({row['adoption_points']})",
            str(row["hazards_found"]),
            str(row["hazards_closed_on_time"]),
            str(row["hazards_overdue"]),
            _rate(row["closure_rate"]),
            _points(row["assessment_score"]) + (f" {_('vetoed')}" if row["vetoed"] else ""),
            str(row["total"]),
        ]
        for row in rows
    ]


def table_headers() -> list[str]:
    return [
        _("Rank"),
        _("Unit"),
        _("Reports filed"),
        _("Filing rate"),
        _("On-time rate"),
        _("Adopted (points)"),
        _("Hazards found"),
        _("Closed on time"),
        _("Overdue"),
        _("Closure rate"),
        _("Assessment score"),
        _("Total"),
    ]


def issuer_name(office: OrgUnit) -> str:
    from hazards.notices import official_name

    return official_name(office)


def context(version: BulletinVersion, *, printed: bool) -> dict:
    """What the page and the PDF of `version` show: its text and its snapshot, nothing live."""
    frozen = version.snapshot
    tables = []
    for key, title in (("streets", _("Streets")), ("departments", _("Departments"))):
        rows = frozen.get(key) or []
        if not rows:
            continue
        tables.append(
            {
                "key": key,
                "title": title,
                "rows": table_rows(rows),
                "chart": ranking_chart(rows, title=_("%(units)s ranked by weighted total") % {"units": title}),
            }
        )
    return {
        "version": version,
        "bulletin": version.bulletin,
        "issuer": issuer_name(version.bulletin.office),
        "document_number": version.document_number,
        "published_on": cn_date(version.published_at.date()),
        "sections": [
            (_("Overall situation"), version.sections.get("overview", "")),
            (_("Good practices"), version.sections.get("good_practices", "")),
            (_("Problems found"), version.sections.get("problems", "")),
            (_("Next steps required"), version.sections.get("requirements", "")),
        ],
        "headers": table_headers(),
        "tables": tables,
        "weights": sorted(frozen.get("weights", {}).items()),
        "printed": printed,
        "snapshot_intact": snapshot.digest(frozen) == version.snapshot_sha256,
    }


def render_version_pdf(version: BulletinVersion) -> bytes:
    return render_pdf(PDF_TEMPLATE, context(version, printed=True))


def store_pdf(version: BulletinVersion, content: bytes) -> BulletinVersion:
    """Keep the rendered PDF of `version` with its hash and pages; a version's PDF, once kept,
    is never rendered again (a second run of the job finds it there)."""
    name = f"{version.bulletin_id}-v{version.version}.pdf"
    version.pdf.save(name, ContentFile(content), save=False)
    version.pdf_sha256 = snapshot.sha256(content)
    version.pdf_pages = page_count(content)
    version._change_reason = "pdf"
    version.save(update_fields=["pdf", "pdf_sha256", "pdf_pages"])
    return version


def pdf_start(*, version: BulletinVersion, by) -> Job:
    return job_start(kind=KIND, by=by, params={"version": version.pk}, unit_id=version.bulletin.office_id)


def _run(job: Job, prepared, progress) -> dict:
    version = (
        BulletinVersion.objects.select_for_update(of=("self",))
        .select_related("bulletin__office__parent")
        .filter(pk=job.params.get("version"))
        .first()
    )
    if version is None:
        raise JobFailed(_("The bulletin version of this PDF no longer exists."))
    progress.start(1)
    if not version.pdf_sha256:
        store_pdf(version, render_version_pdf(version))
    return {"version": version.pk, "pages": version.pdf_pages, "sha256": version.pdf_sha256}


def _visible_to(user) -> Q:
    from districts.scoping import scope_for

    scope = scope_for(user, OFFICE_ROLES)
    offices = OrgUnit.objects.filter(kind=OrgUnit.Kind.OFFICE).in_scope(scope) if not scope.is_empty else []
    return Q(unit_id__in=[u.pk for u in offices])


LABEL = gettext_lazy("Bulletin PDF")
BULLETIN_PDF = register(JobKind(name=KIND, label=LABEL, run=_run, visible_to=_visible_to))
