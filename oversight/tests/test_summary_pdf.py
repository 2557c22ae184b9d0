"""An annual summary's PDF and workbook, as a reader holds them: the figures are the dashboard's
for the same unit and year (the district's, and a street's), the workbook holds them as numbers,
the CJK font is embedded, every section is a bookmark, each page after the cover is numbered
第 x 页 共 y 页 with y the page count, and a long table's rows are never cut by a page break, its
header row printed again at the top of every page it continues on."""

from __future__ import annotations

import datetime
import io
import shutil
import subprocess
from collections import defaultdict

import openpyxl
import pytest
from django.utils.translation import gettext as _
from django.utils.translation import override
from pypdf import PdfReader

from hazards.models import Grade, Status
from oversight.models import Metric
from oversight.selectors import dashboard_for
from oversight.summaries import contents as contents_module
from oversight.summaries import services
from oversight.tests.summaries import (
    FOOTER,
    PERIOD,
    YEAR,
    D,
    first_campaign,
    make_version,
    many_major_risks,
    pdf_pages,
    people,
    rebuilt,
    rows_in,
    stored,
    year_of_records,
)

DASH = "—"


@pytest.fixture
def who(world, make_user):
    first_campaign(world)
    year_of_records(world)
    return people(world, make_user)


def _rate(value) -> str:
    return DASH if value is None else f"{value:.1f}%"


def _hazards(f) -> list:
    return [
        f.count(Metric.HAZARDS_FOUND),
        f.count(Metric.HAZARDS_CLOSED),
        f.count(Metric.HAZARDS_CLOSED_ON_TIME),
        f.closure_rate,
        f.overdue,
        f.listed_major,
    ]


def _risks(f) -> list:
    return [*f.risk_levels, sum(f.risk_levels)]


def _reports(f) -> list:
    return [
        f.count(Metric.REPORTS_EXPECTED),
        f.count(Metric.REPORTS_FILED),
        f.count(Metric.REPORTS_ON_TIME),
        f.report_rate,
        f.timely_rate,
    ]


def _printed(name: str, values: list) -> tuple[str, ...]:
    """A table row as the PDF prints it: counts plain, rates with one decimal and %."""
    cells = [name]
    for value in values:
        cells.append(str(value) if isinstance(value, int) else _rate(value))
    return tuple(cells)


def _typed(name: str, values: list) -> tuple:
    """The same row as the workbook holds it: counts as ints, rates as numbers (per cent)."""
    return (name, *[DASH if v is None else (v if isinstance(v, int) else float(v)) for v in values])


def _expected(page) -> dict[str, list[tuple[str, list]]]:
    """Each table's rows (unit name, figures) as the dashboard of the same scope and year has them."""
    with override("zh-hans"):
        total = _("Total")
    units = [(row.unit.name, row.figures) for row in page.children]
    reporters = units + [(row.unit.name, row.figures) for row in page.departments]
    f = page.figures
    return {
        "hazards": [(n, _hazards(uf)) for n, uf in units] + [(total, _hazards(f))],
        "risks": [(n, _risks(uf)) for n, uf in units] + [(total, _risks(f))],
        "reports": [(n, _reports(uf)) for n, uf in reporters] + [(total, _reports(f))],
    }


def _workbook_rows(content: bytes) -> set[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return {tuple(cell for cell in row) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)}


def _assert_the_summary_prints_the_dashboard(version, page) -> None:
    text = "\n".join(pdf_pages(stored(version.pdf)))
    lines = rows_in(text)
    workbook = _workbook_rows(stored(version.xlsx))
    for table, rows in _expected(page).items():
        for name, values in rows:
            assert _printed(name, values) in lines, f"{table}: {_printed(name, values)} not printed"
            assert _typed(name, values) in workbook, f"{table}: {_typed(name, values)} not in the workbook"


def test_the_district_s_summary_prints_the_dashboard_s_figures_of_the_year_and_its_workbook_holds_them(world, who):
    rebuilt(world)
    office = who["office"]
    summary = services.summary_create(by=office, unit=world.district, year=YEAR)
    job, version = make_version(summary, office)
    assert job.state == "done", job.report

    page = dashboard_for(office, world.district.pk, period=PERIOD)
    f = page.figures
    # The year is not empty: every figure compared has something to count.
    assert f.count(Metric.HAZARDS_FOUND) and f.count(Metric.HAZARDS_CLOSED) and f.overdue and f.listed_major
    assert f.closure_rate not in (None, 0, 100) and f.red and f.orange and f.count(Metric.REPORTS_FILED)
    assert [row.unit.name for row in page.children] == ["A", "B"]
    _assert_the_summary_prints_the_dashboard(version, page)
    text = "\n".join(pdf_pages(stored(version.pdf)))
    assert f"{f.red}" in text and _rate(f.report_rate) in text


def test_a_street_s_summary_prints_that_street_s_dashboard(world, who):
    rebuilt(world)
    staff = who["A"]
    summary = services.summary_create(by=staff, unit=world["A"], year=YEAR)
    job, version = make_version(summary, staff)
    assert job.state == "done", job.report

    page = dashboard_for(staff, world["A"].pk, period=PERIOD)
    assert page.children and all(row.unit.parent_id == world["A"].pk for row in page.children)
    assert page.figures.count(Metric.HAZARDS_FOUND) < dashboard_for(
        who["office"], world.district.pk, period=PERIOD
    ).figures.count(Metric.HAZARDS_FOUND), "the street's own figures, not the district's"
    _assert_the_summary_prints_the_dashboard(version, page)
    lines = rows_in("\n".join(pdf_pages(stored(version.pdf))))
    assert not any(line[:1] == ("B",) for line in lines), "no row of another street"


# ---------------------------------------------------------------- the document as printed


@pytest.fixture
def laid_out(monkeypatch):
    """The WeasyPrint documents rendered while the test runs (their pages and boxes)."""
    import weasyprint

    documents = []
    render = weasyprint.HTML.render

    def recording(self, *args, **kwargs):
        documents.append(render(self, *args, **kwargs))
        return documents[-1]

    monkeypatch.setattr(weasyprint.HTML, "render", recording)
    return documents


@pytest.fixture
def long_summary(world, who, laid_out):
    """The district's summary with 40 major risks (a table of several pages), made by the job."""
    many_major_risks(world)
    rebuilt(world)
    summary = services.summary_create(by=who["office"], unit=world.district, year=YEAR)
    job, version = make_version(summary, who["office"])
    assert job.state == "done", job.report
    assert len(laid_out) == 1
    return version, laid_out[0]


def _tables(document) -> dict:
    """{table element: [(page number, header row elements, body row elements)]} as laid out."""
    from weasyprint.formatting_structure import boxes

    out = defaultdict(list)
    for number, page in enumerate(document.pages, start=1):
        for box in page._page_box.descendants():
            if isinstance(box, boxes.TableBox):
                groups = [g for g in box.children if isinstance(g, boxes.TableRowGroupBox)]
                header = [row.element for g in groups if g.is_header for row in g.children]
                body = [row.element for g in groups if not (g.is_header or g.is_footer) for row in g.children]
                out[box.element].append((number, header, body))
    return out


def test_no_table_row_is_split_across_pages_and_the_header_row_repeats(long_summary):
    version, document = long_summary
    tables = _tables(document)
    crossing = {table: pieces for table, pieces in tables.items() if len({n for n, _h, _b in pieces}) > 1}
    assert crossing, "a table crosses a page (the 40 major risks)"
    for pieces in tables.values():
        pages_of_row = defaultdict(set)
        for number, _header, body in pieces:
            for row in body:
                pages_of_row[row].add(number)
        split = [row for row, pages in pages_of_row.items() if len(pages) > 1]
        assert not split, f"rows split across pages {[sorted(pages_of_row[r]) for r in split]}"
    for pieces in crossing.values():
        headers = [header for _n, header, body in pieces if body]
        assert all(len(h) == 1 for h in headers), f"the header row on every page of the table: {headers}"
        assert len({id(h[0]) for h in headers}) == 1, "the same header row each time"
    # And as the text reads: the major risks' header opens each page they continue on.
    texts = pdf_pages(stored(version.pdf))
    head = "风险点"
    risk_pages = [t for t in texts if "号重大风险点" in t]
    assert len(risk_pages) > 1
    assert all(head in t for t in risk_pages), "each page of the table names its columns"


def test_the_pdf_embeds_its_cjk_font_has_a_bookmark_per_section_and_numbers_every_page(long_summary, tmp_path):
    version, _document = long_summary
    content = stored(version.pdf)
    reader = PdfReader(io.BytesIO(content))
    assert version.pdf_pages == len(reader.pages) > 2

    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) is not installed: ./dev setup-packages")
    path = tmp_path / "summary.pdf"
    path.write_bytes(content)
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    fonts = [line.split() for line in listing.splitlines()[2:] if line.strip()]
    cjk = [font for font in fonts if "CJK" in font[0]]
    assert cjk, listing
    # name, type (several words), encoding, emb, sub, uni, object, generation: emb is fifth from the end.
    assert all(font[-5] == "yes" for font in fonts), f"every font embedded:\n{listing}"

    summary = version.summary
    with override("zh-hans"):
        titles = contents_module.section_titles()
        appendix = _("Appendix: tables")
    top = [item["/Title"] for item in reader.outline if not isinstance(item, list)]
    expected = [f"{i}. {titles[key]}" for i, key in enumerate(contents_module.SECTION_KEYS, start=1)]
    assert top == [*expected, appendix], "a bookmark per section, and the appendix of the long tables"
    pages = [reader.get_destination_page_number(item) for item in reader.outline if not isinstance(item, list)]
    assert pages == sorted(pages) and pages[0] > 0, "the bookmarks in the order of the pages, after the cover"
    assert summary.unit.name in reader.pages[0].extract_text()

    texts = pdf_pages(content)
    assert not FOOTER.search(texts[0]), "the cover carries no page number"
    total = len(texts)
    for number, text in enumerate(texts[1:], start=2):
        assert FOOTER.findall(text) == [(str(number), str(total))], f"page {number}: {text[-80:]!r}"


def test_listed_major_hazards_are_of_the_year_and_their_closing_day_as_beijing_reads_it(world, who):
    def listed_and_closed(found, listed, closed):
        hazard = world.hazard(
            "b1", 0, found=world.at(found), grade=Grade.MAJOR, status=Status.CLOSED, assigned_at=world.at(found),
            deadline=listed + datetime.timedelta(days=60), rectified_at=world.at(closed.date(), 6),
            closed_at=closed,
        )
        world.listing(hazard, listed)
        return hazard

    # Closed at 07:30 in Beijing (23:30 the day before in UTC); and at 03:00 on New Year's Day.
    morning = listed_and_closed(D(2020, 8, 3), D(2020, 8, 5), world.at(D(2020, 9, 10), 7).replace(minute=30))
    new_year = listed_and_closed(D(2019, 12, 2), D(2019, 12, 5), world.at(D(2020, 1, 1), 3))
    rebuilt(world)
    summary = services.summary_create(by=who["office"], unit=world.district, year=YEAR)
    job, version = make_version(summary, who["office"])
    assert job.state == "done", job.report

    text = "".join("".join(pdf_pages(stored(version.pdf))).split())  # a narrow cell wraps its text
    assert morning.number in text and "2020-09-10" in text
    assert "2020-09-09" not in text, "the closing day in UTC"
    assert new_year.number in text, "closed in 2020 as Beijing counts it: one of the year's listed hazards"
    assert "2020-01-01" in text and "2019-12-31" not in text


def test_a_list_longer_than_the_pdf_prints_says_how_many_and_the_workbook_holds_every_row(world, who, monkeypatch):
    """A city's register runs to thousands of 重大 and 较大 risks: the PDF prints the first rows,
    the 重大 first, says how many there are, and the workbook lists every one."""
    monkeypatch.setattr(contents_module, "LIST_LIMIT", 12)
    many_major_risks(world, n=30)
    rebuilt(world)
    summary = services.summary_create(by=who["office"], unit=world.district, year=YEAR)
    job, version = make_version(summary, who["office"])
    assert job.state == "done", job.report
    text = "".join(pdf_pages(stored(version.pdf))).replace("\n", "").replace(" ", "")
    listed = next(t for t in version.snapshot["sections"][1]["tables"] if t["key"] == "major_risks")
    assert listed["total"] > 30 and len(listed["rows"]) == 12
    shown = {row[0][:9] for row in listed["rows"] if row[0].startswith("第")}
    printed = {f"第{n:02d}号重大风险点" for n in range(1, 31) if f"第{n:02d}号重大风险点" in text}
    assert shown and printed == shown, (sorted(printed), sorted(shown))
    from risks.models import Level

    with override("zh-hans"):
        major = str(Level.MAJOR.label)
    assert all(row[1] == major for row in listed["rows"]), "the 重大 first"
    assert f"前12条，共{listed['total']}条" in text
    book = openpyxl.load_workbook(io.BytesIO(stored(version.xlsx)), read_only=True)
    sheet = next(book[name] for name in book.sheetnames if name.startswith("重大、较大风险"))
    assert len(list(sheet.iter_rows())) == listed["total"] + 1, "every row, under its header"
