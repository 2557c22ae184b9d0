"""The lists' filters on a phone: folded under one button unless one is set; yes/no filters offer "all"."""

import pytest
from django.urls import reverse

from districts.models import Role

pytestmark = pytest.mark.django_db


def test_lists_fold_their_filters_on_a_phone_and_yes_no_filters_offer_all(client, make_user, unit):
    client.force_login(make_user(Role.STREET_STAFF, unit("330103002")))  # in Chinese, as by default
    for url in (reverse("risk_list"), reverse("hazard_list"), reverse("site_list")):
        page = client.get(url).content.decode()
        assert 'data-bs-target="#more-filters"' in page and "更多筛选" in page, url
        assert 'id="more-filters" class="collapse d-md-block"' in page, "folded when no filter is set"
        if url != reverse("site_list"):
            overdue = page.split('name="overdue"')[1].split("</select>")[0]
            assert ">全部<" in overdue and "未知" not in overdue
    page = client.get(reverse("risk_list"), {"level": "major"}).content.decode()
    assert 'id="more-filters" class="collapse d-md-block show"' in page, "open when a filter is set"
    # "All" on a yes/no filter is no filter: the fold stays shut.
    page = client.get(reverse("hazard_list"), {"overdue": "unknown", "q": "灭火器"}).content.decode()
    assert 'id="more-filters" class="collapse d-md-block"' in page
