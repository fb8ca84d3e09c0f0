"""Renderers of a quarterly pack (D7, D8): the web page's body, PDF, Word and the Excel annex, each from the
pack's *snapshot* (``reporting.snapshot``) and nothing else, so that the formats cannot disagree.

- Web: ``templates/reporting/pack/_body.html`` with the context of ``body_context(snapshot)`` (or the whole body
  as HTML from ``render_html_body``). Bootstrap classes; tables with captions and scoped headers; each chart an
  inline SVG (``role="img"``) beside its data table; RAG and direction always as words.
- PDF: WeasyPrint over ``templates/reporting/pack/pdf.html``, which shares the section partials with the web
  body. A4 (the scorecards on landscape pages), a cover, contents with page numbers, "Page X of Y" in the footer,
  one page per exception. Nothing is fetched: the only URLs allowed are ``data:`` URIs; fonts are the system's.
- Word: python-docx, on the council's uploaded .docx template when there is one (its styles, fonts, headers and
  footers kept, its body replaced).
- Excel: openpyxl, one sheet per part, figures as numbers (from the snapshot's raw decimal strings).

The snapshot's display strings are final: nothing here formats a figure again, except the chart data tables,
whose series are raw decimal strings.
"""

from __future__ import annotations

import base64
import io
import zipfile
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from reporting.exports import guard
from reporting.static_charts import chart_png, chart_svg, unit_label

PDF_TEMPLATE = "reporting/pack/pdf.html"
BODY_TEMPLATE = "reporting/pack/_body.html"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_CONTENT_TYPE = "application/pdf"

#: RAG colours with at least 4.5:1 contrast against white text (as ``static/css/pmf.css``); the word is always
#: shown beside the colour. Keys are the snapshot's RAG values (and the model's "measured").
RAG_COLOURS = {
    "green": "00703C",
    "amber": "8A4500",
    "red": "B3261E",
    "not_rated": "505A5F",
    "measured": "505A5F",
    "missing": "3D3D3D",
}
RAG_KEYS = (("green", "Green"), ("amber", "Amber"), ("red", "Red"), ("not_rated", "Not rated"),
            ("missing", "Missing (M)"))
DIRECTION_KEYS = (("improving", "Improving"), ("maintained", "Maintained"), ("declining", "Declining"),
                  ("not_comparable", "Not comparable"))
DIRECTION_SYMBOLS = {"improving": "▲", "maintained": "▶", "declining": "▼"}

#: The parts of a pack, in the order every format shows them (that of ``reporting.models.Section``), and the names
#: a report definition's ``sections`` may give them. A definition naming none of these shows everything.
PARTS = ("overview", "plans", "actions", "exceptions", "exception_actions", "benchmarking", "missing")
SECTION_ALIASES = {
    "overview": "overview", "summary": "overview", "counts": "overview",
    "plans": "plans", "scorecard": "plans", "scorecards": "plans", "measures": "plans", "kpis": "plans",
    "actions": "actions",
    "exceptions": "exceptions", "exception": "exceptions", "exception_measures": "exceptions",
    "exception_report": "exceptions",
    "exception_actions": "exception_actions", "slipped_actions": "exception_actions",
    "benchmarking": "benchmarking",
    "missing": "missing", "unapproved": "missing",
}

#: The D5 scorecard columns (as ``reporting.scorecard.COLUMNS``), with the MeasureRow key each shows.
SCORECARD_COLUMNS = (
    ("Indicator", "name"), ("Data source", "data_source"), ("Previous year's performance", "previous"),
    ("Target for the year", "target"), ("Year-to-date plan", "ytd_plan"), ("Year-to-date performance", "ytd"),
    ("RAG", "rag_label"), ("Trend", "direction_label"), ("Reporting period", "period"),
    ("Accountable officer", "officer"), ("Comments", "comments"),
)


# -- shared preparation ---------------------------------------------------------------------------------------

def _display_date(text: str | None) -> str:
    if not text:
        return ""
    try:
        return date.fromisoformat(text[:10]).strftime("%-d %B %Y")
    except ValueError:
        return text


def _display_datetime(text: str | None) -> str:
    if not text:
        return ""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    return moment.strftime("%-d %B %Y at %H:%M")


def _decimal(text) -> Decimal | None:
    if text is None or text == "":
        return None
    try:
        value = Decimal(str(text))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def chart_figure(text: str | None, unit: str) -> str:
    """A chart series value for its data table: the decimal as given, with the unit's sign ("—" for none)."""
    value = _decimal(text)
    if value is None:
        return "—"
    if unit == "percent":
        return f"{value}%"
    if unit == "money":
        return f"-£{-value:,}" if value < 0 else f"£{value:,}"
    return f"{value:,}"


def chart_rows(chart: dict) -> list[dict]:
    """The chart's series as rows (one per period), for the data table beside it."""
    unit = chart.get("unit") or ""
    labels = chart.get("labels") or []

    def at(key: str, i: int):
        values = chart.get(key) or []
        return values[i] if i < len(values) else None

    rows = []
    for i, label in enumerate(labels):
        lower, upper = at("lower", i), at("upper", i)
        if lower is None and upper is None:
            band = "—"
        else:
            band = f"{chart_figure(lower, unit)} to {chart_figure(upper, unit)}"
        rows.append({"label": label, "actual": chart_figure(at("actual", i), unit),
                     "target": chart_figure(at("target", i), unit), "band": band,
                     "last_year": chart_figure(at("last_year", i), unit)})
    return rows


def parts_shown(snapshot: dict) -> dict[str, bool]:
    """Which parts the pack shows: those its definition's ``sections`` name (everything when it names none
    that we know). What was missing or unapproved is always shown when there was any (D2)."""
    named = {SECTION_ALIASES[s] for s in snapshot.get("sections") or [] if s in SECTION_ALIASES}
    shown = {part: (not named or part in named) for part in PARTS}
    if "plans" in named:
        shown["actions"] = True  # a plan's section is its scorecard and its actions
    if "exceptions" in named:
        shown["exception_actions"] = True  # D3: the exception report covers slipped actions too
    if snapshot.get("missing"):
        shown["missing"] = True
    return shown


def _exceptions(snapshot: dict) -> dict:
    return snapshot.get("exceptions") or {"measures": [], "actions": []}


def contents(snapshot: dict) -> list[dict]:
    """The table of contents: anchor, title and level (1 a part, 2 within it), for what the pack shows."""
    shown = parts_shown(snapshot)
    entries = []
    if shown["overview"]:
        entries.append({"anchor": "pack-overview", "title": "Overview", "level": 1})
    if (shown["plans"] or shown["actions"]) and snapshot.get("plans"):
        entries.append({"anchor": "pack-plans", "title": "Plans", "level": 1})
        entries += [{"anchor": f"pack-plan-{plan['id']}", "title": plan["title"], "level": 2}
                    for plan in snapshot["plans"]]
    exc = _exceptions(snapshot)
    if shown["exceptions"]:
        entries.append({"anchor": "pack-exceptions", "title": "Exception report", "level": 1})
        entries += [{"anchor": f"pack-exception-{i}", "title": f"{em['row']['ref']} {em['row']['name']}",
                     "level": 2} for i, em in enumerate(exc.get("measures") or [], start=1)]
    if shown["exception_actions"] and exc.get("actions"):
        entries.append({"anchor": "pack-slipped", "title": "Actions slipped more than 3 months", "level": 1})
    if shown["benchmarking"] and snapshot.get("benchmarking"):
        entries.append({"anchor": "pack-benchmarking", "title": "Benchmarking", "level": 1})
    if shown["missing"]:
        entries.append({"anchor": "pack-missing", "title": "Missing or unapproved at the time", "level": 1})
    return entries


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def body_context(snapshot: dict, *, for_pdf: bool = False) -> dict:
    """The context of ``_body.html`` (and of the PDF's shared partials): ``snap``, the snapshot itself, and
    what a template cannot work out from it: ``pack_exceptions`` (the exception measures, each with ``svg``,
    its chart, and ``chart_rows``, its data table), ``pack_show`` (the parts shown), ``pack_contents``, and
    the dates for display."""
    exceptions = []
    for i, em in enumerate(_exceptions(snapshot).get("measures") or [], start=1):
        chart = em.get("chart") or {}
        label = (f"Chart of {em['row']['ref']} {em['row']['name']}: actual figures against the target"
                 f"{' and tolerance band' if any(chart.get('lower') or []) else ''}, by period. "
                 "The figures are in the table beside it.")
        svg = chart_svg(chart, id_prefix=f"pack-c{i}-", label=label)
        exceptions.append({**em, "index": i, "svg": SafeString(svg),
                           "img_src": _data_uri(svg) if for_pdf else "", "chart_label": label,
                           "chart_unit": unit_label(chart.get("unit") or ""),
                           "chart_rows": chart_rows(chart)})
    return {
        "snap": snapshot,
        "pack_exceptions": exceptions,
        "pack_show": parts_shown(snapshot),
        "pack_contents": contents(snapshot),
        "pack_as_of": _display_date(snapshot.get("as_of")),
        "pack_generated": _display_datetime(snapshot.get("generated_at")),
        "pack_pdf": for_pdf,
    }


def render_html_body(snapshot: dict) -> SafeString:
    """The pack's body for the web page (to place inside the page's own ``<main>``, below its ``<h1>``)."""
    return SafeString(render_to_string(BODY_TEMPLATE, body_context(snapshot)))


# -- PDF ------------------------------------------------------------------------------------------------------

def _url_fetcher():
    """WeasyPrint's fetcher for packs: ``data:`` URIs only, never the network or the file system."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False)


def render_pdf_html(snapshot: dict, *, draft: bool = False) -> str:
    """The HTML that becomes the PDF (for debugging a layout in a browser)."""
    context = body_context(snapshot, for_pdf=True)
    context["draft"] = draft
    return render_to_string(PDF_TEMPLATE, context)


def render_pdf(snapshot: dict, *, draft: bool = False) -> bytes:
    """The pack as a PDF for committee papers; ``draft`` marks every page "DRAFT"."""
    from weasyprint import HTML

    html = render_pdf_html(snapshot, draft=draft)
    return HTML(string=html, base_url=None, url_fetcher=_url_fetcher()).write_pdf()


def count_pdf_pages(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


# -- Word -----------------------------------------------------------------------------------------------------

_WML_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_WML_TEMPLATE = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
_WML_MACRO = "application/vnd.ms-word.document.macroEnabled.main+xml"
_WML_MACRO_TEMPLATE = "application/vnd.ms-word.template.macroEnabledTemplate.main+xml"


def _template_package(template: bytes) -> bytes:
    """Check an uploaded template is a Word document and return it as .docx bytes (a .dotx template is accepted
    and read as a document). Raises ``ValueError`` naming the problem."""
    if not template:
        raise ValueError("The template is empty: upload a Word document (.docx).")
    if not zipfile.is_zipfile(io.BytesIO(template)):
        if template[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise ValueError("The template is an old-style Word file (.doc): open it in Word and save it as a "
                             "Word document (.docx).")
        if template[:5] == b"%PDF-":
            raise ValueError("The template is a PDF, not a Word document (.docx).")
        raise ValueError("The template is not a Word document (.docx): the file is not a .docx package "
                         "(not a ZIP file).")
    try:
        with zipfile.ZipFile(io.BytesIO(template)) as package:
            names = set(package.namelist())
            if "[Content_Types].xml" not in names:
                raise ValueError("The template is not a Word document (.docx): it has no [Content_Types].xml.")
            types = package.read("[Content_Types].xml").decode("utf-8", "replace")
            if _WML_MACRO in types or _WML_MACRO_TEMPLATE in types:
                raise ValueError("The template is a macro-enabled Word file (.docm or .dotm): save it as a "
                                 "Word document (.docx) without macros.")
            if _WML_TEMPLATE in types:
                return _retype(package, types.replace(_WML_TEMPLATE, _WML_MAIN))
            if _WML_MAIN not in types:
                if "spreadsheetml" in types:
                    raise ValueError("The template is an Excel workbook, not a Word document (.docx).")
                if "presentationml" in types:
                    raise ValueError("The template is a PowerPoint file, not a Word document (.docx).")
                raise ValueError("The template is not a Word document (.docx): it has no Word document part.")
    except zipfile.BadZipFile as exc:
        raise ValueError(f"The template is not a Word document (.docx): the file is damaged ({exc}).") from None
    return template


def _retype(package: zipfile.ZipFile, types: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy_:
        for item in package.infolist():
            data = types.encode("utf-8") if item.filename == "[Content_Types].xml" else package.read(item)
            copy_.writestr(item, data)
    return out.getvalue()


def _open_template(template: bytes | None):
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    if template is None:
        return docx.Document(), False
    package = _template_package(template)
    try:
        document = docx.Document(io.BytesIO(package))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ValueError(f"The template is not a Word document (.docx) that can be read: {exc}") from None
    except Exception as exc:  # lxml's XMLSyntaxError and the like: a damaged document
        raise ValueError(f"The template is a damaged Word document (.docx): {exc}") from None
    body = document.element.body
    for child in list(body):
        if child.tag.endswith("}sectPr"):
            continue  # the last section's page setup and header / footer references stay
        body.remove(child)
    return document, True


class _Word:
    """Writes the pack into a python-docx Document, with the template's styles where it has them."""

    def __init__(self, document, *, from_template: bool):
        from docx.enum.style import WD_STYLE_TYPE

        self.doc = document
        self.from_template = from_template
        names = {s.name for s in document.styles if s.type == WD_STYLE_TYPE.PARAGRAPH}
        table_names = {s.name for s in document.styles if s.type == WD_STYLE_TYPE.TABLE}
        self.table_style = "Table Grid" if "Table Grid" in table_names else None
        self.caption_style = "Caption" if "Caption" in names else None
        self.title_style = "Title" if "Title" in names else None
        for level in (1, 2, 3):
            if f"Heading {level}" not in names:
                self._add_heading_style(level)
        self.figure = 0

    def _add_heading_style(self, level: int) -> None:
        """A template without the built-in heading style gets one, as Word would define it."""
        from docx.enum.style import WD_STYLE_TYPE
        from docx.oxml.ns import qn
        from docx.oxml.parser import OxmlElement
        from docx.shared import Pt

        style = self.doc.styles.add_style(f"Heading {level}", WD_STYLE_TYPE.PARAGRAPH, builtin=True)
        style.base_style = self.doc.styles["Normal"]
        style.next_paragraph_style = self.doc.styles["Normal"]
        style.font.bold = True
        style.font.size = Pt({1: 16, 2: 13, 3: 11}[level])
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.space_before = Pt(12 if level == 1 else 8)
        style.paragraph_format.space_after = Pt(4)
        outline = OxmlElement("w:outlineLvl")
        outline.set(qn("w:val"), str(level - 1))
        style.element.get_or_add_pPr().append(outline)

    # -- blocks --

    def heading(self, text: str, level: int, *, page_break: bool = False):
        paragraph = self.doc.add_heading(text, level)
        if page_break:
            paragraph.paragraph_format.page_break_before = True
        return paragraph

    def para(self, text: str = "", *, bold_label: str = "", italic: bool = False, style: str | None = None):
        paragraph = self.doc.add_paragraph(style=style)
        if bold_label:
            paragraph.add_run(bold_label + " ").bold = True
        if text:
            paragraph.add_run(text).italic = italic
        return paragraph

    def table(self, headers: list[str], rows: list[list[str]], *, rag_column: int | None = None,
              rag_keys: list[str] | None = None, widths_cm: list[float] | None = None, font_pt: float = 8.5):
        from docx.shared import Cm, Pt

        table = self.doc.add_table(rows=1, cols=len(headers))
        if self.table_style:
            table.style = self.table_style
        header_cells = table.rows[0].cells
        for cell, text in zip(header_cells, headers, strict=True):
            run = cell.paragraphs[0].add_run(text)
            run.bold = True
            run.font.size = Pt(font_pt)
        self._repeat_header(table.rows[0])
        for r, values in enumerate(rows):
            cells = table.add_row().cells
            for c, (cell, text) in enumerate(zip(cells, values, strict=True)):
                run = cell.paragraphs[0].add_run(text or "")
                run.font.size = Pt(font_pt)
                if rag_column is not None and c == rag_column and rag_keys is not None:
                    colour = RAG_COLOURS.get(rag_keys[r])
                    if colour:
                        self._shade(cell, colour)
                        run.bold = True
                        run.font.color.rgb = _rgb("FFFFFF")
        if widths_cm:
            for row in table.rows:
                for cell, width in zip(row.cells, widths_cm, strict=False):
                    cell.width = Cm(width)
        self.doc.add_paragraph()
        return table

    def key_values(self, pairs: list[tuple[str, str]]):
        return self.table(["", ""], [[k, v] for k, v in pairs], widths_cm=[5, 11])

    def picture(self, png: bytes, caption: str, *, width_cm: float = 16.0):
        from docx.shared import Cm

        self.doc.add_picture(io.BytesIO(png), width=Cm(width_cm))
        self.figure += 1
        text = f"Figure {self.figure}: {caption}"
        if self.caption_style:
            self.doc.add_paragraph(text, style=self.caption_style)
        else:
            self.para(text, italic=True)

    @staticmethod
    def _shade(cell, colour: str) -> None:
        from docx.oxml.ns import qn
        from docx.oxml.parser import OxmlElement

        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:color"), "auto")
        shd.set(qn("w:fill"), colour)
        cell._tc.get_or_add_tcPr().append(shd)

    @staticmethod
    def _repeat_header(row) -> None:
        from docx.oxml.ns import qn
        from docx.oxml.parser import OxmlElement

        header = OxmlElement("w:tblHeader")
        header.set(qn("w:val"), "true")
        row._tr.get_or_add_trPr().append(header)

    def section(self, *, landscape: bool):
        from docx.enum.section import WD_ORIENT, WD_SECTION

        previous = self.doc.sections[-1]
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        width, height = previous.page_width, previous.page_height
        if landscape != (width > height):
            section.page_width, section.page_height = height, width
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        return section

    def text_width_cm(self) -> float:
        section = self.doc.sections[-1]
        return (section.page_width - section.left_margin - section.right_margin) / 360000

    def contents_field(self, entries: list[dict]) -> None:
        """A Word table of contents (a TOC field Word fills in with page numbers when the reader updates it),
        showing the entries' titles until then."""
        from docx.oxml.ns import qn
        from docx.oxml.parser import OxmlElement

        def fld(paragraph, kind: str) -> None:
            run = paragraph.add_run()
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)

        first = self.doc.add_paragraph()
        fld(first, "begin")
        instr = OxmlElement("w:instrText")
        instr.set(qn("xml:space"), "preserve")
        instr.text = ' TOC \\o "1-2" \\h \\z \\u '
        first.add_run()._r.append(instr)
        fld(first, "separate")
        first.add_run("Contents (in Word, right-click here and choose Update Field to add page numbers)").italic = True
        last = first
        for entry in entries:
            last = self.doc.add_paragraph(("    " if entry["level"] == 2 else "") + entry["title"])
        fld(last, "end")

    def page_numbers(self) -> None:
        """A "Page X of Y" footer, unless the template has a footer of its own."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml.ns import qn
        from docx.oxml.parser import OxmlElement

        footer = self.doc.sections[0].footer
        if self.from_template and not footer.is_linked_to_previous and any(p.text.strip()
                                                                           for p in footer.paragraphs):
            return
        paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT

        def field(code: str) -> None:
            for kind, text in (("begin", None), (None, code), ("separate", None), (None, "1"), ("end", None)):
                run = paragraph.add_run()
                if kind:
                    char = OxmlElement("w:fldChar")
                    char.set(qn("w:fldCharType"), kind)
                    run._r.append(char)
                elif text == code:
                    instr = OxmlElement("w:instrText")
                    instr.set(qn("xml:space"), "preserve")
                    instr.text = f" {code} "
                    run._r.append(instr)
                else:
                    run.text = text

        paragraph.add_run("Page ")
        field("PAGE")
        paragraph.add_run(" of ")
        field("NUMPAGES")

    def draft_header(self) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        header = self.doc.sections[0].header
        existing = header.paragraphs
        paragraph = existing[0].insert_paragraph_before() if existing else header.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run("DRAFT: not for publication")
        run.bold = True
        run.font.color.rgb = _rgb(RAG_COLOURS["red"])


def _rgb(hex_colour: str):
    from docx.shared import RGBColor

    return RGBColor.from_string(hex_colour)


def _counts_row(counts: dict | None, keys) -> list[str]:
    counts = counts or {}
    return [str(counts.get(key, 0)) for key, _label in keys]


def _measure_cells(row: dict) -> list[str]:
    name = f"{row.get('ref', '')} {row.get('name', '')}".strip()
    if row.get("is_kpi"):
        name += " (KPI)"
    value = row.get("value") or ""
    ytd = row.get("ytd") or ""
    if value and value != ytd:  # the period's figure, where it is not the year-to-date one
        ytd = f"{ytd} (period: {value})" if ytd else value
    return [name, row.get("data_source", ""), row.get("previous", ""), row.get("target", ""),
            row.get("ytd_plan", ""), ytd, row.get("rag_label", ""), _direction(row), row.get("period", ""),
            row.get("officer", ""), row.get("comments", "")]


def _direction(row: dict) -> str:
    symbol = DIRECTION_SYMBOLS.get(row.get("direction", ""))
    label = row.get("direction_label", "")
    return f"{symbol} {label}" if symbol and label else label


def render_docx(snapshot: dict, *, template: bytes | None = None, draft: bool = False) -> bytes:
    """The pack as a Word document, on the council's .docx ``template`` when given (its styles, fonts, headers
    and footers kept, its body replaced). Raises ``ValueError`` when the template is not a usable .docx."""
    document, from_template = _open_template(template)
    w = _Word(document, from_template=from_template)
    snap = snapshot
    shown = parts_shown(snap)
    exc = _exceptions(snap)

    props = document.core_properties
    props.title = snap.get("title", "")
    props.subject = snap.get("period_label", "")
    props.keywords = "performance report"
    if draft:
        w.draft_header()
    w.page_numbers()

    # Cover
    if w.title_style:
        w.para(snap.get("title", ""), style=w.title_style)
    else:
        w.heading(snap.get("title", ""), 1)
    if draft:
        w.para("DRAFT: not for publication", bold_label="")
    w.para(snap.get("council", ""), bold_label="Council:")
    w.para(snap.get("report_type_label", ""), bold_label="Report:")
    w.para(snap.get("period_label", ""), bold_label="Period:")
    w.para(f"{snap.get('scope_label', '')}; {snap.get('measures_label', '')}", bold_label="Covers:")
    w.para(_display_date(snap.get("as_of")), bold_label="Figures as at:")
    w.para(_display_datetime(snap.get("generated_at")), bold_label="Assembled:")
    entries = contents(snap)
    w.heading("Contents", 1)
    w.contents_field(entries)

    if shown["overview"]:
        overview = snap.get("overview") or {}
        w.heading("Overview", 1, page_break=True)
        w.heading("Measures by RAG status", 2)
        w.table([label for _k, label in RAG_KEYS], [_counts_row(overview.get("rag_counts"), RAG_KEYS)])
        w.heading("Measures by direction of travel", 2)
        w.table([label for _k, label in DIRECTION_KEYS],
                [_counts_row(overview.get("direction_counts"), DIRECTION_KEYS)])
        by_status = overview.get("actions_by_status") or {}
        if by_status:
            w.heading("Actions by status", 2)
            w.table(["Status", "Actions"], [[label, str(n)] for label, n in by_status.items()])
        priorities = overview.get("by_priority") or []
        if priorities:
            w.heading("RAG status by priority", 2)
            w.table(["Priority"] + [label for _k, label in RAG_KEYS],
                    [[p.get("title", "")] + _counts_row(p.get("rag_counts"), RAG_KEYS) for p in priorities])
            w.heading("Direction of travel by priority", 2)
            w.table(["Priority"] + [label for _k, label in DIRECTION_KEYS],
                    [[p.get("title", "")] + _counts_row(p.get("direction_counts"), DIRECTION_KEYS)
                     for p in priorities])

    plans = snap.get("plans") or []
    if (shown["plans"] or shown["actions"]) and plans:
        w.section(landscape=True)
        w.heading("Plans", 1)
        for i, plan in enumerate(plans):
            w.heading(plan.get("title", ""), 2, page_break=i > 0)
            w.para(f"{plan.get('level', '')}. Owner: {plan.get('owner', '') or '—'}.")
            w.para("; ".join(f"{label} {n}" for label, n in zip(
                [label for _k, label in RAG_KEYS], _counts_row(plan.get("rag_counts"), RAG_KEYS), strict=True)),
                bold_label="Measures by RAG status:")
            measures = plan.get("measures") or []
            if shown["plans"]:
                w.heading(f"Scorecard: {plan.get('title', '')}", 3)
                if measures:
                    w.table([h for h, _k in SCORECARD_COLUMNS], [_measure_cells(m) for m in measures],
                            rag_column=6, rag_keys=[m.get("rag", "") for m in measures],
                            widths_cm=[4.2, 2.4, 1.8, 1.8, 1.8, 2.0, 1.7, 1.9, 1.9, 2.2, 4.6], font_pt=7.5)
                else:
                    w.para("No measures in this plan for this report.")
            actions = plan.get("actions") or []
            if shown["actions"]:
                w.heading(f"Actions: {plan.get('title', '')}", 3)
                if actions:
                    w.table(["Action", "Owner", "Status", "Approved end", "Forecast end", "Comment"],
                            [[f"{a.get('ref', '')} {a.get('title', '')}".strip(), a.get("owner", ""),
                              a.get("status_label", ""), a.get("approved_end", "") or "—",
                              a.get("forecast_end", "") or "—", a.get("comment", "")] for a in actions],
                            widths_cm=[6.5, 3, 3.2, 2.4, 2.4, 8], font_pt=8)
                else:
                    w.para("No actions in this plan for this report.")
        w.section(landscape=False)
        first_break = False
    else:
        first_break = True

    measures = exc.get("measures") or []
    if shown["exceptions"]:
        w.heading("Exception report", 1, page_break=first_break)
        w.para(snap.get("exception_rule", ""), bold_label="Rule applied:")
        if not measures:
            w.para("No measure meets the exception rule this quarter.")
        else:
            w.table(["Measure", "Plan", "RAG", "Why it is reported"],
                    [[f"{em['row'].get('ref', '')} {em['row'].get('name', '')}", em.get("plan", ""),
                      em["row"].get("rag_label", ""), em.get("why", "")] for em in measures],
                    rag_column=2, rag_keys=[em["row"].get("rag", "") for em in measures], widths_cm=[5, 4, 2, 5])
        quarter = snap.get("quarter") or 0
        width = min(16.0, w.text_width_cm())
        for em in measures:
            row = em["row"]
            w.heading(f"{row.get('ref', '')} {row.get('name', '')}", 2, page_break=True)
            w.key_values([
                ("Plan", em.get("plan", "")),
                ("Figure", f"{row.get('value', '')} ({row.get('period', '')})"),
                ("Target for the year", row.get("target", "")),
                ("Year to date", f"{row.get('ytd', '')} against a plan of {row.get('ytd_plan', '')}"),
                ("RAG", row.get("rag_label", "")),
                ("Direction of travel", row.get("direction_label", "")),
                ("Accountable officer", row.get("officer", "")),
            ])
            w.para(em.get("why", ""), bold_label="Why it is reported:")
            chart = em.get("chart") or {}
            if chart.get("labels"):
                w.picture(chart_png(chart), f"{chart.get('title', '')}: actual figures against the target, "
                                            "tolerance band and last year", width_cm=width)
            if quarter in (1, 3) or em.get("previous_rag_label") or em.get("progress"):
                w.heading("Progress since the previous quarter", 3)
                w.para(em.get("previous_rag_label", "") or "—", bold_label="Rating at the previous quarter:")
                w.para(em.get("progress", "") or "—")
            if quarter not in (1, 3) or em.get("owner_information"):
                w.heading("Further information from the outcome owner", 3)
                w.para(em.get("owner_information", "") or "None given.")
            w.heading("Recovery plan", 3)
            plan_info = em.get("recovery_plan")
            if plan_info:
                w.key_values([("Causes", plan_info.get("causes", "")), ("Actions", plan_info.get("actions", "")),
                              ("Owner", plan_info.get("owner", "")),
                              ("Expected back on target", plan_info.get("expected_date", "")),
                              ("Status", plan_info.get("status", ""))])
            else:
                w.para("No recovery plan has been recorded.")
            w.para(em.get("sign_off", ""), bold_label="Sign-off:")

    slipped = exc.get("actions") or []
    if shown["exception_actions"] and slipped:
        w.heading("Actions slipped more than 3 months", 1, page_break=True)
        w.table(["Action", "Plan", "Owner", "Status and dates", "Reasons for the slip", "Corrective actions"],
                [[f"{ea['action'].get('ref', '')} {ea['action'].get('title', '')}", ea.get("plan", ""),
                  ea["action"].get("owner", ""),
                  f"{ea['action'].get('status_label', '')}; approved end {ea['action'].get('approved_end') or '—'}"
                  f"; forecast end {ea['action'].get('forecast_end') or '—'}",
                  ea.get("reason", ""), ea.get("corrective", "")] for ea in slipped],
                widths_cm=[3.2, 2.4, 2.2, 2.6, 3, 3], font_pt=8)

    bench = snap.get("benchmarking") or []
    if shown["benchmarking"] and bench:
        w.heading("Benchmarking", 1, page_break=True)
        w.table(["Measure", "Year", "Our figure", "Rank", "Quartile", "Comparators' median"],
                [[f"{b.get('ref', '')} {b.get('name', '')}", b.get("year_label", ""), b.get("value", ""),
                  b.get("rank", ""), b.get("quartile", ""), b.get("median", "")] for b in bench])

    if shown["missing"]:
        w.heading("Missing or unapproved at the time", 1, page_break=not bench)
        missing = snap.get("missing") or []
        if missing:
            w.para("These measures had no approved figure for the period when the report was assembled; the "
                   "report shows them as missing.")
            w.table(["Measure", "Reason"], [[f"{m.get('ref', '')} {m.get('name', '')}", m.get("reason", "")]
                                           for m in missing], widths_cm=[8, 8])
        else:
            w.para("Every figure in this report was approved when it was assembled.")

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# -- Excel ----------------------------------------------------------------------------------------------------

def _places(raw: str | None) -> int:
    value = _decimal(raw)
    if value is None:
        return 0
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _number_format(unit: str, places: int) -> str:
    base = "#,##0" + ("." + "0" * places if places else "")
    if unit == "percent":
        return base + '"%"'
    if unit == "money":
        return '"£"' + base
    if unit == "days":
        return base + '" days"'
    return base


class _Sheet:
    """One sheet of the annex in the house style of ``reporting.exports``: a title row, a bold frozen header row
    with an autofilter, column widths, text cells that never become formulas."""

    def __init__(self, wb, title: str, heading: str, columns: list[tuple[str, int]]):
        from openpyxl.styles import Alignment, Font
        from openpyxl.utils import get_column_letter

        self.ws = wb.create_sheet(title)
        self.columns = columns
        self.row = 2
        cell = self.text(1, 1, heading)
        cell.font = Font(bold=True, size=13)
        for c, (name, width) in enumerate(columns, start=1):
            cell = self.text(2, c, name)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            self.ws.column_dimensions[get_column_letter(c)].width = width
        self.ws.freeze_panes = "A3"
        self.ws.print_title_rows = "2:2"

    def text(self, row: int, column: int, text):
        cell = self.ws.cell(row=row, column=column)
        cell.value = guard(str(text)) if text not in (None, "") else None
        if cell.value is not None:
            cell.data_type = "s"
        return cell

    def add(self, values: list, *, formats: dict[int, str] | None = None, rag: str | None = None,
            rag_column: int | None = None):
        from openpyxl.styles import Alignment, Font, PatternFill

        self.row += 1
        for c, value in enumerate(values, start=1):
            if isinstance(value, int | float) and not isinstance(value, bool):
                cell = self.ws.cell(row=self.row, column=c, value=value)
                if formats and c in formats:
                    cell.number_format = formats[c]
            else:
                cell = self.text(self.row, c, value)
                if self.columns[c - 1][1] >= 30:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
            if rag_column == c and rag in RAG_COLOURS:
                cell.fill = PatternFill(fill_type="solid", start_color=RAG_COLOURS[rag], end_color=RAG_COLOURS[rag])
                cell.font = Font(bold=True, color="FFFFFF")

    def finish(self):
        from openpyxl.utils import get_column_letter

        last = get_column_letter(len(self.columns))
        self.ws.auto_filter.ref = f"A2:{last}{max(self.row, 3)}"
        self.ws.page_setup.orientation = "landscape"
        self.ws.page_setup.fitToWidth = 1
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True
        self.ws.page_setup.fitToHeight = 0


def _number(raw: str | None) -> float | None:
    value = _decimal(raw)
    return None if value is None else float(value)  # the one place a figure becomes a float: at the cell


def render_xlsx(snapshot: dict) -> bytes:
    """The pack's Excel data annex: Overview, Measures, Actions, Exceptions, Benchmarking, Missing and About."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    snap = snapshot
    wb = Workbook()
    wb.remove(wb.active)
    title = snap.get("title", "")
    overview = snap.get("overview") or {}

    sheet = _Sheet(wb, "Overview", f"{title}: measures by RAG status and direction of travel",
                   [("Priority", 40)] + [(label, 11) for _k, label in RAG_KEYS]
                   + [(label, 13) for _k, label in DIRECTION_KEYS])

    def counts(item: dict) -> list[int]:
        return ([int((item.get("rag_counts") or {}).get(k, 0)) for k, _l in RAG_KEYS]
                + [int((item.get("direction_counts") or {}).get(k, 0)) for k, _l in DIRECTION_KEYS])

    sheet.add(["All measures"] + counts(overview))
    for priority in overview.get("by_priority") or []:
        sheet.add([priority.get("title", "")] + counts(priority))
    sheet.finish()
    by_status = overview.get("actions_by_status") or {}
    if by_status:
        row = sheet.row + 2
        sheet.text(row, 1, "Actions by status").font = Font(bold=True)
        sheet.text(row, 2, "Actions").font = Font(bold=True)
        for i, (label, n) in enumerate(by_status.items(), start=1):
            sheet.text(row + i, 1, label)
            sheet.ws.cell(row=row + i, column=2, value=int(n))

    sheet = _Sheet(wb, "Measures", f"{title}: the balanced scorecard of each plan", [
        ("Plan", 30), ("Ref", 10), ("Indicator", 40), ("KPI", 6), ("Unit", 10), ("Data source", 24),
        ("Previous year's performance", 14), ("Target for the year", 14), ("Year-to-date plan", 14),
        ("Year-to-date performance", 14), ("Figure for the period", 14), ("Figure (number)", 12),
        ("Target (number)", 12), ("RAG", 12), ("Trend", 14), ("Reporting period", 16), ("Accountable officer", 22),
        ("Comments", 50)])
    for plan in snap.get("plans") or []:
        for m in plan.get("measures") or []:
            unit = m.get("unit", "")
            places = max(_places(m.get("value_raw")), _places(m.get("target_raw")))
            fmt = _number_format(unit, places)
            sheet.add([plan.get("title", ""), m.get("ref", ""), m.get("name", ""), "Yes" if m.get("is_kpi") else "No",
                       unit, m.get("data_source", ""), m.get("previous", ""), m.get("target", ""),
                       m.get("ytd_plan", ""), m.get("ytd", ""), m.get("value", ""), _number(m.get("value_raw")),
                       _number(m.get("target_raw")), m.get("rag_label", ""), m.get("direction_label", ""),
                       m.get("period", ""), m.get("officer", ""), m.get("comments", "")],
                      formats={12: fmt, 13: fmt}, rag=m.get("rag"), rag_column=14)
    sheet.finish()

    sheet = _Sheet(wb, "Actions", f"{title}: actions of each plan", [
        ("Plan", 30), ("Ref", 10), ("Action", 44), ("Owner", 22), ("Status", 26), ("Approved end", 14),
        ("Forecast end", 14), ("Comment", 50)])
    for plan in snap.get("plans") or []:
        for a in plan.get("actions") or []:
            sheet.add([plan.get("title", ""), a.get("ref", ""), a.get("title", ""), a.get("owner", ""),
                       a.get("status_label", ""), a.get("approved_end", ""), a.get("forecast_end", ""),
                       a.get("comment", "")])
    sheet.finish()

    exc = _exceptions(snap)
    sheet = _Sheet(wb, "Exceptions", f"{title}: exception report. {snap.get('exception_rule', '')}", [
        ("Kind", 10), ("Ref", 10), ("Name", 40), ("Plan", 28), ("Figure", 12), ("Figure (number)", 12),
        ("Target", 12), ("RAG or status", 16), ("Trend", 14), ("Why it is reported", 40),
        ("Rating at the previous quarter", 16), ("Progress or owner's information", 50),
        ("Recovery plan: causes", 40), ("Recovery plan: actions", 40), ("Recovery plan: owner", 22),
        ("Expected back on target", 16), ("Recovery plan: status", 16), ("Sign-off", 30),
        ("Reasons for the slip", 40), ("Corrective actions", 40)])
    for em in exc.get("measures") or []:
        row = em["row"]
        plan_info = em.get("recovery_plan") or {}
        fmt = _number_format(row.get("unit", ""), _places(row.get("value_raw")))
        information = " ".join(t for t in (em.get("progress", ""), em.get("owner_information", "")) if t)
        sheet.add(["Measure", row.get("ref", ""), row.get("name", ""), em.get("plan", ""), row.get("value", ""),
                   _number(row.get("value_raw")), row.get("target", ""), row.get("rag_label", ""),
                   row.get("direction_label", ""), em.get("why", ""), em.get("previous_rag_label", ""), information,
                   plan_info.get("causes", ""), plan_info.get("actions", ""), plan_info.get("owner", ""),
                   plan_info.get("expected_date", ""), plan_info.get("status", ""), em.get("sign_off", ""), "", ""],
                  formats={6: fmt}, rag=row.get("rag"), rag_column=8)
    for ea in exc.get("actions") or []:
        a = ea["action"]
        sheet.add(["Action", a.get("ref", ""), a.get("title", ""), ea.get("plan", ""), "", None, "",
                   a.get("status_label", ""), "", f"Approved end {a.get('approved_end') or '—'}; forecast end "
                   f"{a.get('forecast_end') or '—'}", "", a.get("comment", ""), "", "", a.get("owner", ""), "", "",
                   "", ea.get("reason", ""), ea.get("corrective", "")])
    sheet.finish()

    sheet = _Sheet(wb, "Benchmarking", f"{title}: benchmarking against comparator councils", [
        ("Ref", 10), ("Indicator", 40), ("Year", 10), ("Our figure", 14), ("Rank", 14), ("Quartile", 18),
        ("Comparators' median", 16)])
    for b in snap.get("benchmarking") or []:
        sheet.add([b.get("ref", ""), b.get("name", ""), b.get("year_label", ""), b.get("value", ""),
                   b.get("rank", ""), b.get("quartile", ""), b.get("median", "")])
    sheet.finish()

    sheet = _Sheet(wb, "Missing", f"{title}: missing or unapproved when the report was assembled", [
        ("Ref", 10), ("Indicator", 44), ("Reason", 50)])
    for m in snap.get("missing") or []:
        sheet.add([m.get("ref", ""), m.get("name", ""), m.get("reason", "")])
    sheet.finish()

    about = wb.create_sheet("About")
    about.column_dimensions["A"].width = 22
    about.column_dimensions["B"].width = 70
    about_rows = [
        ("Title", title), ("Council", snap.get("council", "")), ("Report", snap.get("report_type_label", "")),
        ("Covers", f"{snap.get('scope_label', '')}; {snap.get('measures_label', '')}"),
        ("Period", snap.get("period_label", "")), ("Figures as at", _display_date(snap.get("as_of"))),
        ("Generated", _display_datetime(snap.get("generated_at"))),
        ("Exception rule", snap.get("exception_rule", "")), ("Snapshot schema", str(snap.get("schema", ""))),
    ]
    for r, (label, value) in enumerate(about_rows, start=1):
        cell = about.cell(row=r, column=1, value=label)
        cell.font = Font(bold=True)
        cell = about.cell(row=r, column=2)
        cell.value = guard(str(value)) if value else None
        if cell.value is not None:
            cell.data_type = "s"
    about.cell(row=len(about_rows) + 2, column=1, value=(
        "Figures in the 'number' columns are numbers; the others are the figures as the report shows them."))

    wb.properties.title = title
    wb.properties.creator = snap.get("council", "") or "Performance framework"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


__all__ = [
    "body_context", "chart_rows", "contents", "count_pdf_pages", "parts_shown", "render_docx", "render_html_body",
    "render_pdf", "render_pdf_html", "render_xlsx",
]
