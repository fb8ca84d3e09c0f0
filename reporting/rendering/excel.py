"""A pack's Excel data annex (openpyxl): one sheet per part, figures as numbers (from the snapshot's raw decimal
strings)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from reporting.exports import guard
from reporting.rendering.web import (
    DIRECTION_KEYS,
    RAG_COLOURS,
    RAG_KEYS,
    council_parts,
    councils_label,
    count_rows,
    display_date,
    display_datetime,
    exceptions_of,
    raw_decimal,
)


def _places(raw: str | None) -> int:
    value = raw_decimal(raw)
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
        last = get_column_letter(len(self.columns))
        self.ws.auto_filter.ref = f"A2:{last}{max(self.row, 3)}"
        self.ws.page_setup.orientation = "landscape"
        self.ws.page_setup.fitToWidth = 1
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True
        self.ws.page_setup.fitToHeight = 0


def _number(raw: str | None) -> float | None:
    value = raw_decimal(raw)
    return None if value is None else float(value)  # the one place a figure becomes a float: at the cell


def render_xlsx(snapshot: dict) -> bytes:
    """The pack's Excel data annex: Overview, Measures, Actions, Exceptions, Benchmarking, Missing and About."""
    snap = snapshot
    wb = Workbook()
    wb.remove(wb.active)
    title = snap.get("title", "")
    if snap.get("joint"):
        _write_joint(wb, snap, title)
    else:
        _write_sheets(wb, snap, title)
    return _finish(wb, snap, title)


def council_code(name: str) -> str:
    """A council's initials for a sheet's name: "South Oxfordshire District Council" is "SODC"."""
    return "".join(word[0] for word in name.split() if word[:1].isalnum()) or "Council"


def _write_joint(wb, snap: dict, title: str) -> None:
    """A joint committee's annex: the councils side by side ("Together"), then each council's sheets, named
    with the council's initials, each sheet's heading naming the council."""
    joint = snap["joint"]
    combined = joint.get("combined") or {}
    names = [c.get("name", "") for c in combined.get("councils") or []] or joint.get("councils") or []
    sheet = _Sheet(wb, "Together", f"{title}: {councils_label(names)} together. {combined.get('rule', '')}",
                   [("Measures", 30)] + [(name, 16) for name in names] + [("Combined (shared measures)", 16)])
    for counts, keys in (("rag", RAG_KEYS), ("direction", DIRECTION_KEYS)):
        for row in count_rows(combined, counts, keys):
            sheet.add([row["label"], *row["values"], row["combined"]])
    sheet.finish()
    sheet = _Sheet(wb, "Shared measures", f"{title}: measures every council measures the same way, side by side",
                   [("Ref", 10), ("Indicator", 40), ("Unit", 12)]
                   + [(f"{name}: {what}", 16) for name in names for what in ("figure", "RAG", "trend")]
                   + [("Delivered by", 36)])
    for m in combined.get("shared") or []:
        sheet.add([m.get("ref", ""), m.get("name", ""), m.get("unit", "")]
                  + [v for fig in m.get("figures") or [] for v in
                     (fig.get("value", ""), fig.get("rag_label", ""), fig.get("direction_label", ""))]
                  + [m.get("delivered_by", "")])
    sheet.finish()
    used: set[str] = set()
    for part in council_parts(snap):
        name = part.get("council", "")
        code = council_code(name)
        while code in used:
            code += "+"
        used.add(code)
        before = set(wb.sheetnames)
        _write_sheets(wb, part, f"{name}: {title}")
        for ws in wb.worksheets:
            if ws.title not in before:
                ws.title = f"{code} {ws.title}"[:31]


def _write_sheets(wb, snap: dict, title: str) -> None:
    """The sheets of one council's parts."""
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
        ("Comments", 50), ("Delivered by", 36)])
    for plan in snap.get("plans") or []:
        for m in plan.get("measures") or []:
            unit = m.get("unit", "")
            places = max(_places(m.get("value_raw")), _places(m.get("target_raw")))
            fmt = _number_format(unit, places)
            sheet.add([plan.get("title", ""), m.get("ref", ""), m.get("name", ""), "Yes" if m.get("is_kpi") else "No",
                       unit, m.get("data_source", ""), m.get("previous", ""), m.get("target", ""),
                       m.get("ytd_plan", ""), m.get("ytd", ""), m.get("value", ""), _number(m.get("value_raw")),
                       _number(m.get("target_raw")), m.get("rag_label", ""), m.get("direction_label", ""),
                       m.get("period", ""), m.get("officer", ""), m.get("comments", ""), m.get("delivered_by", "")],
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

    exc = exceptions_of(snap)
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

    if snap.get("year") is not None:
        sheet = _Sheet(wb, "Year", f"{title}: the year, priority by priority", [
            ("Priority", 34), ("Kind", 9), ("Ref", 10), ("Measure or action", 44), ("Figure", 14), ("Period", 14),
            ("Target", 14), ("RAG or status", 22), ("Direction of travel", 16)])
        for group in snap["year"]:
            for m in group["measures"]:
                sheet.add([group["priority"], "Measure", m["ref"], m["name"], m["value"], m["period"], m["target"],
                           m["rag_label"], m["direction_label"]])
            for a in group["actions"]:
                sheet.add([group["priority"], "Action", a["ref"], a["title"], "", a["completed"], "",
                           a["status_label"], ""])
        sheet.finish()
    if snap.get("specifications") is not None:
        labels = [label for group in snap["specifications"] for m in group["measures"]
                  for label, _ in m["fields"]][:21]
        sheet = _Sheet(wb, "Specifications", f"{title}: technical specifications", [
            ("Priority", 30), ("Ref", 10), ("Measure", 40), ("Kind", 24), *[(label, 24) for label in labels]])
        for group in snap["specifications"]:
            for m in group["measures"]:
                sheet.add([group["priority"], m["ref"], m["name"], m["kind"], *[value for _, value in m["fields"]]])
        sheet.finish()
    tracker = snap.get("tracker")
    if tracker:
        sheet = _Sheet(wb, "Tracker", f"{title}: exception tracker, {tracker['quarter']}", [
            ("State", 10), ("Ref", 10), ("Measure or action", 40), ("Kind", 9), ("Opened", 14), ("Opened because", 30),
            ("Age (quarters)", 12), ("This quarter", 24), ("Recovery plan", 50), ("Closed because", 30)])
        for state, rows in (("Open", tracker["open"]), ("Closed", tracker["closed"])):
            for r in rows:
                latest = r.get("latest") or {}
                sheet.add([state, r["ref"], r["title"], r["kind"], r["opened"], r["because"], r["age"],
                           ", ".join(x for x in (latest.get("figure", ""), latest.get("rating", "")) if x),
                           latest.get("recovery", ""), r.get("closed_because", "")])
        sheet.finish()
    if snap.get("success"):
        sheet = _Sheet(wb, "Success", f"{title}: recognising success", [
            ("Kind", 9), ("Ref", 10), ("Measure or action", 50), ("Figure or date", 16), ("Target", 14)])
        for m in snap["success"]["measures"]:
            sheet.add(["Measure", m["ref"], m["name"], m["value"], m["target"]])
        for a in snap["success"]["actions"]:
            sheet.add(["Action", a["ref"], a["title"], a["completed"], ""])
        sheet.finish()
    if snap.get("case_studies") is not None:
        sheet = _Sheet(wb, "Case studies", f"{title}: case studies", [
            ("Title", 34), ("Team", 24), ("Priority", 30), ("Period", 12), ("Told by", 20), ("Story", 80)])
        for c in snap["case_studies"]:
            sheet.add([c["title"], c["team"], c["priority"], c["period"], c["author"], c["story"]])
        sheet.finish()

    sheet = _Sheet(wb, "Benchmarking", f"{title}: benchmarking against comparator councils", [
        ("Ref", 10), ("Indicator", 40), ("Year", 10), ("Our figure", 14), ("Rank", 14), ("Quartile", 18),
        ("Comparators' median", 16)])
    for b in snap.get("benchmarking") or []:
        sheet.add([b.get("ref", ""), b.get("name", ""), b.get("year_label", ""), b.get("value", ""),
                   b.get("rank", ""), b.get("quartile", ""), b.get("median", "")])
    sheet.finish()

    if snap.get("decisions_due") is not None:  # A6: a board's pack only
        sheet = _Sheet(wb, "Decisions due", f"{title}: decisions due from the board", [
            ("Decision point", 40), ("Project", 30), ("Programme", 30), ("Due", 14), ("Recommendation", 60)])
        for d in snap["decisions_due"]:
            sheet.add([d.get("title", ""), d.get("project", ""), d.get("programme", ""), d.get("due", ""),
                       d.get("recommendation", "")])
        sheet.finish()

    if snap.get("risks_flagged") is not None:  # E4: the risks flagged by their measures, one row per measure
        sheet = _Sheet(wb, "Risks flagged", f"{title}: corporate risks flagged by their measures", [
            ("Risk", 10), ("Title", 40), ("Owner", 22), ("Current score", 20), ("Target score", 20),
            ("Measure", 44), ("RAG", 12), ("Why it flags the risk", 32)])
        for r in snap["risks_flagged"]:
            for m in r.get("measures") or []:
                sheet.add([r.get("ref", ""), r.get("title", ""), r.get("owner", ""), r.get("score_label", ""),
                           r.get("target_label", ""), f"{m.get('ref', '')} {m.get('name', '')}",
                           m.get("rag_label", ""), m.get("reason", "")])
        sheet.finish()

    if snap.get("finance") is not None:  # C 3.1: finance beside performance, amounts as numbers
        part = snap["finance"]
        sheet = _Sheet(wb, "Finance", f"{title}: finance beside performance, {part.get('quarter', '')}", [
            ("Service", 30), ("Directorate", 26), ("Measures in this report", 30), ("Figures for", 24),
            ("Budget (£)", 16), ("Forecast outturn (£)", 16), ("Variance (£)", 16), ("Variance (%)", 12),
            ("Overspend or underspend", 30), ("Spent to date (£)", 16), ("Commentary", 50)])
        money_format = '"£"#,##0.00'
        for s in part.get("services") or []:
            for line in s.get("lines") or [{"label": "No finance figures"}]:
                amounts = [raw_decimal(line.get(k)) for k in ("budget_raw", "forecast_raw", "variance_raw")]
                spent = raw_decimal(line.get("spent_raw"))
                pct = line.get("variance_pct", "")
                sheet.add([s.get("service", ""), s.get("directorate", ""), s.get("performance", ""),
                           line.get("label", ""), *[float(a) if a is not None else "" for a in amounts],
                           pct if pct != "—" else "", line.get("words", ""),
                           float(spent) if spent is not None else "", line.get("commentary", "")],
                          formats={5: money_format, 6: money_format, 7: money_format, 10: money_format})
        sheet.finish()

    sheet = _Sheet(wb, "Missing", f"{title}: missing or unapproved when the report was assembled", [
        ("Ref", 10), ("Indicator", 44), ("Reason", 50)])
    for m in snap.get("missing") or []:
        sheet.add([m.get("ref", ""), m.get("name", ""), m.get("reason", "")])
    sheet.finish()


def _finish(wb, snap: dict, title: str) -> bytes:
    """The About sheet, the workbook's properties, the file."""
    about = wb.create_sheet("About")
    about.column_dimensions["A"].width = 22
    about.column_dimensions["B"].width = 70
    about_rows = [
        ("Title", title),
        *([("Councils", "; ".join(f"{council_code(n)}: {n}" for n in snap["joint"].get("councils") or []))]
          if snap.get("joint") else [("Council", snap.get("council", ""))]),
        ("Report", snap.get("report_type_label", "")),
        ("Covers", f"{snap.get('scope_label', '')}; {snap.get('measures_label', '')}"),
        ("Period", snap.get("period_label", "")), ("Figures as at", display_date(snap.get("as_of"))),
        ("Generated", display_datetime(snap.get("generated_at"))),
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
