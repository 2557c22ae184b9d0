"""Bulletins (通报): a draft pre-filled from its period's ranking, moved only as the workflow
table allows, numbered per office and year at publication, its ranking frozen with its hash,
its page and PDF unchanged by later data, each version kept, acknowledged by its recipients."""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import override

from campaign.lib.transitions import IllegalTransition, NotOnSide
from jobs.models import Job
from oversight.bulletins import documents, services, snapshot
from oversight.bulletins.models import Acknowledgement, Bulletin, BulletinSeries, BulletinStatus, BulletinVersion
from oversight.ranking import Ranking, RankRow, ranking
from oversight.rollups import rebuild
from oversight.tests.bulletins import draft, overdue_major, pdf_text, people, period, published, some_hazards


@pytest.fixture
def who(world, make_user):
    return people(world, make_user)


def _row(name, kind="street", **figures) -> RankRow:
    values = {
        "unit_id": abs(hash(name)) % 10_000,
        "unit_name": name,
        "unit_kind": kind,
        "reports_expected": 3,
        "reports_filed": 3,
        "reports_on_time": 2,
        "filing_rate": Decimal("100.0"),
        "on_time_rate": Decimal("66.7"),
        "adopted": 0,
        "adoption_points": Decimal("0"),
        "hazards_found": 0,
        "hazards_closed_on_time": 0,
        "hazards_overdue": 0,
        "major_hazards_listed_open": 0,
        "closure_rate": None,
        "assessment_score": None,
        "vetoed": False,
        "total": Decimal("80"),
        "rank": 1,
    }
    return RankRow(**{**values, **figures})


# ---------------------------------------------------------------- the draft's text


def test_a_draft_names_the_units_at_100_percent_on_time_with_zero_reports_and_with_listed_majors_open():
    ranked = Ranking(
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 3, 31),
        streets=[
            _row("武林街道", reports_on_time=3, on_time_rate=Decimal("100.0")),
            _row("天水街道", reports_filed=0, reports_on_time=0, filing_rate=Decimal("0.0")),
            _row("长庆街道", major_hazards_listed_open=2, hazards_overdue=3),
        ],
        departments=[_row("区消防救援大队", kind="department", reports_expected=0, reports_filed=0, reports_on_time=0)],
        weights={"filing": "1"},
    )
    with override("en"):
        text = snapshot.prefilled(ranked, "2026-01 to 2026-03")
    assert "武林街道" in text["good_practices"] and "天水街道" not in text["good_practices"]
    zero, major = text["problems"].splitlines()
    assert zero.startswith("Units with zero reports") and "天水街道" in zero and "武林街道" not in zero
    assert "长庆街道（2）" in major
    # A department that owed nothing is neither at 100 % nor at zero.
    assert "区消防救援大队" not in text["good_practices"] + text["problems"]
    assert "8 of 9 filed" not in text["overview"] and "6 of 9 filed" in text["overview"]


def test_a_new_draft_is_written_from_the_period_s_ranking_and_sent_to_every_street_and_department(world, who):
    overdue_major(world, "b1")
    with override("en"):
        bulletin = draft(world, who["office"])
    assert bulletin.status == BulletinStatus.DRAFT and bulletin.number is None
    assert "B（1）" in bulletin.problems, "street B's overdue listed major hazard is named"
    names = set(bulletin.recipients.values_list("name", flat=True))
    assert names == {"A", "B", "p", "q"}
    assert bulletin.history.filter(history_change_reason="create").exists()


def test_a_period_is_whole_months_within_the_campaign(world, who):
    start, end = period(world)
    for bad in ((start + datetime.timedelta(days=1), end), (start, end - datetime.timedelta(days=1)), (end, start)):
        with pytest.raises(ValidationError):
            services.bulletin_create(by=who["office"], campaign=world.campaign, start=bad[0], end=bad[1])
    assert not Bulletin.objects.exists()


# ---------------------------------------------------------------- the workflow


def test_moves_the_workflow_does_not_allow_are_refused(world, who, eager, django_capture_on_commit_callbacks):
    office = who["office"]
    bulletin = draft(world, office)
    with pytest.raises(IllegalTransition):
        services.bulletin_publish(bulletin=bulletin, by=office)  # not approved yet
    with pytest.raises(IllegalTransition):
        services.bulletin_withdraw(bulletin=bulletin, by=office, reason="错")
    services.bulletin_approve(bulletin=bulletin, by=office)
    with pytest.raises(IllegalTransition):
        services.bulletin_save(bulletin=bulletin, by=office, title="改")  # approved: back to draft first
    with django_capture_on_commit_callbacks(execute=True):
        services.bulletin_publish(bulletin=bulletin, by=office)
    with pytest.raises(IllegalTransition):
        services.bulletin_approve(bulletin=bulletin, by=office)
    with pytest.raises(IllegalTransition):
        services.bulletin_publish(bulletin=bulletin, by=office)
    bulletin.refresh_from_db()
    assert bulletin.status == BulletinStatus.PUBLISHED and bulletin.versions.count() == 1


def test_a_withdrawal_needs_a_reason_and_keeps_the_version(world, who, eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        bulletin, version = published(world, who["office"])
    for reason in ("", "   "):
        with pytest.raises(ValidationError):
            services.bulletin_withdraw(bulletin=bulletin, by=who["office"], reason=reason)
    bulletin.refresh_from_db()
    assert bulletin.status == BulletinStatus.PUBLISHED
    services.bulletin_withdraw(bulletin=bulletin, by=who["office"], reason="数据有误")
    bulletin.refresh_from_db()
    version.refresh_from_db()
    assert bulletin.status == BulletinStatus.WITHDRAWN and bulletin.withdrawal_reason == "数据有误"
    assert version.withdrawn_at is not None and version.pdf_sha256


def test_only_the_office_writes_approves_and_publishes(world, who):
    bulletin = draft(world, who["office"])
    for person in ("leader", "A", "p"):
        with pytest.raises(PermissionDenied):
            services.bulletin_approve(bulletin=bulletin, by=who[person])
        with pytest.raises(PermissionDenied):
            services.bulletin_save(bulletin=bulletin, by=who[person], title="改")
    with pytest.raises(NotOnSide):
        services.bulletin_create(by=who["leader"], campaign=world.campaign, start=bulletin.period_start,
                                 end=bulletin.period_end)


# ---------------------------------------------------------------- publication


def test_publication_numbers_per_office_and_year_and_freezes_the_ranking_with_its_hash(
    world, who, eager, django_capture_on_commit_callbacks
):
    some_hazards(world, "a1", 2)
    with django_capture_on_commit_callbacks(execute=True):
        first, v1 = published(world, who["office"])
        second, v2 = published(world, who["office"], first=1, last=1)
    year = timezone.localdate().year
    assert (first.year, first.number, second.number) == (year, 1, 2)
    # No prefix set: the district's first character and the office's name (下城区 + 区创建办 → 下创建办).
    assert v1.document_number == f"测office〔{year}〕1号"
    assert v2.document_number.endswith(f"〔{year}〕2号")
    expected = snapshot.freeze(ranking(campaign=world.campaign, start=first.period_start, end=first.period_end))
    v1.refresh_from_db()
    assert v1.snapshot == expected and v1.snapshot_sha256 == hashlib.sha256(snapshot.canonical(expected)).hexdigest()
    street_a = next(row for row in v1.snapshot["streets"] if row["unit_name"] == "A")
    assert street_a["hazards_found"] == 2
    assert v1.snapshot["weights"] and v1.snapshot["departments"], "weights kept, departments in their own table"
    assert {row["unit_kind"] for row in v1.snapshot["streets"]} == {"street"}


def test_the_office_s_own_prefix_numbers_its_bulletins(world, who, eager, django_capture_on_commit_callbacks):
    BulletinSeries.objects.create(office=world["office"], prefix="下创建办")
    with django_capture_on_commit_callbacks(execute=True):
        _bulletin, version = published(world, who["office"])
    assert version.document_number == f"下创建办〔{timezone.localdate().year}〕1号"


def test_the_published_pdf_and_page_do_not_change_when_the_data_do(
    world, who, eager, django_capture_on_commit_callbacks, client, sign_in, tmp_path
):
    some_hazards(world, "a1", 2)
    with django_capture_on_commit_callbacks(execute=True):
        bulletin, version = published(world, who["office"])
    version.refresh_from_db()
    job = Job.objects.get(kind="bulletin_pdf")
    assert job.state == Job.State.DONE and job.report["sha256"] == version.pdf_sha256
    stored = version.pdf.read()
    assert hashlib.sha256(stored).hexdigest() == version.pdf_sha256 and version.pdf_pages >= 1
    text_before = pdf_text(stored, tmp_path)

    # The data change: three more hazards in street A in the period, counted again.
    some_hazards(world, "a2", 3)
    rebuild(world.district, full=True)
    live = ranking(campaign=world.campaign, start=bulletin.period_start, end=bulletin.period_end)
    assert next(r for r in live.streets if r.unit_name == "A").hazards_found == 5

    version.refresh_from_db()
    assert hashlib.sha256(version.pdf.read()).hexdigest() == version.pdf_sha256, "the stored PDF is the same"
    again = documents.render_version_pdf(version)
    if text_before is not None:
        assert pdf_text(again, tmp_path) == text_before, "rendered again, it still reads the snapshot"
        live_version = BulletinVersion(**{**_fields(version), "snapshot": snapshot.freeze(live)})
        assert pdf_text(documents.render_version_pdf(live_version), tmp_path) != text_before
    sign_in(client, who["A"])
    page = client.get(f"/dashboard/bulletins/{bulletin.pk}/").content.decode()
    row = page.split("<th scope=\"row\" class=\"text-nowrap\">A</th>", 1)[1].split("</tr>", 1)[0]
    cells = [c.split("</td>")[0] for c in row.split('<td class="num">')[1:]]
    assert cells[4] == "2", f"the page shows the frozen count of hazards found, not 5: {cells}"
    response = client.get(f"/dashboard/bulletins/{bulletin.pk}/v1/pdf/")
    assert response.status_code == 200 and hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == (
        version.pdf_sha256
    )


def _fields(version):
    return {f.name: getattr(version, f.name) for f in BulletinVersion._meta.concrete_fields if f.name != "id"}


def test_a_re_issue_keeps_the_number_and_every_earlier_version_with_its_pdf(
    world, who, eager, django_capture_on_commit_callbacks
):
    office = who["office"]
    with django_capture_on_commit_callbacks(execute=True):
        bulletin, v1 = published(world, office)
    services.bulletin_withdraw(bulletin=bulletin, by=office, reason="数据更正")
    services.bulletin_revise(bulletin=bulletin, by=office)
    services.bulletin_save(bulletin=bulletin, by=office, title="更正后的通报")
    services.bulletin_approve(bulletin=bulletin, by=office)
    with django_capture_on_commit_callbacks(execute=True):
        v2 = services.bulletin_publish(bulletin=bulletin, by=office)
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.version, v2.version) == (1, 2)
    assert v1.document_number == v2.document_number, "a re-issue keeps its number"
    assert v1.title != v2.title and v1.pdf and v2.pdf and v1.pdf.name != v2.pdf.name
    assert v1.pdf_sha256 == hashlib.sha256(v1.pdf.read()).hexdigest()
    assert v1.withdrawn_at and not v2.withdrawn_at


# ---------------------------------------------------------------- acknowledgement


def test_a_recipient_acknowledges_once_and_the_office_sees_who_has_not(
    world, who, eager, django_capture_on_commit_callbacks, client, sign_in
):
    with django_capture_on_commit_callbacks(execute=True):
        bulletin, version = published(world, who["office"])
    sign_in(client, who["A"])
    page = client.get(f"/dashboard/bulletins/{bulletin.pk}/").content.decode()
    assert f"/dashboard/bulletins/{bulletin.pk}/acknowledge/" in page
    for _twice in range(2):
        assert client.post(f"/dashboard/bulletins/{bulletin.pk}/acknowledge/").status_code == 302
    ack = Acknowledgement.objects.get()
    assert (ack.unit, ack.by, ack.version) == (world["A"], who["A"], version)
    page = client.get(f"/dashboard/bulletins/{bulletin.pk}/").content.decode()
    assert 'data-testid="acknowledged-mine"' in page and "/acknowledge/" not in page
    assert client.get(f"/dashboard/bulletins/{bulletin.pk}/acknowledgements/").status_code == 403

    sign_in(client, who["office"])
    page = client.get(f"/dashboard/bulletins/{bulletin.pk}/acknowledgements/").content.decode()
    not_yet = page.split('data-testid="not-acknowledged"', 1)[1].split("</ul>", 1)[0]
    done = page.split('data-testid="acknowledged"', 1)[1].split("</ul>", 1)[0]
    assert all(f">{name}</li>" in not_yet for name in ("B", "p", "q")) and ">A <" not in not_yet
    assert "A <span" in done
    # The office acknowledges for nobody.
    with pytest.raises(PermissionDenied):
        services.bulletin_acknowledge(bulletin=bulletin, by=who["office"])


def test_only_the_district_s_system_administrators_set_the_office_s_prefix(world, who, make_user):
    from districts.models import Role

    admin = make_user(Role.SYSTEM_ADMIN, world.district)
    with pytest.raises(PermissionDenied):
        services.bulletin_series_save(by=who["office"], series=BulletinSeries(office=world["office"], prefix="测创办"))
    with pytest.raises(ValidationError):
        services.bulletin_series_save(by=admin, series=BulletinSeries(office=world["office"], prefix="测创办〔2026〕"))
    services.bulletin_series_save(by=admin, series=BulletinSeries(office=world["office"], prefix="测创办"))
    assert services.prefix_for(world["office"]) == "测创办"
