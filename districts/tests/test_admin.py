"""The back office keeps the three admin roles apart (三员分立): the system admin
runs users and the org tree, the security admin roles and sign-in security, the
audit admin reads everything and changes nothing. Staff status follows admin
memberships."""

import pytest
from django.urls import reverse
from django.utils.translation import override

from districts.models import Membership, Role
from districts.second_factor import force_login_verified

DISTRICT = "330103"

# (role, admin URL name, expected status)
CASES = [
    (Role.SYSTEM_ADMIN, "admin:districts_orgunit_add", 200),
    (Role.SYSTEM_ADMIN, "admin:districts_site_add", 200),
    (Role.SYSTEM_ADMIN, "admin:districts_user_add", 200),
    (Role.SYSTEM_ADMIN, "admin:districts_membership_add", 403),
    (Role.SYSTEM_ADMIN, "admin:axes_accessattempt_changelist", 403),
    (Role.SYSTEM_ADMIN, "admin:reporting_reporttype_add", 200),
    (Role.SYSTEM_ADMIN, "admin:reporting_submission_changelist", 403),
    (Role.SECURITY_ADMIN, "admin:districts_membership_add", 200),
    (Role.SECURITY_ADMIN, "admin:axes_accessattempt_changelist", 200),
    (Role.SECURITY_ADMIN, "admin:districts_orgunit_add", 403),
    (Role.SECURITY_ADMIN, "admin:districts_site_changelist", 403),
    (Role.AUDIT_ADMIN, "admin:districts_site_changelist", 200),
    (Role.AUDIT_ADMIN, "admin:districts_membership_changelist", 200),
    (Role.AUDIT_ADMIN, "admin:axes_accesslog_changelist", 200),
    (Role.AUDIT_ADMIN, "admin:districts_site_add", 403),
    (Role.AUDIT_ADMIN, "admin:reporting_reporttype_changelist", 200),
    (Role.AUDIT_ADMIN, "admin:reporting_reporttype_add", 403),
    (Role.SECURITY_ADMIN, "admin:reporting_reporttype_changelist", 403),
    (Role.AUDIT_ADMIN, "admin:districts_membership_add", 403),
    (Role.AUDIT_ADMIN, "admin:districts_user_add", 403),
]


@pytest.mark.parametrize("role, url_name, status", CASES, ids=[f"{r.value}-{u.split(':')[1]}" for r, u, _ in CASES])
def test_each_admin_role_opens_only_its_own_back_office_pages(client, unit, make_user, role, url_name, status):
    force_login_verified(client, make_user(role, unit(DISTRICT)))
    assert client.get(reverse(url_name)).status_code == status


def test_campaign_staff_are_sent_to_sign_in_at_the_back_office(client, unit, make_user):
    force_login_verified(client, make_user(Role.STREET_STAFF, unit("330103002")))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    # Signed in already: told the back office is not theirs, not sent round to sign in again.
    assert client.get(response["Location"]).status_code == 403


def test_the_back_office_signs_in_on_the_platforms_page(client):
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0] == f"{reverse('login')}?next=%2Fadmin%2F"
    assert response.status_code == 200 and 'id="id_password"' in response.content.decode()


def test_staff_status_follows_admin_memberships(unit, make_user):
    user = make_user(Role.STREET_STAFF, unit("330103002"))
    assert not user.is_staff
    membership = Membership.objects.create(user=user, unit=unit(DISTRICT), role=Role.AUDIT_ADMIN)
    user.refresh_from_db()
    assert user.is_staff
    assert list(user.groups.values_list("name", flat=True)) == [Role.AUDIT_ADMIN.value]
    membership.delete()
    user.refresh_from_db()
    assert not user.is_staff
    assert not user.groups.exists()


def test_a_change_in_the_back_office_leaves_history_with_who_made_it(client, unit, make_user):
    admin = make_user(Role.SYSTEM_ADMIN, unit(DISTRICT))
    force_login_verified(client, admin)
    street = unit("330103002")
    response = client.post(
        reverse("admin:districts_orgunit_change", args=[street.pk]),
        {
            "code": street.code,
            "name": "武林街道（更名）",
            "kind": street.kind,
            "parent": street.parent_id,
            "established_on": "",
            "dissolved_on": "",
            "assigned_units": [],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = street.history.latest()
    assert latest.name == "武林街道（更名）"
    assert latest.history_user == admin


def test_a_unit_code_typed_with_full_width_digits_is_saved_as_ascii_digits(client, unit, make_user):
    force_login_verified(client, make_user(Role.SYSTEM_ADMIN, unit(DISTRICT)))
    response = client.post(
        reverse("admin:districts_orgunit_add"),
        {
            "code": "３３０１０３００２０５１－０９",
            "name": "中北社区第九网格",
            "kind": "grid",
            "parent": unit("330103002051").pk,
            "established_on": "",
            "dissolved_on": "",
            "assigned_units": [],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert unit("330103002051-09").name == "中北社区第九网格"


def test_a_taken_unit_code_is_refused_in_a_sentence_naming_the_code(client, unit, make_user):
    force_login_verified(client, make_user(Role.SYSTEM_ADMIN, unit(DISTRICT)))
    data = {"name": "重复", "kind": "grid", "parent": unit("330103002051").pk, "assigned_units": []}
    with override("zh-hans"):
        response = client.post(reverse("admin:districts_orgunit_add"), {**data, "code": "３３０１０３００２０５１"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["code"] == ["编码 330103002051 已被另一个单位使用。"]
