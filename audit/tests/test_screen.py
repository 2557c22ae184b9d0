"""The audit administrator's screen: search, one row's changes field by field, export; read-only,
and the audit administrator's alone."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEvent
from districts.models import Role
from districts.second_factor import force_login_verified
from districts.tests.factories import SiteFactory

pytestmark = pytest.mark.django_db

WULIN, TIANSHUI, DISTRICT = "330103002", "330103003", "330103"


@pytest.fixture
def auditor(client, plan, unit, make_user):
    user = make_user(Role.AUDIT_ADMIN, unit(DISTRICT), username="auditor")
    force_login_verified(client, user)
    return user


@pytest.fixture
def trail(plan, unit, make_user):
    """Two clerks' sign-ins and a site renamed in Wulin."""
    wang = make_user(Role.STREET_STAFF, unit(WULIN), username="wang")
    li = make_user(Role.STREET_STAFF, unit(TIANSHUI), username="li")
    for user in (wang, li):
        AuditEvent.objects.create(kind=AuditEvent.Kind.SIGN_IN, user=user, username=user.username, ip="10.1.1.1")
    site = SiteFactory(name="老名字", unit=unit(WULIN))
    site.name = "新名字"
    site._history_user = wang
    site.save()
    return {"wang": wang, "li": li, "site": site}


def test_the_auditor_finds_events_by_user_kind_unit_and_date(client, auditor, trail, unit):
    url = reverse("audit_events")
    html = client.get(url, {"user": "wang", "kind": "sign_in"}).content.decode()
    assert "10.1.1.1" in html and ">wang<" in html and ">li<" not in html

    by_unit = client.get(url, {"unit": unit(WULIN).pk, "kind": "write"}).content.decode()
    assert "新名字" in by_unit
    assert "新名字" not in client.get(url, {"unit": unit(TIANSHUI).pk, "kind": "write"}).content.decode()

    before_2000 = client.get(url, {"user": "wang", "until": "2000-01-01"}).content.decode()
    assert ">wang<" not in before_2000.split('data-testid="audit-table"')[1].split("</table>")[0]
    # Strange input is a filter that matches nothing or is ignored, never an error.
    for strange in ({"unit": "²"}, {"since": "not a date"}, {"kind": "nope"}, {"q": "①"}):
        assert client.get(url, strange).status_code == 200


def test_one_event_shows_each_changed_field_before_and_after(client, auditor, trail):
    site = trail["site"]
    event = AuditEvent.objects.get(kind="write", action="update", object_id=str(site.pk), changes__has_key="name")
    html = client.get(reverse("audit_event", args=[event.pk])).content.decode()
    assert 'data-testid="audit-changes"' in html
    assert "老名字" in html and "新名字" in html
    assert "名称" in html  # the field's own label, in Chinese


def test_the_export_is_a_real_workbook_of_what_was_found_and_is_itself_audited(client, auditor, trail):
    response = client.get(reverse("audit_export"), {"user": "wang"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("时间", "类型", "操作", "用户名")
    assert {row[3] for row in rows[1:]} == {"wang"}
    assert AuditEvent.objects.filter(kind="export", user=auditor, detail__view="audit_export").exists()


@pytest.mark.parametrize(
    "role, unit_code",
    [
        (Role.SYSTEM_ADMIN, DISTRICT),
        (Role.SECURITY_ADMIN, DISTRICT),
        (Role.REVIEWER, "330103-CJB"),
        (Role.LEADER, "330103-LDXZ"),
        (Role.STREET_STAFF, WULIN),
    ],
)
def test_no_one_but_the_audit_admin_reads_the_trail(client, plan, unit, make_user, role, unit_code, trail):
    force_login_verified(client, make_user(role, unit(unit_code)))
    event = AuditEvent.objects.first()
    for url in (reverse("audit_events"), reverse("audit_event", args=[event.pk]), reverse("audit_export")):
        assert client.get(url).status_code == 403


def test_the_screen_changes_nothing_posts_are_refused(client, auditor, trail):
    event = AuditEvent.objects.first()
    count = AuditEvent.objects.count()
    for url in (reverse("audit_events"), reverse("audit_event", args=[event.pk]), reverse("audit_export")):
        assert client.post(url, {"username": "x"}).status_code == 405
    assert AuditEvent.objects.get(pk=event.pk).username == event.username
    # Each refused post is itself in the trail.
    assert AuditEvent.objects.count() == count + 3
