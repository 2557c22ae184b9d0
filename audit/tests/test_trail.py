"""The audit trail: every kind of event leaves one row naming who, from where and what,
and no one can change or remove a row."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from audit.tasks import prune_audit_trail
from districts.models import Membership, Role, Site
from districts.policy import current_policy
from districts.second_factor import force_login_verified
from districts.tests.factories import SiteFactory

pytestmark = pytest.mark.django_db

WULIN, TIANSHUI, DISTRICT = "330103002", "330103003", "330103"
Kind = AuditEvent.Kind
ADDRESS = "10.20.30.40"


def only(kind, **filters) -> AuditEvent:
    rows = list(AuditEvent.objects.filter(kind=kind, **filters))
    assert len(rows) == 1, [str(r) for r in rows]
    return rows[0]


def test_a_change_through_a_form_names_who_from_where_the_unit_and_each_field(client, plan, unit, make_user):
    site = SiteFactory(name="老名字", unit=unit(WULIN))
    clerk = make_user(Role.STREET_STAFF, unit(WULIN))
    force_login_verified(client, clerk)
    data = {k: v for k, v in model_to_dict(site, fields=Site.EDITABLE_FIELDS).items() if v is not None}
    data["name"] = "新名字"
    response = client.post(reverse("site_edit", args=[site.pk]), data, REMOTE_ADDR=ADDRESS)
    assert response.status_code == 302

    event = only(Kind.WRITE, action="update", object_id=str(site.pk))
    assert (event.user, event.username, event.ip, event.unit) == (clerk, clerk.username, ADDRESS, unit(WULIN))
    assert event.content_type == ContentType.objects.get_for_model(Site)
    assert event.changes == {"name": ["老名字", "新名字"]}
    assert event.path == reverse("site_edit", args=[site.pk]) and event.method == "POST"


def test_a_creation_lists_what_it_set_and_a_role_change_is_filed_as_one(plan, unit, make_user):
    user = make_user(Role.STREET_STAFF, unit(WULIN))
    membership = Membership.objects.get(user=user)
    event = only(Kind.ROLE_CHANGE, action="create", object_id=str(membership.pk))
    assert event.changes["role"] == [None, Role.STREET_STAFF]
    assert event.unit == unit(WULIN)


def test_rows_written_in_bulk_are_in_the_trail_with_their_changes(plan, unit, make_user):
    from campaign.lib.history import bulk_create_with_history, bulk_update_with_history

    admin = make_user(Role.SYSTEM_ADMIN, unit(DISTRICT))
    sites = [SiteFactory.build(unit=unit(WULIN)) for _ in range(3)]
    created = bulk_create_with_history(sites, Site, default_user=admin)
    assert AuditEvent.objects.filter(kind=Kind.WRITE, action="create", user=admin).count() == 3
    for site in created:
        site.name = site.name + "（改）"
    bulk_update_with_history(created, Site, ["name"], default_user=admin)
    updates = AuditEvent.objects.filter(kind=Kind.WRITE, action="update", user=admin)
    assert updates.count() == 3
    first = updates.get(object_id=str(created[0].pk))
    assert first.changes == {"name": [created[0].name.removesuffix("（改）"), created[0].name]}
    assert first.unit == unit(WULIN)


def test_sign_in_sign_out_and_failures_are_kept_after_a_later_success(client, plan, unit, make_user):
    user = make_user(Role.STREET_STAFF, unit(WULIN), username="wang", password="Correct-horse-2026")
    login = reverse("login")
    client.post(login, {"username": "wang", "password": "wrong"}, REMOTE_ADDR=ADDRESS)
    client.post(login, {"username": "nobody", "password": "wrong"}, REMOTE_ADDR=ADDRESS)
    client.post(login, {"username": "wang", "password": "Correct-horse-2026"}, REMOTE_ADDR=ADDRESS)
    client.post(reverse("logout"), REMOTE_ADDR=ADDRESS)

    failed = AuditEvent.objects.filter(kind=Kind.SIGN_IN_FAILED).order_by("id")
    assert [(e.username, e.user, e.ip) for e in failed] == [("wang", user, ADDRESS), ("nobody", None, ADDRESS)]
    # The lockout counter of wang was reset by the success; the trail was not.
    assert not AccessAttempt.objects.filter(username="wang").exists()
    assert only(Kind.SIGN_IN).user == user and only(Kind.SIGN_IN).ip == ADDRESS
    assert only(Kind.SIGN_OUT).user == user


def test_a_lockout_and_the_security_admins_unlock_are_recorded(client, settings, plan, unit, make_user):
    make_user(Role.STREET_STAFF, unit(WULIN), username="wang")
    for _ in range(current_policy().lockout_failure_limit):
        client.post(reverse("login"), {"username": "wang", "password": "wrong"}, REMOTE_ADDR=ADDRESS)
    assert only(Kind.LOCKOUT).username == "wang"

    security = make_user(Role.SECURITY_ADMIN, unit(DISTRICT))
    force_login_verified(client, security)
    from audit.recorder import current_request

    class Request:
        user = security
        method = "POST"
        META = {"REMOTE_ADDR": "10.0.0.9"}

        def get_full_path(self):
            return "/admin/axes/accessattempt/"

    token = current_request.set(Request())
    try:
        AccessAttempt.objects.filter(username="wang").delete()
    finally:
        current_request.reset(token)
    unlock = only(Kind.UNLOCK)
    assert (unlock.user, unlock.detail["username"]) == (security, "wang")


def test_another_units_object_answers_404_and_the_refusal_is_recorded(client, plan, unit, make_user):
    site = SiteFactory(unit=unit(TIANSHUI))
    clerk = make_user(Role.STREET_STAFF, unit(WULIN))
    force_login_verified(client, clerk)
    assert client.get(reverse("site_detail", args=[site.pk]), REMOTE_ADDR=ADDRESS).status_code == 404
    event = only(Kind.DENIED)
    assert (event.user, event.ip, event.detail["status"]) == (clerk, ADDRESS, 404)
    assert event.detail["kwargs"] == {"pk": str(site.pk)}


def test_a_mistyped_address_is_not_taken_for_a_refusal(client, plan, unit, make_user):
    client.force_login(make_user(Role.STREET_STAFF, unit(WULIN)))
    assert client.get("/no-such-page/").status_code == 404
    assert client.get("/favicon.ico").status_code == 404
    assert not AuditEvent.objects.filter(kind=Kind.DENIED).exists()


def test_an_export_is_recorded_with_who_and_what(client, plan, unit, make_user):
    SiteFactory(unit=unit(WULIN))
    clerk = make_user(Role.STREET_STAFF, unit(WULIN))
    force_login_verified(client, clerk)
    response = client.get(reverse("export_sites"), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200
    event = only(Kind.EXPORT)
    assert (event.user, event.ip, event.detail["view"]) == (clerk, ADDRESS, "export_sites")
    assert "spreadsheetml" in event.detail["content_type"]


def test_an_admin_action_and_a_password_change_are_recorded(plan, unit, make_user):
    admin = make_user(Role.SYSTEM_ADMIN, unit(DISTRICT))
    site = SiteFactory(unit=unit(WULIN))
    LogEntry.objects.log_actions(admin.pk, [site], CHANGE, change_message="改了名称")
    event = only(Kind.ADMIN_ACTION)
    assert (event.user, event.object_id, event.action) == (admin, str(site.pk), "update")

    admin.set_password("Another-secret-2026")
    admin.save()
    change = only(Kind.PASSWORD_CHANGE)
    assert change.object_id == str(admin.pk)


def test_a_security_event_told_by_a_screen_is_recorded(plan, unit, make_user):
    from campaign.lib.signals import tell

    user = make_user(Role.STREET_STAFF, unit(WULIN))
    tell("otp_failed", user=user, detail={"attempts": 3})
    assert only(Kind.OTP_FAILED).detail == {"attempts": 3}
    with pytest.raises(ValueError):
        tell("made_up_kind", user=user)


def test_no_one_changes_or_deletes_an_audit_row_through_the_model(plan, unit, make_user):
    make_user(Role.STREET_STAFF, unit(WULIN))
    event = AuditEvent.objects.first()
    before = event.username
    event.username = "someone else"
    with pytest.raises(PermissionDenied):
        event.save()
    with pytest.raises(PermissionDenied):
        event.delete()
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.filter(pk=event.pk).update(username="x")
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).username == before


postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")


@postgres_only
def test_the_database_refuses_update_and_delete_of_audit_and_history_rows(plan, unit, make_user):
    make_user(Role.STREET_STAFF, unit(WULIN))
    event = AuditEvent.objects.first()
    history = Site.history.model._meta.db_table
    SiteFactory(unit=unit(WULIN))
    statements = [
        ("UPDATE audit_auditevent SET username = 'x' WHERE id = %s", [event.pk]),
        ("DELETE FROM audit_auditevent WHERE id = %s", [event.pk]),
        (f"UPDATE {history} SET name = 'x'", []),  # noqa: S608
        (f"DELETE FROM {history}", []),  # noqa: S608
    ]
    for sql, params in statements:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@postgres_only
def test_pruning_removes_only_rows_past_the_retention_and_says_so(settings, plan, unit, make_user):
    settings.AUDIT_RETENTION_DAYS = 200
    now = timezone.now()
    old = AuditEvent.objects.create(kind=Kind.SIGN_IN, username="old", at=now - datetime.timedelta(days=201))
    young = AuditEvent.objects.create(kind=Kind.SIGN_IN, username="young", at=now - datetime.timedelta(days=190))
    # Whatever anyone tells it, the database keeps every row younger than 184 days.
    recent = AuditEvent.objects.create(kind=Kind.SIGN_IN, username="recent", at=now - datetime.timedelta(days=100))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [recent.pk])

    assert prune_audit_trail() == 1
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=young.pk).exists()
    pruned = only(Kind.PRUNE)
    assert pruned.detail["deleted"] == 1 and pruned.detail["days"] == 200


def test_pruning_never_goes_below_184_days(settings, plan):
    settings.AUDIT_RETENTION_DAYS = 10  # a bad value that slipped past settings
    young = AuditEvent.objects.create(kind=Kind.SIGN_IN, at=timezone.now() - datetime.timedelta(days=100))
    prune_audit_trail()
    assert AuditEvent.objects.filter(pk=young.pk).exists()
