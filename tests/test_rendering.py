"""The renderers of a quarterly pack (D7, D8): web body, PDF, Word and Excel from one snapshot carry the same
figures; charts; uploaded Word templates. Pure: the snapshot is built by hand here, no database."""

from __future__ import annotations

import copy
import io
import re
import zipfile

import pytest

from reporting.rendering import excel, web, word
from reporting.rendering import pdf as pdf_format
from reporting.snapshot import SCHEMA_VERSION
from reporting.static_charts import chart_png, chart_svg

MONTHS = ["Apr 2026", "May 2026", "Jun 2026", "Jul 2026", "Aug 2026", "Sep 2026"]
RAG_LABELS = {"green": "Green", "amber": "Amber", "red": "Red", "not_rated": "Not rated", "missing": "Missing (M)"}
DIRECTION_LABELS = {"improving": "Improving", "maintained": "Maintained", "declining": "Declining",
                    "not_comparable": "Not comparable"}


def measure(ref, name, *, value, value_raw, target, target_raw, rag, direction, unit="percent", kpi=True,
            comments="") -> dict:
    return {
        "ref": ref, "name": name, "is_kpi": kpi, "unit": unit, "data_source": "Service returns",
        "previous": "—" if value_raw is None else value, "target": target, "ytd_plan": target, "ytd": value,
        "value": value, "value_raw": value_raw, "target_raw": target_raw, "rag": rag, "rag_label": RAG_LABELS[rag],
        "direction": direction, "direction_label": DIRECTION_LABELS[direction], "period": "September 2026",
        "officer": "Grace Okafor", "comments": comments,
    }


def action(ref, title, *, status="on_target", status_label="On target") -> dict:
    return {"ref": ref, "title": title, "owner": "Ruth Calloway", "status": status, "status_label": status_label,
            "approved_end": "31 Mar 2027", "forecast_end": "30 Sep 2027" if status.startswith("slipped") else "",
            "comment": "Procurement under way."}


def chart(title, unit="percent", *, actual=None) -> dict:
    return {"title": title, "unit": unit, "labels": MONTHS,
            "actual": actual or ["71.2", "70.4", None, "69.0", "68.1", "67.5"],
            "target": ["75.0"] * 6, "lower": ["71.3"] * 6, "upper": ["75.0"] * 6,
            "last_year": ["72.0", "72.5", "73.1", None, "74.0", "74.2"]}


def counts(**values) -> dict:
    return {"green": 0, "amber": 0, "red": 0, "not_rated": 0, "missing": 0, **values}


def directions(**values) -> dict:
    return {"improving": 0, "maintained": 0, "declining": 0, "not_comparable": 0, **values}


def build_snapshot() -> dict:
    """A Q2 Cabinet pack: two plans, eight measures (a red KPI with a recovery plan, figures in % and £), an
    exception action, benchmarking, a missing return."""
    asc = [
        measure("ASC-04", "Adults supported to live at home", value="67.5%", value_raw="67.5", target="75.0%",
                target_raw="75.0", rag="red", direction="declining", comments="Demand up 12% on last year."),
        measure("ASC-07", "Care assessments completed within 28 days", value="88.2%", value_raw="88.2",
                target="85.0%", target_raw="85.0", rag="green", direction="improving"),
        measure("ASC-11", "Cost of home care per client week", value="£1,204", value_raw="1204", target="£1,150",
                target_raw="1150", rag="amber", direction="maintained", unit="money"),
        measure("ASC-15", "Carers' satisfaction", value="—", value_raw=None, target="70%", target_raw="70",
                rag="missing", direction="not_comparable", kpi=False),
    ]
    env = [
        measure("ENV-01", "Household waste recycled", value="52.3%", value_raw="52.3", target="55.0%",
                target_raw="55.0", rag="amber", direction="improving"),
        measure("ENV-03", "Missed bins per 100,000 collections", value="41", value_raw="41", target="50",
                target_raw="50", rag="green", direction="improving", unit="rate"),
        measure("ENV-05", "Fly-tipping incidents cleared", value="1,482", value_raw="1482", target="—",
                target_raw=None, rag="not_rated", direction="maintained", unit="number", kpi=False),
        measure("ENV-09", "Spend on street cleansing", value="£2,310,450", value_raw="2310450.00",
                target="£2,400,000", target_raw="2400000.00", rag="green", direction="declining", unit="money"),
    ]
    slipped = action("ACT-12", "Open the new reablement centre", status="slipped_more",
                     status_label="Slipped (more than 3 months)")
    plans = [
        {"id": 11, "title": "Adult social care plan 2026/27", "level": "Directorate plan", "owner": "Ruth Calloway",
         "rag_counts": counts(green=1, amber=1, red=1, missing=1), "measures": asc,
         "actions": [slipped, action("ACT-14", "Recruit 20 home carers")]},
        {"id": 12, "title": "Waste and recycling service plan", "level": "Service plan", "owner": "Grace Okafor",
         "rag_counts": counts(green=2, amber=1, not_rated=1), "measures": env,
         "actions": [action("ACT-30", "Roll out food waste collections", status="delivered",
                            status_label="Delivered")]},
    ]
    return {
        "schema": SCHEMA_VERSION,
        "title": "Cabinet performance report: Q2 2026/27",
        "council": "Harrowdale Council",
        "report_type": "cabinet",
        "report_type_label": "Cabinet (tier 1)",
        "scope_label": "All plans",
        "measures_label": "Key performance indicators",
        "year_label": "2026/27",
        "quarter": 2,
        "period_label": "Q2 2026/27: July to September 2026",
        "as_of": "2026-10-20",
        "generated_at": "2026-10-20T09:30:00+01:00",
        "sections": ["overview", "plans", "exceptions", "benchmarking", "missing"],  # reporting.models.Section
        "overview": {
            "rag_counts": counts(green=3, amber=2, red=1, not_rated=1, missing=1),
            "direction_counts": directions(improving=3, maintained=2, declining=2, not_comparable=1),
            "actions_by_status": {"On target": 1, "Slipped (more than 3 months)": 1, "Delivered": 1},
            "by_priority": [
                {"title": "Living well", "rag_counts": counts(green=1, amber=1, red=1, missing=1),
                 "direction_counts": directions(improving=1, maintained=1, declining=1, not_comparable=1)},
                {"title": "A greener borough", "rag_counts": counts(green=2, amber=1, not_rated=1),
                 "direction_counts": directions(improving=2, maintained=1, declining=1)},
            ],
        },
        "plans": plans,
        "exception_rule": "At Q2 and Q4: every KPI that is Red, with the outcome owner's further information; "
                          "every action slipped more than 3 months.",
        "exceptions": {
            "measures": [
                {"row": asc[0], "plan": plans[0]["title"], "why": "A KPI rated Red at Q2.",
                 "previous_rag_label": "", "progress": "",
                 "owner_information": "Hospital discharges rose by a fifth; two providers left the market.",
                 "recovery_plan": {"causes": "Provider failure and higher demand.",
                                   "actions": "Block contract with two new providers; reablement first.",
                                   "owner": "Ruth Calloway", "expected_date": "31 Mar 2027", "status": "Open"},
                 "sign_off": "Approved by Ruth Calloway on 12 Oct 2026",
                 "chart": chart("ASC-04 Adults supported to live at home")},
                {"row": env[0], "plan": plans[1]["title"], "why": "A KPI rated Amber for two quarters.",
                 "previous_rag_label": "Amber", "progress": "Up 1.2 points since Q1.", "owner_information": "",
                 "recovery_plan": None, "sign_off": "Not signed off",
                 "chart": chart("ENV-01 Household waste recycled", actual=[None, None, "51.0", "51.8", None, "52.3"])},
            ],
            "actions": [{"action": slipped, "plan": plans[0]["title"],
                         "reason": "Planning permission took five months longer than expected.",
                         "corrective": "Temporary space leased; opening moved to September 2027."}],
        },
        "benchmarking": [
            {"ref": "ASC-04", "name": "Adults supported to live at home", "year_label": "2025/26",
             "value": "72.0%", "rank": "9th of 16", "quartile": "Third quartile", "median": "73.4%"},
            {"ref": "ENV-01", "name": "Household waste recycled", "year_label": "2025/26", "value": "50.1%",
             "rank": "3rd of 16", "quartile": "Top quartile", "median": "44.9%"},
        ],
        "missing": [{"ref": "ASC-15", "name": "Carers' satisfaction",
                     "reason": "Awaiting sign-off (submitted 3 Oct 2026)"}],
    }


def empty_snapshot() -> dict:
    snap = build_snapshot()
    snap.update(plans=[], exceptions={"measures": [], "actions": []}, benchmarking=[], missing=[], sections=[],
                overview={"rag_counts": counts(), "direction_counts": directions(), "actions_by_status": {},
                          "by_priority": []})
    return snap


def all_rows(snap: dict) -> list[dict]:
    return [m for plan in snap["plans"] for m in plan["measures"]]


@pytest.fixture(scope="module")
def snap() -> dict:
    return build_snapshot()


@pytest.fixture(scope="module")
def pdf(snap) -> bytes:
    return pdf_format.render_pdf(snap)


@pytest.fixture(scope="module")
def pdf_pages(pdf) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text)


# -- charts ---------------------------------------------------------------------------------------------------

def test_chart_svg_is_an_accessible_svg_with_the_title(snap):
    svg = chart_svg(snap["exceptions"]["measures"][0]["chart"], id_prefix="t1-")
    assert svg.startswith("<svg ")
    assert 'role="img"' in svg and "aria-label=" in svg
    assert "ASC-04 Adults supported to live at home" in svg
    assert "Percentage (%)" in svg  # the unit on the axis
    assert "<?xml" not in svg
    ids = re.findall(r'\bid="([^"]+)"', svg)
    assert ids and all(i.startswith("t1-") for i in ids)


def test_chart_png_is_a_png(snap):
    png = chart_png(snap["exceptions"]["measures"][0]["chart"], dpi=80)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("series", [
    {"title": "All gaps", "unit": "percent", "labels": MONTHS, "actual": [None] * 6, "target": [None] * 6,
     "lower": [None] * 6, "upper": [None] * 6, "last_year": [None] * 6},
    {"title": "No periods", "unit": "", "labels": [], "actual": [], "target": [], "lower": [], "upper": [],
     "last_year": []},
    {"title": "Short lists & <odd> text", "unit": "money", "labels": MONTHS, "actual": ["1.5", None],
     "target": [], "lower": ["1"], "upper": [None, "2"], "last_year": ["not a number"]},
])
def test_charts_with_missing_values_do_not_crash(series):
    svg = chart_svg(series)
    assert svg.startswith("<svg ")
    assert "&lt;odd&gt;" in svg or "<odd>" not in svg
    assert chart_png(series, dpi=60)[:4] == b"\x89PNG"


# -- web body -------------------------------------------------------------------------------------------------

def test_html_body_has_accessible_tables_charts_and_every_figure(snap):
    html = str(web.render_html_body(snap))
    assert html.count("<caption>") >= 8
    assert 'scope="col"' in html and 'scope="row"' in html
    assert html.count('<img class="pack-chart-img img-fluid" src="data:image/svg+xml;base64,') == 2  # one per exception
    assert "style=" not in html and "<style" not in html and "<svg" not in html  # the Content Security Policy
    assert "Figures in the chart of ASC-04" in html  # its data table beside it
    for row in all_rows(snap):
        for text in (row["value"], row["target"], row["rag_label"], row["direction_label"]):
            assert text in html.replace("&#x27;", "'").replace("&amp;", "&")
    headings = [int(h) for h in re.findall(r"<h([1-6])", html)]
    assert min(headings) == 2
    assert all(b - a <= 1 for a, b in zip(headings, headings[1:], strict=False))  # never skips a level
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))


# -- PDF ------------------------------------------------------------------------------------------------------

def test_pdf_carries_title_contents_and_every_figure(snap, pdf_pages):
    text = normalise(" ".join(pdf_pages))
    assert snap["title"] in text
    assert "Harrowdale Council" in text
    for row in all_rows(snap):
        for figure in (row["value"], row["target"], row["rag_label"], row["direction_label"]):
            assert figure in text, figure
    contents_page = normalise(pdf_pages[1])
    assert "Contents" in contents_page
    for entry in ("Overview", "Adult social care plan 2026/27", "Exception report",
                  "ASC-04 Adults supported to live at home", "Benchmarking", "Missing or unapproved at the time"):
        assert entry in contents_page
    assert re.search(r"Exception report\s*\.*\s*\d+", contents_page)  # with its page number
    for item in ("Open the new reablement centre", "Planning permission took five months",
                 "Block contract with two new providers", "Top quartile", "Awaiting sign-off (submitted 3 Oct 2026)"):
        assert item in text


def test_pdf_page_numbers_and_exception_pages(pdf, pdf_pages):
    n = pdf_format.count_pdf_pages(pdf)
    assert n == len(pdf_pages) > 1
    assert f"Page 1 of {n}" in pdf_pages[0]
    assert f"Page {n} of {n}" in pdf_pages[-1]
    starts = []
    for heading in ("ASC-04 Adults supported to live at home", "ENV-01 Household waste recycled"):
        pages = [i for i, page in enumerate(pdf_pages) if "Why it is reported:" in page and heading in page]
        assert len(pages) == 1, heading
        # the exception's heading is the first thing on its page (the running header and footer come last)
        assert normalise(pdf_pages[pages[0]]).startswith(heading), pdf_pages[pages[0]][:120]
        starts.append(pages[0])
    assert starts[0] < starts[1]


def test_pdf_draft_is_marked_on_every_page(snap):
    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(pdf_format.render_pdf(snap, draft=True))).pages
    assert all("DRAFT" in page.extract_text() for page in pages)


def test_pdf_fetches_nothing(snap):
    html = pdf_format.render_pdf_html(snap)
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "") or "://www.w3.org" in html
    assert not re.search(r"""(src|href)=["'](https?:|//|file:)""", html)
    with pytest.raises(ValueError):
        pdf_format._url_fetcher()("https://example.com/font.woff")


# -- Word -----------------------------------------------------------------------------------------------------

def docx_text(data: bytes):
    import docx

    document = docx.Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return document, paragraphs, cells


def test_docx_has_headings_tables_figures_and_charts(snap):
    document, paragraphs, cells = docx_text(word.render_docx(snap))
    headings = {p.text: p.style.name for p in document.paragraphs if p.style.name.startswith("Heading")}
    assert headings["Overview"] == "Heading 1"
    assert headings["Adult social care plan 2026/27"] == "Heading 2"
    assert headings["ASC-04 Adults supported to live at home"] == "Heading 2"
    everything = "\n".join(paragraphs + cells)
    for row in all_rows(snap):
        for figure in (row["value"], row["target"], row["rag_label"], row["direction_label"]):
            assert figure in everything, figure
    assert len(document.inline_shapes) == 2  # the two exception charts
    assert any(p.startswith("Figure 1: ASC-04") for p in paragraphs)
    exception_heading = next(p for p in document.paragraphs if p.text == "ASC-04 Adults supported to live at home")
    assert exception_heading.paragraph_format.page_break_before
    assert document.tables[0].style.name == "Table Grid"
    assert document.core_properties.title == snap["title"]


def make_template(*, font="Arial") -> bytes:
    import docx

    document = docx.Document()
    document.styles["Normal"].font.name = font
    document.sections[0].header.paragraphs[0].text = "Harrowdale Borough Council"
    document.add_paragraph("Template body text that must not survive.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_docx_on_an_uploaded_template_keeps_its_header_and_font(snap):
    document, paragraphs, _cells = docx_text(word.render_docx(snap, template=make_template(), draft=True))
    assert document.sections[0].header.paragraphs[-1].text == "Harrowdale Borough Council"
    assert "DRAFT" in document.sections[0].header.paragraphs[0].text
    assert document.styles["Normal"].font.name == "Arial"
    assert "Template body text that must not survive." not in paragraphs
    assert snap["title"] in paragraphs
    for section in document.sections[1:]:
        assert section.header.is_linked_to_previous  # every section shows the template's header


def test_docx_template_without_heading_or_table_styles(snap):
    """A template that never used a heading (Word stores only the styles a document uses) still works."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE

    document = docx.Document(io.BytesIO(make_template()))
    for style in list(document.styles):
        if style.name in ("Heading 1", "Heading 2", "Heading 3", "Table Grid", "Caption", "Title"):
            style.element.getparent().remove(style.element)
    out = io.BytesIO()
    document.save(out)
    result, paragraphs, _cells = docx_text(word.render_docx(snap, template=out.getvalue()))
    assert result.paragraphs[0].text == snap["title"]
    assert result.styles["Heading 1"].type == WD_STYLE_TYPE.PARAGRAPH
    assert "Overview" in paragraphs


def test_docx_accepts_a_dotx_template(snap):
    data = make_template()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "[Content_Types].xml":
                content = content.replace(b"document.main+xml", b"template.main+xml")
            target.writestr(item, content)
    document, _paragraphs, _cells = docx_text(word.render_docx(snap, template=out.getvalue()))
    assert document.sections[0].header.paragraphs[0].text == "Harrowdale Borough Council"


@pytest.mark.parametrize(("data", "message"), [
    (b"This is plain text, not a Word document.", "not a ZIP"),
    (b"%PDF-1.7 fake", "PDF"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".doc"),
    (b"", "empty"),
])
def test_docx_rejects_a_file_that_is_not_a_docx(snap, data, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        word.render_docx(snap, template=data)


def test_docx_rejects_an_excel_file_as_template(snap):
    with pytest.raises(ValueError, match="Excel workbook"):
        word.render_docx(snap, template=excel.render_xlsx(snap))


# -- Excel ----------------------------------------------------------------------------------------------------

def test_xlsx_has_the_sheets_and_numbers_as_numbers(snap):
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(excel.render_xlsx(snap)))
    assert wb.sheetnames == ["Overview", "Measures", "Actions", "Exceptions", "Benchmarking", "Missing", "About"]
    ws = wb["Measures"]
    header = [c.value for c in ws[2]]
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref.startswith("A2:")
    assert ws["A2"].font.bold
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in ws.iter_rows(min_row=3)]
    assert len(rows) == 8
    by_ref = {r["Ref"]: r for r in rows}
    assert by_ref["ASC-04"]["Figure (number)"] == 67.5
    assert by_ref["ASC-04"]["Target (number)"] == 75.0
    assert by_ref["ENV-09"]["Figure (number)"] == 2310450.0
    assert by_ref["ASC-15"]["Figure (number)"] is None
    assert by_ref["ASC-04"]["Plan"] == "Adult social care plan 2026/27"
    cells = {str(c.value) for sheet in wb for row in sheet.iter_rows() for c in row if c.value is not None}
    for row in all_rows(snap):
        for figure in (row["value"], row["target"], row["rag_label"], row["direction_label"]):
            assert figure in cells, figure
    assert wb["Overview"]["B3"].value == 3  # green, all measures: a number
    about = {row[0].value: row[1].value for row in wb["About"].iter_rows(max_col=2) if row[0].value}
    assert about["Title"] == snap["title"]
    assert about["Figures as at"] == "20 October 2026"
    assert about["Council"] == "Harrowdale Council"
    assert wb["Benchmarking"].max_row == 4 and wb["Missing"]["A3"].value == "ASC-15"


def test_xlsx_text_never_becomes_a_formula(snap):
    from openpyxl import load_workbook

    risky = copy.deepcopy(snap)
    risky["plans"][0]["measures"][0]["comments"] = "=HYPERLINK(\"http://evil\")"
    wb = load_workbook(io.BytesIO(excel.render_xlsx(risky)))
    comments = [c.value for c in wb["Measures"]["R"] if c.value and "HYPERLINK" in str(c.value)]
    assert comments == ["'=HYPERLINK(\"http://evil\")"]


# -- every format, nothing in it ------------------------------------------------------------------------------

def test_an_empty_pack_renders_in_every_format():
    snap = empty_snapshot()
    assert "No measure meets the exception rule" in str(web.render_html_body(snap))
    pdf = pdf_format.render_pdf(snap)
    assert pdf_format.count_pdf_pages(pdf) >= 2
    document, paragraphs, _cells = docx_text(word.render_docx(snap))
    assert "Every figure in this report was approved when it was assembled." in paragraphs
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(excel.render_xlsx(snap)))
    assert wb["Measures"].max_row == 2


def test_sections_choose_the_parts_shown(snap):
    only = dict(snap, sections=["overview", "missing"])
    shown = web.parts_shown(only)
    assert shown["overview"] and shown["missing"]
    assert not shown["plans"] and not shown["exceptions"] and not shown["benchmarking"]
    html = str(web.render_html_body(only))
    assert 'id="pack-overview"' in html and 'id="pack-plans"' not in html
    # the list of what was missing is shown whenever something was (D2), named or not
    assert web.parts_shown(dict(snap, sections=["overview"]))["missing"]
    # a plan's section is its scorecard and its actions; the exception report includes slipped actions
    shown = web.parts_shown(dict(snap, sections=["plans", "exceptions"]))
    assert shown["actions"] and shown["exception_actions"] and not shown["overview"]


def test_body_with_only_the_snapshot_shows_every_part(snap):
    """A page that includes _body.html with ``snap`` alone still shows every part (the charts need
    ``body_context``)."""
    from django.template.loader import render_to_string

    html = render_to_string("reporting/pack/_body.html", {"snap": snap})
    for anchor in ("pack-overview", "pack-plans", "pack-exceptions", "pack-exception-2", "pack-slipped",
                   "pack-benchmarking", "pack-missing"):
        assert f'id="{anchor}"' in html
    assert "Block contract with two new providers" in html
