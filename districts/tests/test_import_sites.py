"""Spreadsheet import and export of sites, and the import screens: what a street officer or an
administrator sees when they upload a file."""

import zipfile
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from campaign.lib.xlsx.files import export_xlsx, stored_upload
from districts.models import OrgUnit, Role, Sector, Site
from districts.resources import SiteResource
from districts.second_factor import force_login_verified
from districts.tests.import_helpers import (
    SITE_HEADERS,
    UNIT_HEADERS,
    counts,
    credit_code,
    division_xlsx,
    import_sites,
    xlsx,
)
from jobs.models import Job

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


# ---------------------------------------------------------------- sites


def test_a_good_sites_file_imports_with_chinese_values(district, wulin_staff):
    content = xlsx(
        [*SITE_HEADERS, "地址", "联系电话"],
        [
            [
                "杭州安顺餐饮店",
                f"  {credit_code(1).lower()} ",
                330103002051,
                "消防安全",
                "三合一场所",
                "是",
                "中北路1号",
                13800000000,
            ],
            ["武林商场", credit_code(2), "330103002", "商贸旅游", "人员密集场所", "否", None, None],
            ["某出租房", credit_code(3), "330103002052", None, "出租房屋", None, None, None],
        ],
    )

    report = import_sites(wulin_staff, content)

    assert report.committed, report.errors
    assert report.new == 3
    site = Site.objects.get(credit_code=credit_code(1))
    assert site.unit.code == "330103002051"
    assert site.sector.code == "fire_safety"
    assert site.category == Site.Category.THREE_IN_ONE
    assert site.is_major_hazard_source is True
    assert (site.address, site.contact_phone) == ("中北路1号", "13800000000")
    assert Site.objects.get(credit_code=credit_code(3)).sector is None
    assert site.history.latest().history_user == wulin_staff


def test_every_kind_of_bad_site_row_is_reported_and_nothing_is_written(district, wulin_staff):
    bad_check = credit_code(4)[:-1] + ("0" if credit_code(4)[-1] != "0" else "1")
    content = xlsx(
        SITE_HEADERS,
        [
            ["好的场所", credit_code(1), "330103002051", "消防安全", "企业", "否"],
            ["校验位错", bad_check, "330103002051", "消防安全", "企业", "否"],
            ["未知领域", credit_code(5), "330103002051", "食品安全", "企业", "否"],
            ["未知类别", credit_code(6), "330103002051", "消防安全", "工厂", "否"],
            ["未知单位", credit_code(7), "330103002999", "消防安全", "企业", "否"],
            ["没有代码", None, "330103002051", "消防安全", "企业", "否"],
            ["重复代码", credit_code(1), "330103002051", "消防安全", "企业", "否"],
            ["危险源不清", credit_code(8), "330103002051", "消防安全", "企业", "也许"],
        ],
    )
    before = counts()

    report = import_sites(wulin_staff, content)

    assert report.error_tuples() == [
        (
            3,
            "统一社会信用代码",
            "The check character of this unified social credit code is wrong: please check the code.",
        ),
        (4, "重点领域", "“食品安全” is not one of the seven sectors (e.g. 消防安全)."),
        (5, "场所类别", "“工厂” is not one of: 企业、人员密集场所、三合一场所、出租房屋、建筑工地、其他."),
        (6, "所属单位编码", "No unit has the code “330103002999”."),
        (7, "统一社会信用代码", "This cell is empty; it must be filled in."),
        (8, "统一社会信用代码", f"“{credit_code(1)}” is also at row 2; each may appear only once in a file."),
        (9, "重大危险源", "Write 是 (yes) or 否 (no), not “也许”."),
    ]
    assert report.bad_rows == 7
    assert not report.committed
    assert counts() == before


def test_sites_round_trip_through_an_export_unchanged(district, unit, wulin_staff):
    fire = Sector.objects.get(code="fire_safety")
    Site.objects.create(
        name="杭州安顺餐饮店",
        credit_code=credit_code(1),
        unit=unit("330103002051"),
        sector=fire,
        category=Site.Category.THREE_IN_ONE,
        address="中北路1号",
        legal_representative="王五",
        contact_person="赵六",
        contact_phone="0571-85000000",
        is_major_hazard_source=True,
    )
    Site.objects.create(name="=SUM(A1)", credit_code=credit_code(2), unit=unit("330103002"))
    Site.objects.create(name="天水的场所", credit_code=credit_code(3), unit=unit("330103003"))
    resource = SiteResource(user=wulin_staff)
    content = export_xlsx(resource, resource.export_queryset(wulin_staff), title="场所")
    exported = [row[1] for row in load_workbook(BytesIO(content)).worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert sorted(exported) == [credit_code(1), credit_code(2)], "only what the user may see"
    before = counts()

    report = import_sites(wulin_staff, content)

    assert report.ok, report.errors
    assert (report.new, report.updated, report.unchanged) == (0, 0, 2)
    assert counts() == before


def test_reimporting_a_changed_site_updates_only_what_the_file_holds(district, unit, wulin_staff):
    old = Site.objects.create(name="旧名", credit_code=credit_code(1), unit=unit("330103002051"), address="中北路1号")

    report = import_sites(
        wulin_staff, xlsx(SITE_HEADERS, [["新名", credit_code(1), "330103002051", None, "企业", "否"]])
    )

    assert (report.new, report.updated, report.committed) == (0, 1, True)
    site = Site.objects.get(credit_code=credit_code(1))
    assert (site.name, site.address) == ("新名", "中北路1号"), "a column not in the file is left alone"
    assert site.updated_at > old.updated_at
    change = site.history.latest()
    assert (change.history_type, change.history_user, change.name) == ("~", wulin_staff, "新名")


def test_street_staff_cannot_import_a_site_into_another_street(district, wulin_staff):
    report = import_sites(
        wulin_staff, xlsx(SITE_HEADERS, [["天水的场所", credit_code(1), "330103003051", None, "企业", "否"]])
    )

    assert report.error_tuples() == [(2, "所属单位编码", "灯芯巷社区 is not within your scope.")]
    assert not Site.objects.exists()


def test_street_staff_cannot_take_over_a_site_of_another_street(district, unit, wulin_staff):
    Site.objects.create(name="天水的场所", credit_code=credit_code(1), unit=unit("330103003051"))

    report = import_sites(
        wulin_staff, xlsx(SITE_HEADERS, [["搬来武林", credit_code(1), "330103002051", None, "企业", "否"]])
    )

    assert report.error_tuples() == [
        (2, "统一社会信用代码", "This credit code belongs to a site that is not within your scope.")
    ]
    assert Site.objects.get(credit_code=credit_code(1)).unit.code == "330103003051"


@pytest.mark.parametrize(
    ("sector", "allowed"),
    [("消防安全", True), ("道路交通", False), (None, False)],
)
def test_a_lead_department_imports_sites_of_its_sector_only(district, unit, make_user, sector, allowed):
    fire_brigade = make_user(Role.DEPARTMENT_STAFF, unit("330103-XFJY"))

    report = import_sites(
        fire_brigade, xlsx(SITE_HEADERS, [["某场所", credit_code(1), "330103002051", sector, "企业", "否"]])
    )

    assert report.committed is allowed
    if not allowed:
        assert [(e.row, e.column) for e in report.errors] == [(2, "所属单位编码")]
        assert "not within your scope" in report.errors[0].message


# ---------------------------------------------------------------- screens


@pytest.fixture
def client(client, settings):
    """A browser that chose English with the language switch."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def upload(client, name, content, filename="file.xlsx"):
    return client.post(
        reverse(name),
        {"file": _named(content, filename)},
    )


def _named(content, filename):
    f = BytesIO(content)
    f.name = filename
    return f


@pytest.mark.parametrize(
    ("role", "unit_code", "units_page", "sites_page"),
    [
        (Role.SYSTEM_ADMIN, "330103", 200, 200),
        (Role.STREET_STAFF, "330103002", 403, 200),
        (Role.COMMUNITY_STAFF, "330103002051", 403, 200),
        (Role.DEPARTMENT_STAFF, "330103-XFJY", 403, 200),
        (Role.REVIEWER, "330103-CJB", 403, 403),
        (Role.LEADER, "330103-LDXZ", 403, 403),
        (Role.AUDIT_ADMIN, "330103", 403, 403),
    ],
)
def test_who_may_open_the_import_screens(client, unit, make_user, role, unit_code, units_page, sites_page):
    force_login_verified(client, make_user(role, unit(unit_code)))

    assert client.get(reverse("import_units")).status_code == units_page
    assert client.get(reverse("import_units_template")).status_code == units_page
    assert client.get(reverse("export_units")).status_code == units_page
    assert client.get(reverse("import_sites")).status_code == sites_page
    assert client.get(reverse("export_sites")).status_code == sites_page
    home = client.get(reverse("home")).content.decode()
    assert (reverse("import_units") in home) is (units_page == 200)
    assert (reverse("import_sites") in home) is (sites_page == 200)


def upload_and_run(client, name, content, capture):
    """Upload through the screen; the preview job runs (eagerly) once the request commits."""
    with capture(execute=True):
        response = upload(client, name, content)
    return response


def confirm_and_run(client, name, job, capture):
    with capture(execute=True):
        return client.post(reverse(f"{name}_confirm", args=[job.pk]))


def test_upload_preview_and_confirm(
    client, district, district_admin, settings, eager, django_capture_on_commit_callbacks
):
    force_login_verified(client, district_admin)
    content = xlsx(UNIT_HEADERS, [["330103002051-01", "中北社区第一网格", "网格", "330103002051"]])

    response = upload_and_run(client, "import_units", content, django_capture_on_commit_callbacks)

    preview = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("job_detail", args=[preview.pk])
    assert (preview.kind, preview.state, preview.params["dry_run"]) == ("units", "done", True)
    page = client.get(response["Location"]).content.decode()
    assert "Preview: nothing has been saved yet" in page
    assert "中北社区第一网格" in page
    assert 'data-testid="confirm-import"' in page
    assert not OrgUnit.objects.filter(code="330103002051-01").exists()
    token = preview.params["token"]
    assert stored_upload(token).parent == settings.MEDIA_ROOT / "imports"

    done = confirm_and_run(client, "import_units", preview, django_capture_on_commit_callbacks)

    job = Job.objects.exclude(pk=preview.pk).get()
    assert done.status_code == 302
    assert done["Location"] == reverse("job_detail", args=[job.pk])
    assert (job.state, job.report["committed"], job.report["new"]) == ("done", True, 1)
    grid = OrgUnit.objects.get(code="330103002051-01")
    assert grid.history.latest().history_user == district_admin
    followed = client.get(done["Location"]).content.decode()
    assert "Imported: 1 new, 0 updated, 0 unchanged." in followed
    assert reverse("unit_tree") in followed


def test_street_staff_import_sites_through_the_screens(
    client, district, wulin_staff, eager, django_capture_on_commit_callbacks
):
    force_login_verified(client, wulin_staff)
    content = xlsx(SITE_HEADERS, [["杭州安顺餐饮店", credit_code(1), "330103002051", "消防安全", "企业", "否"]])

    response = upload_and_run(client, "import_sites", content, django_capture_on_commit_callbacks)

    assert "杭州安顺餐饮店" in client.get(response["Location"]).content.decode()
    assert not Site.objects.exists()
    done = confirm_and_run(client, "import_sites", Job.objects.get(), django_capture_on_commit_callbacks)
    assert "Imported: 1 new" in client.get(done["Location"]).content.decode()
    site = Site.objects.get(credit_code=credit_code(1))
    assert site.history.get().history_user == wulin_staff


def test_the_request_only_queues_the_org_unit_import_and_its_page_refreshes(client, district, district_admin):
    force_login_verified(client, district_admin)
    content = xlsx(UNIT_HEADERS, [["330103002051-01", "中北社区第一网格", "网格", "330103002051"]])

    response = upload(client, "import_units", content)

    assert Job.objects.get().state == "queued"
    page = client.get(response["Location"]).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page
    assert not OrgUnit.objects.filter(code="330103002051-01").exists()


def test_a_preview_with_errors_offers_no_confirm_and_a_file_of_its_problems(
    client, district, district_admin, eager, django_capture_on_commit_callbacks
):
    force_login_verified(client, district_admin)
    content = xlsx(UNIT_HEADERS, [["330103002051-01", "中北社区第一网格", "网格", "330103002099"]])

    response = upload_and_run(client, "import_units", content, django_capture_on_commit_callbacks)

    page = client.get(response["Location"]).content.decode()
    assert "<th>Row</th><th>Column</th><th>Problem</th>" in page
    assert "No unit has the code “330103002099”." in page
    assert "Nothing has been saved" in page
    assert 'data-testid="confirm-import"' not in page
    job = Job.objects.get()
    assert reverse("job_result", args=[job.pk]) in page
    problems = client.get(reverse("job_result", args=[job.pk]))
    rows = list(load_workbook(BytesIO(b"".join(problems.streaming_content))).worksheets[0].iter_rows(values_only=True))
    assert rows[1:] == [(2, "上级编码", "No unit has the code “330103002099”.")]


def test_nobody_can_see_or_confirm_another_users_upload(
    client, district, unit, district_admin, make_user, eager, django_capture_on_commit_callbacks
):
    force_login_verified(client, district_admin)
    content = xlsx(UNIT_HEADERS, [["330103002051-01", "中北社区第一网格", "网格", "330103002051"]])
    upload_and_run(client, "import_units", content, django_capture_on_commit_callbacks)
    preview = Job.objects.get()

    force_login_verified(client, make_user(Role.SYSTEM_ADMIN, unit("330103")))
    assert client.get(reverse("job_detail", args=[preview.pk])).status_code == 404
    response = client.post(reverse("import_units_confirm", args=[preview.pk]))

    assert response.status_code == 404
    assert Job.objects.count() == 1
    assert not OrgUnit.objects.filter(code="330103002051-01").exists()


def _zip_with_content_type(content_type: str) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", f'<Types><Override ContentType="{content_type}"/></Types>')
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        "编码,名称,类型,上级编码\n330103002051-01,网格,网格,330103002051\n".encode(),
        _zip_with_content_type("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
        _zip_with_content_type("application/vnd.ms-excel.sheet.macroEnabled.main+xml"),
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,
    ],
    ids=["csv", "docx", "xlsm", "xls"],
)
def test_only_xlsx_workbooks_are_accepted(client, district, district_admin, content):
    force_login_verified(client, district_admin)

    response = upload(client, "import_units", content)

    assert response.status_code == 200
    assert "This is not an Excel workbook (.xlsx)." in response.content.decode()
    assert not Job.objects.exists()


def test_a_file_over_the_size_limit_is_refused(client, district, district_admin, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1000
    force_login_verified(client, district_admin)

    response = upload(client, "import_units", division_xlsx())

    assert "files up to 1000" in response.content.decode()
    assert OrgUnit.objects.filter(code="330103002051-01").count() == 0


def test_the_template_has_the_headers_and_no_data_row(client, district, wulin_staff):
    force_login_verified(client, wulin_staff)

    response = client.get(reverse("import_sites_template"))

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows == [
        (
            "名称",
            "统一社会信用代码",
            "所属单位编码",
            "重点领域",
            "场所类别",
            "地址",
            "法定代表人",
            "联系人",
            "联系电话",
            "重大危险源",
        )
    ]


def test_the_sites_export_holds_only_what_the_user_may_see(client, district, unit, wulin_staff):
    Site.objects.create(name="武林的场所", credit_code=credit_code(1), unit=unit("330103002051"))
    Site.objects.create(name="天水的场所", credit_code=credit_code(2), unit=unit("330103003051"))
    force_login_verified(client, wulin_staff)

    response = client.get(reverse("export_sites"))

    sheet = load_workbook(BytesIO(response.content)).worksheets[0]
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["武林的场所"]


def test_codes_typed_full_width_import_as_ascii_and_a_misshapen_code_gets_one_message(plan, wulin_staff):
    full_width = str.maketrans(
        "0123456789ABCDEFGHJKLMNPQRTUWXY", "０１２３４５６７８９ＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＸＹ"
    )
    rows = [
        ["全角代码", credit_code(1).translate(full_width).lower(), "３３０１０３００２０５１", None, "企业", "否"],
        ["多一位", credit_code(2) + "1", "330103002051", None, "企业", "否"],
        ["中间有空格", credit_code(3)[:9] + " " + credit_code(3)[9:], "330103002051", None, "企业", "否"],
    ]
    report = import_sites(wulin_staff, xlsx(SITE_HEADERS, rows))
    assert report.error_tuples() == [
        (3, "统一社会信用代码", "A unified social credit code has 18 characters; this one has 19."),
        (4, "统一社会信用代码", "A unified social credit code has no spaces inside; remove the spaces."),
    ]
    report = import_sites(wulin_staff, xlsx(SITE_HEADERS, rows[:1]))
    assert report.committed, report.errors
    assert Site.objects.get(credit_code=credit_code(1)).unit.code == "330103002051"
