"""The bulletins' screens, through the client: who sees which bulletin and who may act, the
office writing and publishing on its pages, bad input answered in words."""

from __future__ import annotations

import pytest
from django.utils.translation import override

from oversight.bulletins.models import Bulletin, BulletinStatus
from oversight.tests.bulletins import draft, people, period, published

URL = "/dashboard/bulletins/"


@pytest.fixture
def who(world, make_user):
    return people(world, make_user)


@pytest.fixture
def get(client, sign_in):
    def fetch(user, path):
        sign_in(client, user)
        return client.get(path)

    return fetch


@pytest.fixture
def post(client, sign_in):
    def send(user, path, data=None):
        sign_in(client, user)
        return client.post(path, data or {})

    return send


def test_the_office_writes_a_draft_edits_approves_and_publishes_it_on_its_pages(
    world, who, post, get, eager, django_capture_on_commit_callbacks
):
    from oversight.rollups import rebuild

    rebuild(world.district, full=True)
    start, end = period(world)
    answer = post(who["office"], f"{URL}new/", {"start": start.strftime("%Y-%m"), "end": end.strftime("%Y-%m")})
    assert answer.status_code == 302, answer.content.decode()[:500]
    bulletin = Bulletin.objects.get()
    editor = get(who["office"], f"{URL}{bulletin.pk}/edit/")
    assert editor.status_code == 200 and 'name="overview"' in editor.content.decode()
    data = {
        "title": "第一季度通报",
        "start": start.strftime("%Y-%m"),
        "end": end.strftime("%Y-%m"),
        "overview": "总体平稳",
        "good_practices": "",
        "problems": "零报送",
        "requirements": "按时报送",
        "recipients": [str(world["A"].pk), str(world["p"].pk)],
    }
    assert post(who["office"], f"{URL}{bulletin.pk}/edit/", data).status_code == 302
    bulletin.refresh_from_db()
    assert bulletin.title == "第一季度通报" and set(bulletin.recipients.values_list("name", flat=True)) == {"A", "p"}
    assert post(who["office"], f"{URL}{bulletin.pk}/do/approve/").status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert post(who["office"], f"{URL}{bulletin.pk}/do/publish/").status_code == 302
    bulletin.refresh_from_db()
    assert bulletin.status == BulletinStatus.PUBLISHED and bulletin.number == 1
    page = get(who["office"], f"{URL}{bulletin.pk}/").content.decode()
    assert 'data-testid="ranking-streets"' in page and 'data-testid="ranking-departments"' in page
    assert "<svg" in page and "第一季度通报" in page and 'data-testid="pdf"' in page


def test_bad_months_are_answered_in_words_and_write_nothing(world, who, post, client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    bad = (("２０２６-01", "2026-03"), ("2026-13", "2026-14"), ("99999999999", "1"), ("2026-05", "2026-01"))
    for start, end in bad:
        answer = post(who["office"], f"{URL}new/", {"start": start, "end": end})
        assert answer.status_code == 200
        text = answer.content.decode()
        assert "Give a month as year-month" in text or "The period ends before it starts" in text, text[-2000:]
    assert not Bulletin.objects.exists()


def test_street_staff_cannot_edit_and_a_leader_cannot_write(world, who, get, post, eager):
    bulletin = draft(world, who["office"])
    for person in ("A", "leader", "p"):
        assert get(who[person], f"{URL}{bulletin.pk}/edit/").status_code in (403, 404)
        assert post(who[person], f"{URL}{bulletin.pk}/do/approve/").status_code in (403, 404)
    assert get(who["leader"], f"{URL}new/").status_code == 403
    assert post(who["leader"], f"{URL}new/", {"start": "2026-01", "end": "2026-01"}).status_code == 403
    bulletin.refresh_from_db()
    assert bulletin.status == BulletinStatus.DRAFT


def test_a_draft_is_the_office_s_alone_and_a_published_one_goes_to_its_recipients_and_leaders(
    world, who, get, post, eager, django_capture_on_commit_callbacks
):
    bulletin = draft(world, who["office"])
    bulletin.recipients.set([world["A"]])
    for person in ("A", "B", "leader", "community"):
        assert get(who[person], f"{URL}{bulletin.pk}/").status_code == 404, person
    services_approve_publish(bulletin, who["office"], django_capture_on_commit_callbacks)
    assert get(who["A"], f"{URL}{bulletin.pk}/").status_code == 200
    assert get(who["leader"], f"{URL}{bulletin.pk}/").status_code == 200, "leaders read"
    assert get(who["B"], f"{URL}{bulletin.pk}/").status_code == 404, "a unit it is not sent to does not see it"
    assert get(who["B"], f"{URL}{bulletin.pk}/v1/pdf/").status_code == 404
    listed_b = get(who["B"], URL).content.decode()
    listed_a = get(who["A"], URL).content.decode()
    assert f"{URL}{bulletin.pk}/" in listed_a and f"{URL}{bulletin.pk}/" not in listed_b
    # A street's staff, a leader: reading is all.
    for person in ("A", "leader"):
        assert post(who[person], f"{URL}{bulletin.pk}/do/withdraw/", {"reason": "x"}).status_code == 403
        assert get(who[person], f"{URL}{bulletin.pk}/edit/").status_code == 403
    assert post(who["leader"], f"{URL}{bulletin.pk}/acknowledge/").status_code == 403
    bulletin.refresh_from_db()
    assert bulletin.status == BulletinStatus.PUBLISHED


def services_approve_publish(bulletin, office, capture):
    from oversight.bulletins import services

    services.bulletin_approve(bulletin=bulletin, by=office)
    with capture(execute=True):
        services.bulletin_publish(bulletin=bulletin, by=office)


def test_a_withdrawal_without_a_reason_is_refused_on_the_page(
    world, who, post, get, eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        bulletin, _version = published(world, who["office"])
    with override("en"):
        answer = post(who["office"], f"{URL}{bulletin.pk}/do/withdraw/", {"reason": "  "})
    assert answer.status_code == 302
    bulletin.refresh_from_db()
    assert bulletin.status == BulletinStatus.PUBLISHED
    assert post(who["office"], f"{URL}{bulletin.pk}/do/withdraw/", {"reason": "数据有误"}).status_code == 302
    bulletin.refresh_from_db()
    assert bulletin.status == BulletinStatus.WITHDRAWN
    page = get(who["A"], f"{URL}{bulletin.pk}/").content.decode()
    assert "数据有误" in page, "its recipients read why it was withdrawn"
