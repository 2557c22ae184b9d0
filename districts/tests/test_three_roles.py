"""Three-role separation (三员分立) as a rule of the system (districts.authority).

The matrix: each admin role tries each of the other roles' jobs (or a job no
one has in the back office) through the back office, and is refused with
nothing changed. Then what each role may do, the history pages of every
registered model, the console reset, the action log, and superusers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from audit.models import AuditEvent
from campaign.lib.admin import HistoryAdmin, RefusalMixin
from districts.models import ADMIN_ROLES, Membership, Role, Sector, SecurityPolicy, UnitBoundary, User
from districts.second_factor import force_login_verified
from districts.services import membership_create, user_sync_admin_access
from districts.tests.factories import SiteFactory

DISTRICT, WULIN = "330103", "330103002"
PASSWORD = "pw-for-tests-only"


@pytest.fixture
def district(district_for_module):
    return district_for_module


@pytest.fixture
def people(district, unit, make_user):
    return SimpleNamespace(
        **{
            Role.SYSTEM_ADMIN: make_user(Role.SYSTEM_ADMIN, unit(DISTRICT), "sysadmin"),
            Role.SECURITY_ADMIN: make_user(Role.SECURITY_ADMIN, unit(DISTRICT), "secadmin"),
            Role.AUDIT_ADMIN: make_user(Role.AUDIT_ADMIN, unit(DISTRICT), "auditor"),
            "street": make_user(Role.STREET_STAFF, unit(WULIN), "wulin"),
        }
    )


def admin_of(people, role) -> User:
    return getattr(people, role)


@pytest.fixture
def risk(district, unit, people):
    """A risk point assessed once: its first history row has no current assessment."""
    from risks.models import AccidentType, AssessmentMethod
    from risks.services import risk_create

    return risk_create(
        by=admin_of(people, Role.SYSTEM_ADMIN),
        name="加油站卸油作业区",
        unit=unit(WULIN),
        sector=Sector.objects.get(code="hazardous_chemicals"),
        accident_type=AccidentType.FIRE,
        responsible_unit=unit(WULIN),
        responsible_person="张三",
        assessments=[
            {
                "method": AssessmentMethod.objects.get(code="lec"),
                "stage": "residual",
                "inputs": {"L": 6, "E": 3, "C": 7},
            }
        ],
    )


def people_state() -> dict:
    """Everything about every account that a takeover would change."""
    return {
        u.username: (
            u.is_active,
            u.is_staff,
            u.is_superuser,
            u.password,
            u.must_change_password,
            tuple(sorted(u.memberships.values_list("unit__code", "role"))),
        )
        for u in User.objects.order_by("username")
    }


def trail_state(up_to=None) -> list:
    rows = AuditEvent.objects.order_by("id")
    if up_to is not None:
        rows = rows.filter(id__lte=up_to)
    return list(rows.values_list("id", "kind", "username", "object_id", "changes", "detail"))


def risk_state(risk) -> tuple:
    from risks.models import RiskPoint

    stored = RiskPoint.objects.get(pk=risk.pk)
    return (stored.name, stored.current_assessment_id, stored.history.count(), stored.assessments.count())


def _values(form, data):
    for name in form.fields:
        value = form[name].value()
        key = form.add_prefix(name)
        if isinstance(value, bool):
            if value:
                data[key] = "on"
        elif isinstance(value, (list, tuple)):
            data[key] = [str(v) for v in value]
        elif value is not None:
            data[key] = str(value)


def form_data(model_admin, obj, user, inlines=True, **changes) -> dict:
    """What the back office's own form for `obj` would post back, with `changes`."""
    request = RequestFactory().get("/")
    request.user = user
    data = {}
    _values(model_admin.get_form(request, obj)(instance=obj), data)
    if inlines:
        for inline in model_admin.get_inline_instances(request, obj):
            formset = inline.get_formset(request, obj)(instance=obj, prefix=None)
            _values(formset.management_form, data)
            for form in formset.forms:
                _values(form, data)
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def is_refusal(response) -> bool:
    """403/404/405; back to a page that says why (a rule's message, or Django's own warning);
    or a list whose action this role is not offered, so that the post did nothing."""
    if response.status_code in (403, 404, 405):
        return True
    if response.status_code == 200 and response.resolver_match.url_name.endswith("_changelist"):
        return response.wsgi_request.POST.get("action") not in response.content.decode()
    if response.status_code == 302:
        return any(m.level >= messages.WARNING for m in get_messages(response.wsgi_request))
    return False


# ------------------------------------------------------------------ the matrix
# Each action is tried by each admin role. `other` is the admin the actor turns
# against: the auditor (the one who watches the other two) for the system and
# security admins, the system admin for the auditor.


def other_admin(people, actor_role):
    return admin_of(people, Role.SYSTEM_ADMIN if actor_role == Role.AUDIT_ADMIN else Role.AUDIT_ADMIN)


def another_kind(role):
    return Role.SYSTEM_ADMIN if role != Role.SYSTEM_ADMIN else Role.SECURITY_ADMIN


def grant_another_admin_a_role(client, actor_role, people, risk, unit):
    other = other_admin(people, actor_role)
    return [
        client.post(reverse("admin:districts_membership_add"), {"user": other.pk, "unit": unit(code).pk, "role": role})
        for code, role in ((DISTRICT, another_kind(Role(other.memberships.get().role))), (WULIN, Role.STREET_STAFF))
    ]


def grant_itself_an_admin_role(client, actor_role, people, risk, unit):
    actor = admin_of(people, actor_role)
    return [
        client.post(
            reverse("admin:districts_membership_add"),
            {"user": actor.pk, "unit": unit(DISTRICT).pk, "role": role},
        )
        for role in sorted(ADMIN_ROLES - {actor_role})
    ]


def set_another_admins_password(client, actor_role, people, risk, unit):
    other = other_admin(people, actor_role)
    return [
        client.post(
            f"/admin/districts/user/{other.pk}/password/",
            {"password1": "Taken-0ver-2026", "password2": "Taken-0ver-2026", "usable_password": "true"},
        ),
        client.post(
            reverse("admin:districts_user_changelist"),
            {"action": "reset_password", "_selected_action": [other.pk]},
        ),
    ]


def deactivate_another_admin(client, actor_role, people, risk, unit):
    other = other_admin(people, actor_role)
    data = form_data(admin.site._registry[User], other, admin_of(people, actor_role), is_active=False)
    return [
        client.post(reverse("admin:districts_user_change", args=[other.pk]), data),
        client.post(
            reverse("admin:districts_user_changelist"), {"action": "deactivate", "_selected_action": [other.pk]}
        ),
    ]


def rename_another_admin(client, actor_role, people, risk, unit):
    other = other_admin(people, actor_role)
    data = form_data(admin.site._registry[User], other, admin_of(people, actor_role), username="taken-over")
    return [client.post(reverse("admin:districts_user_change", args=[other.pk]), data)]


def post_own_membership_history_form(client, actor_role, people, risk, unit):
    """The escalation that was found: the history form of one's own membership, posted back with another role."""
    actor = admin_of(people, actor_role)
    membership = actor.memberships.get()
    record = membership.history.earliest()
    data = form_data(admin.site._registry[Membership], membership, actor, role=another_kind(actor_role))
    url = reverse("admin:districts_membership_simple_history", args=[membership.pk, record.history_id])
    return [client.post(url, data)]


def revert_a_risk_through_its_history(client, actor_role, people, risk, unit):
    first = risk.history.earliest()
    data = form_data(admin.site._registry[type(risk)], first.instance, admin_of(people, actor_role))
    url = reverse("admin:risks_riskpoint_simple_history", args=[risk.pk, first.history_id])
    return [client.post(url, data)]


def write_campaign_data_in_the_admin(client, actor_role, people, risk, unit):
    data = form_data(admin.site._registry[type(risk)], risk, admin_of(people, actor_role), name="改名的风险点")
    return [
        client.post(reverse("admin:risks_riskpoint_change", args=[risk.pk]), data),
        client.post(reverse("admin:risks_riskpoint_delete", args=[risk.pk]), {"post": "yes"}),
        client.post(reverse("admin:risks_riskpoint_add"), dict(data, name="新风险点")),
    ]


def edit_an_audit_row(client, actor_role, people, risk, unit):
    event = AuditEvent.objects.order_by("-id").first()
    return [
        client.post(f"/admin/audit/auditevent/{event.pk}/change/", {"username": "someone else"}),
        client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}),
        client.post(reverse("audit_event", args=[event.pk]), {"username": "someone else"}),
        client.post(reverse("audit_events"), {"action": "delete_selected", "_selected_action": [event.pk]}),
    ]


@dataclass(frozen=True)
class Action:
    attempt: Callable  # (client, actor_role, people, risk, unit) -> [responses]


# Columns of the matrix; each is refused for every admin role with nothing changed.
ACTIONS = {
    "grant_another_admin_a_role": Action(grant_another_admin_a_role),
    "grant_itself_an_admin_role": Action(grant_itself_an_admin_role),
    "set_another_admins_password": Action(set_another_admins_password),
    "deactivate_another_admin": Action(deactivate_another_admin),
    "rename_another_admin": Action(rename_another_admin),
    "post_a_history_form": Action(post_own_membership_history_form),
    "revert_a_risk_through_its_history": Action(revert_a_risk_through_its_history),
    "write_campaign_data_in_the_admin": Action(write_campaign_data_in_the_admin),
    "edit_an_audit_row": Action(edit_an_audit_row),
}
ROLES = [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN]
MATRIX = [pytest.param(role, name, id=f"{role.value}-{name}") for role in ROLES for name in ACTIONS]


@pytest.mark.parametrize("actor_role, action", MATRIX)
def test_no_admin_role_does_another_roles_job(client, people, risk, unit, told, actor_role, action):
    actor = admin_of(people, actor_role)
    force_login_verified(client, actor)
    before_people, before_risk, before_trail = people_state(), risk_state(risk), trail_state()
    last_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()

    responses = ACTIONS[action].attempt(client, actor_role, people, risk, unit)

    for response in responses:
        assert is_refusal(response), (response.status_code, response.get("Location"), response.content[:600])
    assert people_state() == before_people
    assert risk_state(risk) == before_risk
    # The trail lost and changed nothing, and holds one refusal of this admin for each attempt.
    assert trail_state(up_to=last_event) == before_trail
    refusals = AuditEvent.objects.filter(id__gt=last_event, kind=AuditEvent.Kind.DENIED, user=actor)
    assert refusals.count() >= len(responses), [(e.path, e.detail) for e in refusals]
    # The other admin still signs in with the password they had.
    assert other_admin(people, actor_role).check_password(PASSWORD)


# ------------------------------------------------------------- what each may do


def test_a_refusal_is_shown_in_chinese_and_told_to_the_audit_trail(client, people, unit, told):
    security = admin_of(people, Role.SECURITY_ADMIN)
    force_login_verified(client, security)
    response = client.post(
        reverse("admin:districts_membership_add"),
        {"user": security.pk, "unit": unit(DISTRICT).pk, "role": Role.SYSTEM_ADMIN},
        follow=True,
    )
    assert "自己" in response.content.decode()
    assert [e.kind for e in told] == ["denied"]
    assert told[0].request.user == security


def test_the_security_admin_grants_a_street_staff_role(client, people, unit, make_user, told):
    newcomer = User.objects.create_user(username="newcomer", password=PASSWORD)
    force_login_verified(client, admin_of(people, Role.SECURITY_ADMIN))
    response = client.post(
        reverse("admin:districts_membership_add"),
        {"user": newcomer.pk, "unit": unit(WULIN).pk, "role": Role.STREET_STAFF},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(newcomer.memberships.values_list("unit__code", "role")) == [(WULIN, Role.STREET_STAFF)]
    assert [e.kind for e in told] == ["role_change"]
    assert told[0].detail["action"] == "grant"


def test_an_admin_role_granted_in_the_back_office_leaves_no_password_anyone_knows(client, people, unit):
    newcomer = User.objects.create_user(username="newcomer", password=PASSWORD)
    force_login_verified(client, admin_of(people, Role.SECURITY_ADMIN))
    response = client.post(
        reverse("admin:districts_membership_add"),
        {"user": newcomer.pk, "unit": unit(DISTRICT).pk, "role": Role.AUDIT_ADMIN},
    )
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.is_staff
    assert not newcomer.has_usable_password()


def test_one_person_holds_one_kind_of_admin_role_and_no_campaign_role_beside_it(people, unit):
    from django.core.exceptions import PermissionDenied

    street = people.street
    with pytest.raises(PermissionDenied):
        membership_create(user=street, unit=unit(DISTRICT), role=Role.AUDIT_ADMIN)
    with pytest.raises(PermissionDenied):
        membership_create(user=admin_of(people, Role.AUDIT_ADMIN), unit=unit(DISTRICT), role=Role.SYSTEM_ADMIN)
    with pytest.raises(PermissionDenied):
        membership_create(user=admin_of(people, Role.AUDIT_ADMIN), unit=unit(WULIN), role=Role.STREET_STAFF)


def test_the_security_admin_removes_a_street_role_but_not_its_own(client, people):
    force_login_verified(client, admin_of(people, Role.SECURITY_ADMIN))
    street_membership = people.street.memberships.get()
    own = admin_of(people, Role.SECURITY_ADMIN).memberships.get()
    response = client.post(reverse("admin:districts_membership_delete", args=[own.pk]), {"post": "yes"})
    assert is_refusal(response)
    assert Membership.objects.filter(pk=own.pk).exists()
    response = client.post(reverse("admin:districts_membership_delete", args=[street_membership.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=street_membership.pk).exists()


def test_a_bulk_delete_with_one_refused_role_deletes_none(client, people):
    force_login_verified(client, admin_of(people, Role.SECURITY_ADMIN))
    picked = [people.street.memberships.get().pk, admin_of(people, Role.SECURITY_ADMIN).memberships.get().pk]
    response = client.post(
        reverse("admin:districts_membership_changelist"),
        {"action": "delete_selected", "_selected_action": picked, "post": "yes"},
    )
    assert is_refusal(response)
    assert Membership.objects.filter(pk__in=picked).count() == 2


def test_the_security_admin_resets_a_street_users_password_shown_once(client, people, told):
    street = people.street
    force_login_verified(client, admin_of(people, Role.SECURITY_ADMIN))
    response = client.post(
        reverse("admin:districts_user_changelist"), {"action": "reset_password", "_selected_action": [street.pk]}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    temporary = page.split('class="temporary-password">')[1].split("<")[0]
    street.refresh_from_db()
    assert street.check_password(temporary)
    assert not street.check_password(PASSWORD)
    assert street.must_change_password
    assert street.password_changed_at is not None
    assert [(e.kind, e.obj) for e in told] == [("password_reset", street)]
    # Not kept anywhere it could be shown again.
    assert temporary not in client.get(reverse("admin:districts_user_change", args=[street.pk])).content.decode()


def test_the_system_admin_creates_a_user_without_a_password(client, people):
    force_login_verified(client, admin_of(people, Role.SYSTEM_ADMIN))
    response = client.post(
        reverse("admin:districts_user_add"), {"username": "newcomer", "full_name": "新同事", "phone": "", "email": ""}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = User.objects.get(username="newcomer")
    assert created.full_name == "新同事"
    assert not created.has_usable_password()
    assert not created.is_staff and not created.is_superuser
    assert created.history.latest().history_user == admin_of(people, Role.SYSTEM_ADMIN)


def test_the_system_admin_deactivates_a_street_user(client, people):
    street = people.street
    system = admin_of(people, Role.SYSTEM_ADMIN)
    force_login_verified(client, system)
    data = form_data(admin.site._registry[User], street, system, is_active=False)
    response = client.post(reverse("admin:districts_user_change", args=[street.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    street.refresh_from_db()
    assert not street.is_active
    response = client.post(
        reverse("admin:districts_user_changelist"), {"action": "activate", "_selected_action": [street.pk]}
    )
    street.refresh_from_db()
    assert street.is_active


def test_an_administrators_password_is_reset_on_the_console(people, capsys, told):
    auditor = admin_of(people, Role.AUDIT_ADMIN)
    call_command("reset_password", "auditor")
    temporary = capsys.readouterr().out.split("auditor: ")[1].split()[0]
    auditor.refresh_from_db()
    assert auditor.check_password(temporary)
    assert auditor.must_change_password
    assert [(e.kind, e.request, e.obj) for e in told] == [("password_reset", None, auditor)]


# ------------------------------------------------- history pages, every model


def _history_admins():
    return [(model, ma) for model, ma in admin.site._registry.items() if isinstance(ma, SimpleHistoryAdmin)]


def test_every_registered_admin_keeps_the_platforms_rules():
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, RefusalMixin) or model._meta.app_label == "axes", model
        if isinstance(model_admin, SimpleHistoryAdmin):
            assert isinstance(model_admin, HistoryAdmin), model


@pytest.fixture
def one_of_each(people, risk, unit, plan):
    """One object with a history row for every model whose admin has history pages (the
    reports' too: the campaign's plan gives them their periods)."""
    from campaign.models import Accident, AccidentGrade, KeyTask, Milestone, YearlyValue
    from oversight.models import RankingWeights
    from reporting.models import Adoption, AdoptionLevel, AdoptionPoints, Period, Submission
    from risks.models import AccidentType, ControlPolicy

    wulin = unit(WULIN)
    community = wulin.children.first()
    SiteFactory(unit=community)
    UnitBoundary.objects.create(
        unit=wulin, geometry={"type": "Polygon", "coordinates": [[[120, 30], [121, 30], [121, 31], [120, 30]]]}
    )
    submission = Submission.objects.create(
        unit=wulin, period=Period.objects.first(), title="一月工作", created_by=people.street
    )
    Adoption.objects.create(
        submission=submission, level=AdoptionLevel.DISTRICT, points=Decimal("1"), adopted_by=people.street,
        adopted_at=submission.created_at,
    )
    SecurityPolicy.objects.create()
    ControlPolicy.objects.create()
    fire = Sector.objects.get(code="fire_safety")
    task = KeyTask.objects.create(
        campaign=plan, sector=fire, code="1.1", title="消防安全专项整治", lead_unit=wulin, due_on=plan.ends_on
    )
    Milestone.objects.create(task=task, title="完成排查", due_on=plan.ends_on)
    Accident.objects.create(
        unit=wulin,
        sector=fire,
        occurred_on=plan.starts_on,
        accident_type=AccidentType.FIRE,
        summary="仓库火灾",
        deaths=1,
        grade=AccidentGrade.GENERAL,
    )
    YearlyValue.objects.create(unit=unit(DISTRICT), year=2016, gdp=Decimal("905.6"), gdp_source="下城区统计年鉴2017")
    _a_bulletin(plan, unit("330103-CJB"), people.street)
    AdoptionPoints.objects.create(campaign=plan, level=AdoptionLevel.DISTRICT, points=Decimal("1"))
    RankingWeights.objects.create(campaign=plan)
    _a_summary(unit(DISTRICT), people.street)
    objects = {}
    for model, _ma in _history_admins():
        obj = model._default_manager.order_by("pk").first()
        assert obj is not None, f"the test world needs a {model.__name__}"
        if not obj.history.exists():
            obj.save()
        objects[model] = obj
    return objects


def _a_bulletin(campaign, office, by):
    """A published bulletin as its services leave it (oversight.bulletins), and its office's prefix."""
    import datetime

    from django.utils import timezone

    from oversight.bulletins.models import Bulletin, BulletinSeries, BulletinVersion

    BulletinSeries.objects.create(office=office, prefix="下创建办")
    start = campaign.starts_on.replace(day=1)
    end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    bulletin = Bulletin.objects.create(
        campaign=campaign, office=office, title="通报", period_start=start, period_end=end, created_by=by,
        status="published", year=2026, number=1,
    )
    BulletinVersion.objects.create(
        bulletin=bulletin, version=1, document_number="下创建办〔2026〕1号", title="通报", period_start=start,
        period_end=end, sections={}, snapshot={}, snapshot_sha256="0" * 64, published_at=timezone.now(),
        published_by=by,
    )


def _a_summary(district, by):
    from oversight.summaries.models import AnnualSummary

    summary = AnnualSummary.objects.create(unit=district, year=2019, practices="做法", created_by=by)
    summary.save()  # its history row


HISTORY_CASES = [pytest.param(role, id=role.value) for role in ROLES]


@pytest.mark.parametrize("actor_role", HISTORY_CASES)
def test_no_history_form_saves_for_any_admin_role(client, people, one_of_each, actor_role):
    actor = admin_of(people, actor_role)
    force_login_verified(client, actor)
    for model, model_admin in _history_admins():
        obj = one_of_each[model]
        record = obj.history.earliest()
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[obj.pk, record.history_id])
        rows = obj.history.count()
        response = client.post(url, form_data(model_admin, record.instance, actor, inlines=False))
        assert response.status_code in (403, 405), (model, response.status_code)
        assert obj.history.count() == rows, model
        # Reading it stays open to whoever may view the model, and offers no revert.
        page = client.get(url)
        if page.status_code == 200:
            assert 'name="_save"' not in page.content.decode(), model


# ------------------------------------------------------------ log and superuser


def test_the_auditor_reads_the_admin_action_log_and_nobody_writes_it(client, people):
    entry = LogEntry.objects.create(
        user=admin_of(people, Role.SYSTEM_ADMIN), object_repr="武林街道", action_flag=2, change_message="[]"
    )
    force_login_verified(client, admin_of(people, Role.AUDIT_ADMIN))
    assert client.get(reverse("admin:admin_logentry_changelist")).status_code == 200
    assert client.get(reverse("admin:admin_logentry_change", args=[entry.pk])).status_code == 200
    for role in ROLES:
        force_login_verified(client, admin_of(people, role))
        assert client.post(reverse("admin:admin_logentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
        assert client.post(reverse("admin:admin_logentry_change", args=[entry.pk]), {}).status_code == 403
        assert client.get(reverse("admin:admin_logentry_add")).status_code == 403
    assert LogEntry.objects.filter(pk=entry.pk).exists()


def test_the_back_office_refuses_superusers_and_staff_without_an_admin_role(client, people):
    boss = User.objects.create_user(username="boss", password=PASSWORD, is_staff=True, is_superuser=True)
    force_login_verified(client, boss)
    assert client.get(reverse("admin:districts_user_changelist")).status_code == 302
    staff = User.objects.create_user(username="staff", password=PASSWORD, is_staff=True)
    force_login_verified(client, staff)
    assert client.get(reverse("admin:index")).status_code == 302
    force_login_verified(client, admin_of(people, Role.AUDIT_ADMIN))
    assert client.get(reverse("admin:index")).status_code == 200


def test_admin_access_never_makes_a_superuser(people):
    for user in User.objects.all():
        user_sync_admin_access(user=user)
    assert not User.objects.filter(is_superuser=True).exists()
    assert set(User.objects.filter(is_staff=True).values_list("username", flat=True)) == {
        "sysadmin",
        "secadmin",
        "auditor",
    }
