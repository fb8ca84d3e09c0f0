"""A pack as a Word document (python-docx), on the council's uploaded .docx template when there is one: its
styles, fonts, headers and footers kept, its body replaced."""

from __future__ import annotations

import base64
import io
import zipfile

import docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.oxml.parser import OxmlElement
from docx.shared import Cm, Pt, RGBColor

from reporting.rendering.web import (
    DIRECTION_KEYS,
    DIRECTION_SYMBOLS,
    RAG_COLOURS,
    RAG_KEYS,
    SCORECARD_COLUMNS,
    contents,
    council_parts,
    councils_label,
    count_rows,
    display_date,
    display_datetime,
    exceptions_of,
    parts_shown,
    self_assessed_note,
)
from reporting.static_charts import chart_png

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


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
        self.doc = document
        self.from_template = from_template
        names = {s.name for s in document.styles if s.type == WD_STYLE_TYPE.PARAGRAPH}
        table_names = {s.name for s in document.styles if s.type == WD_STYLE_TYPE.TABLE}
        self.table_style = "Table Grid" if "Table Grid" in table_names else None
        self.caption_style = "Caption" if "Caption" in names else None
        self.title_style = "Title" if "Title" in names else None
        for level in (1, 2, 3, 4):
            if f"Heading {level}" not in names:
                self._add_heading_style(level)
        self.figure = 0
        self.offset = 0  # headings one level down: a council's parts beneath its name, in a joint pack

    def _add_heading_style(self, level: int) -> None:
        """A template without the built-in heading style gets one, as Word would define it."""
        style = self.doc.styles.add_style(f"Heading {level}", WD_STYLE_TYPE.PARAGRAPH, builtin=True)
        style.base_style = self.doc.styles["Normal"]
        style.next_paragraph_style = self.doc.styles["Normal"]
        style.font.bold = True
        style.font.size = Pt({1: 16, 2: 13, 3: 11, 4: 10}[level])
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.space_before = Pt(12 if level == 1 else 8)
        style.paragraph_format.space_after = Pt(4)
        outline = OxmlElement("w:outlineLvl")
        outline.set(qn("w:val"), str(level - 1))
        style.element.get_or_add_pPr().append(outline)

    # -- blocks --

    def heading(self, text: str, level: int, *, page_break: bool = False):
        paragraph = self.doc.add_heading(text, min(level + self.offset, 4))
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
        shape = self.doc.add_picture(io.BytesIO(png), width=Cm(width_cm))
        shape._inline.docPr.set("descr", caption)  # the picture's alternative text, read by screen readers
        self.figure += 1
        text = f"Figure {self.figure}: {caption}"
        if self.caption_style:
            self.doc.add_paragraph(text, style=self.caption_style)
        else:
            self.para(text, italic=True)

    @staticmethod
    def _shade(cell, colour: str) -> None:
        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:color"), "auto")
        shd.set(qn("w:fill"), colour)
        cell._tc.get_or_add_tcPr().append(shd)

    @staticmethod
    def _repeat_header(row) -> None:
        header = OxmlElement("w:tblHeader")
        header.set(qn("w:val"), "true")
        row._tr.get_or_add_trPr().append(header)

    def section(self, *, landscape: bool):
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
        header = self.doc.sections[0].header
        existing = header.paragraphs
        paragraph = existing[0].insert_paragraph_before() if existing else header.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run("DRAFT: not for publication")
        run.bold = True
        run.font.color.rgb = _rgb(RAG_COLOURS["red"])


def _rgb(hex_colour: str):
    return RGBColor.from_string(hex_colour)


def _counts_row(counts: dict | None, keys) -> list[str]:
    counts = counts or {}
    return [str(counts.get(key, 0)) for key, _label in keys]


def _measure_cells(row: dict) -> list[str]:
    name = f"{row.get('ref', '')} {row.get('name', '')}".strip()
    if row.get("is_kpi"):
        name += " (KPI)"
    if row.get("delivered_by"):
        name += f"\n{row['delivered_by']}"
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
    joint = snap.get("joint")
    if joint:
        w.para(councils_label(joint.get("councils") or []), bold_label="Joint report of:")
    else:
        w.para(snap.get("council", ""), bold_label="Council:")
    w.para(snap.get("report_type_label", ""), bold_label="Report:")
    w.para(snap.get("period_label", ""), bold_label="Period:")
    w.para(f"{snap.get('scope_label', '')}; {snap.get('measures_label', '')}", bold_label="Covers:")
    w.para(display_date(snap.get("as_of")), bold_label="Figures as at:")
    w.para(display_datetime(snap.get("generated_at")), bold_label="Assembled:")
    entries = _joint_entries(joint) if joint else contents(snap)
    w.heading("Contents", 1)
    w.contents_field(entries)
    if joint:
        _write_joint(w, snap)
    else:
        _write_sections(w, snap)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _joint_entries(joint: dict) -> list[dict]:
    names = joint.get("councils") or []
    return ([{"title": f"{councils_label(names)} together", "level": 1}]
            + [{"title": name, "level": 1} for name in names])


def _write_joint(w: _Word, snap: dict) -> None:
    """A joint committee's pack: the councils together, then each council's parts under its name."""
    joint = snap["joint"]
    combined = joint.get("combined") or {}
    names = [c.get("name", "") for c in combined.get("councils") or []] or joint.get("councils") or []
    w.heading(f"{councils_label(names)} together", 1, page_break=True)
    w.para(combined.get("rule", ""), bold_label="")
    w.heading("Measures by RAG status", 2)
    w.table(["RAG status", *names, "Combined (shared measures)"],
            [[row["label"], *map(str, row["values"]), str(row["combined"])]
             for row in count_rows(combined, "rag", RAG_KEYS)])
    if note := self_assessed_note(combined):
        w.para(note)
    w.heading("Measures by direction of travel", 2)
    w.table(["Direction of travel", *names, "Combined (shared measures)"],
            [[row["label"], *map(str, row["values"]), str(row["combined"])]
             for row in count_rows(combined, "direction", DIRECTION_KEYS)])
    w.heading("Measures every council measures the same way", 2)
    shared = combined.get("shared") or []
    if shared:
        w.table(["Measure", "Unit", *names],
                [["\n".join(filter(None, (f"{m.get('ref', '')} {m.get('name', '')}", m.get("delivered_by")))),
                  m.get("unit", ""),
                  *[f"{fig.get('value', '')} {fig.get('rag_label', '')}, {fig.get('direction_label', '')} "
                    f"({fig.get('period', '')})" for fig in m.get("figures") or []]] for m in shared])
    else:
        w.para("None: no measure in this report is measured the same way by every council, so nothing is added "
               "up across them.")
    for part in council_parts(snap):
        name = part.get("council", "")
        w.heading(name, 1, page_break=True)
        w.para(f"Every figure in this section is {name}'s, from its own plans.", italic=True)
        w.offset = 1
        try:
            _write_sections(w, part)
        finally:
            w.offset = 0


def _write_sections(w: _Word, snap: dict) -> None:
    """The parts of one council's pack, as the definition's sections ask."""
    shown = parts_shown(snap)
    exc = exceptions_of(snap)

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

    if shown["decisions_due"]:
        w.heading("Decisions due", 1, page_break=True)
        due = snap.get("decisions_due") or []
        if due:
            w.para("The decision points of the board's programmes whose date has come, with no decision recorded "
                   "when the report was assembled.")
            w.table(["Decision point", "Project", "Programme", "Due", "Recommendation"],
                    [[d.get("title", ""), d.get("project", ""), d.get("programme", ""), d.get("due", ""),
                      d.get("recommendation", "")] for d in due], widths_cm=[4, 3.2, 3.2, 2, 4.6])
        else:
            w.para("No decisions were due from the board when the report was assembled.")

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

    _annual_and_tracker(w, snap, shown)

    if shown.get("risks_flagged"):  # E4: the risks flagged by their measures
        w.heading("Risks flagged", 1, page_break=True)
        w.para("Corporate risks with a linked measure that was Red for the period, or had got worse two periods "
               "running, from the approved figures. Each risk's owner should review its score.")
        flagged = snap.get("risks_flagged") or []
        for r in flagged:
            w.heading(f"{r.get('ref', '')} {r.get('title', '')}", 2)
            w.para(f"Owner: {r.get('owner') or 'no owner'}; current score {r.get('score_label', '')}; "
                   f"target score {r.get('target_label', '')}.")
            measures = r.get("measures") or []
            w.table(["Measure", "Period", "RAG", "Direction of travel", "Why it flags the risk"],
                    [[f"{m.get('ref', '')} {m.get('name', '')}", m.get("period", ""), m.get("rag_label", ""),
                      m.get("direction_label", ""), m.get("reason", "")] for m in measures],
                    rag_column=2, rag_keys=[m.get("rag", "") for m in measures], widths_cm=[6, 2.6, 2, 2.6, 3.8])
        if not flagged:
            w.para("No corporate risk was flagged by its measures for the period.")

    if shown.get("finance"):  # C 3.1: finance beside performance, one row per set of figures
        part = snap.get("finance") or {}
        w.heading("Finance beside performance", 1, page_break=True)
        w.para(part.get("note", ""))
        rows = []
        for s in part.get("services") or []:
            name = f"{s.get('service', '')} ({s.get('directorate', '')})"
            for line in s.get("lines") or []:
                rows.append([name, s.get("performance", ""), line.get("label", ""), line.get("budget", ""),
                             line.get("forecast", ""), f"{line.get('variance', '')} ({line.get('variance_pct', '')})",
                             line.get("words", ""), line.get("commentary", "")])
            if not s.get("lines"):
                rows.append([name, s.get("performance", ""), "No finance figures", "", "", "", "", ""])
        if rows:
            w.table(["Service", "Measures in this report", "Figures for", "Budget", "Forecast outturn", "Variance",
                     "Overspend or underspend", "Commentary"], rows,
                    widths_cm=[3, 2.6, 1.8, 1.8, 1.8, 1.8, 2, 3], font_pt=7.5)
        else:
            w.para("No services are in this report's scope.")

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


def _picture_bytes(data_uri: str) -> bytes | None:
    if not data_uri.startswith("data:image/") or ";base64," not in data_uri:
        return None
    try:
        return base64.b64decode(data_uri.split(";base64,", 1)[1])
    except ValueError:
        return None


def _annual_and_tracker(w: _Word, snap: dict, shown: dict) -> None:
    """The parts of the annual documents and the exception tracker, where the pack holds them."""
    if shown.get("year"):
        w.heading("The year, priority by priority", 1, page_break=True)
        for group in snap["year"]:
            w.heading(group["priority"], 2)
            if group["measures"]:
                w.table(["Measure", "Figure", "Target", "RAG", "Direction of travel"],
                        [[f"{m['ref']} {m['name']}", f"{m['value']} ({m['period']})" if m["period"] else m["value"],
                          m["target"], m["rag_label"], m["direction_label"]] for m in group["measures"]],
                        rag_column=3, rag_keys=[m["rag"] for m in group["measures"]], widths_cm=[6, 3, 2.5, 2, 2.5])
            if group["actions"]:
                w.table(["Action", "Owner", "Status"],
                        [[f"{a['ref']} {a['title']}", a["owner"],
                          a["status_label"] + (f", {a['completed']}" if a["completed"] else "")]
                         for a in group["actions"]], widths_cm=[8, 4, 4])
    if shown.get("specifications"):
        w.heading("Technical specifications", 1, page_break=True)
        for group in snap["specifications"]:
            w.heading(group["priority"], 2)
            for m in group["measures"]:
                w.heading(f"{m['ref']} {m['name']} ({m['kind']})", 3)
                w.key_values([(label, value) for label, value in m["fields"]])
        if not snap["specifications"]:
            w.para("No measure is in the scope of this document.")
    tracker = snap.get("tracker")
    if shown.get("tracker") and tracker:
        w.heading(f"Exception tracker, {tracker['quarter']}", 1, page_break=True)
        w.heading(f"Open exceptions ({len(tracker['open'])})", 2)
        if tracker["open"]:
            w.table(["Measure or action", "Opened", "Age (quarters)", "This quarter", "Recovery plan"],
                    [[f"{r['ref']} {r['title']} ({r['kind']})", f"{r['opened']}: {r['because']}", str(r["age"]),
                      ", ".join(x for x in ((r["latest"] or {}).get("figure", ""), (r["latest"] or {}).get(
                          "rating", "")) if x), (r["latest"] or {}).get("recovery", "")] for r in tracker["open"]],
                    widths_cm=[4.5, 3.5, 1.8, 3, 4], font_pt=8)
        else:
            w.para("No exception is open.")
        w.heading(f"Closed this quarter ({len(tracker['closed'])})", 2)
        if tracker["closed"]:
            w.table(["Measure or action", "Opened", "Quarters open", "Closed because"],
                    [[f"{r['ref']} {r['title']} ({r['kind']})", f"{r['opened']}: {r['because']}", str(r["age"]),
                      r["closed_because"]] for r in tracker["closed"]], widths_cm=[5, 4, 2, 5])
        else:
            w.para("No exception closed this quarter.")
    success = snap.get("success")
    if shown.get("success") and success:
        w.heading("Recognising success", 1, page_break=True)
        w.heading(f"Measures Green and improving ({len(success['measures'])})", 2)
        if success["measures"]:
            w.table(["Measure", "Figure", "Target"], [[f"{m['ref']} {m['name']}", m["value"], m["target"]]
                                                      for m in success["measures"]], widths_cm=[10, 3, 3])
        else:
            w.para("None yet.")
        w.heading(f"Actions delivered ({len(success['actions'])})", 2)
        for a in success["actions"] or []:
            w.para(f"{a['ref']} {a['title']}" + (f", {a['completed']}" if a["completed"] else ""))
        if not success["actions"]:
            w.para("None yet.")
    if shown.get("case_studies"):
        w.heading("Case studies", 1, page_break=True)
        for c in snap["case_studies"]:
            w.heading(c["title"], 2)
            w.para(" · ".join(x for x in (c["team"], c["priority"], c["period"], f"told by {c['author']}") if x),
                   italic=True)
            picture = _picture_bytes(c.get("picture") or "")
            if picture:
                w.picture(picture, c.get("picture_alt") or c["title"], width_cm=min(12.0, w.text_width_cm()))
            w.para(c["story"])
        if not snap["case_studies"]:
            w.para("No case study has been approved for this year yet.")
