"""The annual summaries' screens, through the client: the office writes a year's summary, edits
its narrative (saved as typed, or with the form) and makes its PDF, watching the job's page; bad
input is answered in words and writes nothing; a street's staff sees their street's alone, a
leader reads."""

from __future__ import annotations

import io
import json

import pytest

from jobs.models import Job
from oversight.rollups import rebuild
from oversight.summaries import services
from oversight.summaries.models import AnnualSummary, SummaryVersion
from oversight.tests.bulletins import people, some_hazards

URL = "/dashboard/summaries/"


@pytest.fixture
def who(world, make_user):
    return people(world, make_user)


@pytest.fixture
def as_user(client, sign_in):
    def use(user):
        sign_in(client, user)
        return client

    return use


@pytest.fixture
def built(world):
    some_hazards(world, "a1", n=3)
    some_hazards(world, "b1", n=2)
    rebuild(world.district, full=True)
    return world


def test_the_office_writes_edits_and_makes_the_year_s_summary_on_its_pages(
    built, who, as_user, eager, django_capture_on_commit_callbacks
):
    world, year = built, built.start.year
    client = as_user(who["office"])
    listing = client.get(URL).content.decode()
    assert f'<option value="{world.district.pk}"' in listing and f'<option value="{year}"' in listing
    answer = client.post(f"{URL}new/", {"unit": world.district.pk, "year": year})
    assert answer.status_code == 302, answer.content.decode()[-1500:]
    summary = AnnualSummary.objects.get()
    page = client.get(answer["Location"]).content.decode()
    assert 'data-testid="narrative-form"' in page and "5" in summary.practices  # drafted: 5 hazards found

    saved = client.post(
        f"{URL}{summary.pk}/autosave/", {"practices": "做法一", "problems": "问题一", "plans": "计划一"}
    )
    assert saved.status_code == 200 and json.loads(saved.content)["version"]
    summary.refresh_from_db()
    assert summary.narrative == {"practices": "做法一", "problems": "问题一", "plans": "计划一"}

    with django_capture_on_commit_callbacks(execute=True):
        made = client.post(
            f"{URL}{summary.pk}/save/",
            {"practices": "做法二", "problems": "问题二", "plans": "计划二", "action": "make"},
        )
    assert made.status_code == 302 and made["Location"].startswith("/jobs/")
    job = Job.objects.get(kind=services.KIND)
    assert job.state == Job.State.DONE, job.report
    version = SummaryVersion.objects.get(summary=summary)
    assert version.narrative["practices"] == "做法二" and version.pdf_pages >= 5
    job_page = client.get(made["Location"]).content.decode()
    assert 'data-status="done"' in job_page and f"{URL}{summary.pk}/v1/pdf/" in job_page
    assert job_page.count('data-state="done"') == 9

    pdf = client.get(f"{URL}{summary.pk}/v1/pdf/")
    body = b"".join(pdf.streaming_content)
    assert (
        pdf["Content-Type"] == "application/pdf" and body.startswith(b"%PDF") and "inline" in pdf["Content-Disposition"]
    )
    xlsx = client.get(f"{URL}{summary.pk}/v1/xlsx/")
    content = b"".join(xlsx.streaming_content)
    assert xlsx["Content-Type"].endswith("spreadsheetml.sheet") and "attachment" in xlsx["Content-Disposition"]
    from openpyxl import load_workbook

    assert len(load_workbook(io.BytesIO(content)).sheetnames) >= 5
    assert client.get(f"{URL}{summary.pk}/v1/docx/").status_code == 404
    assert client.get(f"{URL}{summary.pk}/v2/pdf/").status_code == 404
    detail = client.get(f"{URL}{summary.pk}/").content.decode()
    assert 'data-testid="versions"' in detail and version.pdf_sha256[:16] in detail


def test_bad_choices_are_answered_in_words_and_write_nothing(built, who, as_user, settings, client):
    world, year = built, built.start.year
    client = as_user(who["office"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    other = type(world.district).objects.create(code="T991", name="别区", kind="district")
    for data in (
        {"unit": world.district.pk, "year": "２０２６"},
        {"unit": world.district.pk, "year": str(year - 7)},
        {"unit": other.pk, "year": year},
        {"unit": world["a1"].pk, "year": year},  # a community has no summary
        {"unit": "1e9", "year": year},
        {},
    ):
        answer = client.post(f"{URL}new/", data)
        assert answer.status_code == 400, data
        assert "Select a valid choice" in answer.content.decode() or "required" in answer.content.decode(), data
    assert not AnnualSummary.objects.exists()


def test_a_narrative_too_long_is_refused_and_the_text_typed_is_still_on_the_page(built, who, as_user, settings):
    summary = services.summary_create(by=who["office"], unit=built.district, year=built.start.year)
    before = summary.narrative
    client = as_user(who["office"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    long = "长" * (services.MAX_NARRATIVE + 1)
    answer = client.post(
        f"{URL}{summary.pk}/save/", {"practices": long, "problems": "留着", "plans": "", "action": "make"}
    )
    assert answer.status_code == 400 and long in answer.content.decode() and "留着" in answer.content.decode()
    autosaved = client.post(f"{URL}{summary.pk}/autosave/", {"practices": long, "problems": "", "plans": ""})
    assert autosaved.status_code == 409 and json.loads(autosaved.content)["error"]
    summary.refresh_from_db()
    assert summary.narrative == before and not Job.objects.exists()


def test_a_street_sees_its_own_summary_alone_and_a_leader_reads_without_writing(
    built, who, as_user, eager, django_capture_on_commit_callbacks
):
    world, year = built, built.start.year
    district = services.summary_create(by=who["office"], unit=world.district, year=year)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.summary_start(summary=district, by=who["office"])

    street = as_user(who["A"])
    listing = street.get(URL).content.decode()
    assert f'<option value="{world["A"].pk}"' in listing and f'<option value="{world.district.pk}"' not in listing
    assert f"{URL}{district.pk}/" not in listing
    for path in (f"{URL}{district.pk}/", f"{URL}{district.pk}/v1/pdf/", f"/jobs/{job.pk}/"):
        assert street.get(path).status_code == 404, path
    for path in (f"{URL}{district.pk}/save/", f"{URL}{district.pk}/start/"):
        assert street.post(path, {"practices": "x", "problems": "", "plans": ""}).status_code == 404, path
    assert street.post(f"{URL}new/", {"unit": world.district.pk, "year": year}).status_code == 400
    assert street.post(f"{URL}new/", {"unit": world["A"].pk, "year": year}).status_code == 302
    assert AnnualSummary.objects.filter(unit=world["A"]).exists()

    leader = as_user(who["leader"])
    page = leader.get(f"{URL}{district.pk}/").content.decode()
    assert 'data-testid="narrative"' in page and 'data-testid="narrative-form"' not in page
    assert leader.get(f"{URL}{district.pk}/v1/pdf/").status_code == 200
    assert leader.get(f"/jobs/{job.pk}/").status_code == 200
    assert leader.post(f"{URL}{district.pk}/save/", {"practices": "改", "problems": "", "plans": ""}).status_code == 403
    assert leader.post(f"{URL}{district.pk}/start/").status_code == 403
    assert leader.post(f"{URL}new/", {"unit": world.district.pk, "year": year}).status_code == 403
    district.refresh_from_db()
    assert district.practices != "改" and SummaryVersion.objects.filter(summary=district).count() == 1

    department = as_user(who["p"])
    assert department.get(URL).status_code == 403


def test_an_autosave_after_the_sign_in_ran_out_says_so_and_keeps_nothing_half(built, who, client):
    summary = services.summary_create(by=who["office"], unit=built.district, year=built.start.year)
    answer = client.post(f"{URL}{summary.pk}/autosave/", {"practices": "x", "problems": "", "plans": ""})
    assert answer.status_code == 401 and json.loads(answer.content)["error"]
    summary.refresh_from_db()
    assert summary.practices != "x"


def test_a_post_that_names_no_part_of_the_narrative_leaves_it_as_written(built, who, as_user):
    summary = services.summary_create(by=who["office"], unit=built.district, year=built.start.year)
    services.narrative_save(summary=summary, by=who["office"], practices="写好的做法", problems="写好的问题")
    client = as_user(who["office"])
    assert client.post(f"{URL}{summary.pk}/save/", {"action": "save"}).status_code == 302
    assert client.post(f"{URL}{summary.pk}/autosave/", {"problems": "只改问题"}).status_code == 200
    assert (
        client.post(f"{URL}{summary.pk}/save/", '{"practices": ""}', content_type="application/json").status_code == 302
    )
    summary.refresh_from_db()
    assert (summary.practices, summary.problems) == ("写好的做法", "只改问题")
