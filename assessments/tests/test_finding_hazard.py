"""A finding raises a hazard, both ways: from the finding, the hazards' own form filled from it, the
hazard logged and linked; closed through the hazards' services, the finding reads rectified; and
the hazard's page links back to the finding, for those who see the assessment."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments import run_services as services
from assessments.models import Side
from assessments.tests.run_fixtures import *  # noqa: F403 (the fixtures)
from campaign.tests.images import photo, upload
from districts.models import Role, Sector
from hazards import services as hazard_services
from hazards.models import Hazard, HazardPhoto, Source, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def finding(run, items, users, unit):
    return services.finding_add(
        run=run,
        side=Side.REVIEW,
        item=items["3.2"],
        by=users["inspector"],
        description="消防通道堆放杂物\n三号楼一层",
        unit=unit("330103002051"),
        location="三号楼一层",
        sector=Sector.objects.get(code="fire_safety"),
        photos=[photo(), photo((30, 30, 200))],
    )


def test_the_hazard_form_opens_filled_from_the_finding(finding, sign_in, users):
    client = sign_in(Client(), users["inspector"])
    response = client.get(reverse("assessment_finding_hazard", args=[finding.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["unit"].value() == finding.unit.pk or form["unit"].value() == finding.unit
    assert form["description"].value() == "消防通道堆放杂物\n三号楼一层"
    assert form["location"].value() == "三号楼一层"
    assert form["title"].value() == "消防通道堆放杂物"
    assert form["source"].value() == Source.INSPECTION
    assert str(form["sector"].value()) in (str(finding.sector_id), str(finding.sector))
    assert response.content.decode().count("assessments/findings/photos/") >= 2


def _post_hazard(client, finding):
    initial = services.finding_hazard_initial(finding)
    return client.post(
        reverse("assessment_finding_hazard", args=[finding.pk]),
        {
            "title": initial["title"],
            "unit": finding.unit.pk,
            "location": finding.location,
            "sector": finding.sector_id,
            "grade": "general",
            "source": Source.INSPECTION,
            "description": finding.description,
            "found_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "photos": upload(),
        },
    )


def test_finding_to_hazard_to_closed_and_the_finding_reads_rectified(finding, sign_in, users, make_user, unit):
    inspector = sign_in(Client(), users["inspector"])
    response = _post_hazard(inspector, finding)
    finding.refresh_from_db()
    assert response.status_code == 302 and finding.hazard is not None
    hazard = finding.hazard
    assert response["Location"] == reverse("hazard_detail", args=[hazard.pk])
    assert (hazard.source, hazard.found_by, hazard.unit, hazard.location) == (
        Source.INSPECTION,
        users["inspector"],
        finding.unit,
        "三号楼一层",
    )
    # The finding's two photos, and the one added on the form, are the hazard's photos before.
    assert hazard.photos.filter(kind=HazardPhoto.Kind.BEFORE).count() == 3
    score_url = reverse("assessment_score", args=[finding.answer.run_id, "review"])
    page = inspector.get(score_url).content.decode()
    assert hazard.number in page and 'data-testid="rectified"' not in page
    # Raising it twice goes to the hazard, it does not make a second one.
    assert _post_hazard(inspector, finding).status_code == 302 and Hazard.objects.count() == 1

    # Rectified and closed through the hazards' own services.
    street = users["street"]
    hazard = hazard_services.hazard_assign(
        hazard=hazard,
        by=street,
        responsible_unit=unit("330103002"),
        responsible_person="王芳",
        deadline=timezone.localdate() + timezone.timedelta(days=7),
    )
    rectifier = make_user(Role.STREET_STAFF, unit("330103002"), username="rectifier")
    hazard = hazard_services.hazard_submit(
        hazard=hazard, by=rectifier, rectification="已清理", photos=[photo((20, 160, 20))]
    )
    hazard_services.hazard_close(hazard=hazard, by=users["inspector"])
    finding.refresh_from_db()
    assert finding.hazard.status == Status.CLOSED and finding.rectified
    assert 'data-testid="rectified"' in inspector.get(score_url).content.decode()


def test_the_hazard_page_links_back_to_the_finding(finding, sign_in, users):
    hazard = services.finding_raise_hazard(
        finding=finding,
        by=users["inspector"],
        title="消防通道堆放杂物",
        unit=finding.unit,
        sector=finding.sector,
        location=finding.location,
        description=finding.description,
        grade="general",
        source=Source.INSPECTION,
    )
    page = sign_in(Client(), users["inspector"]).get(reverse("hazard_detail", args=[hazard.pk])).content.decode()
    assert 'data-testid="backlink"' in page
    score_url = reverse("assessment_score", args=[finding.answer.run_id, "review"])
    assert f"{score_url}#item-{finding.answer.item_id}" in page
    # A community worker of the place sees the hazard, but not the street's assessment: no link.
    community = sign_in(Client(), users["community"]).get(reverse("hazard_detail", args=[hazard.pk]))
    assert community.status_code == 200 and 'data-testid="backlink"' not in community.content.decode()


def test_the_unit_cannot_raise_hazards_from_the_review(finding, sign_in, users):
    response = sign_in(Client(), users["street"]).get(reverse("assessment_finding_hazard", args=[finding.pk]))
    assert response.status_code in (403, 404)
    assert not Hazard.objects.exists()
