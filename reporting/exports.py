"""Writers for the Excel / CSV data annex (D8): the same rows the page shows, as a file.

- CSV: the csv module, UTF-8 with a byte-order mark (so Excel opens it as UTF-8), a header row, figures as the page
  writes them, and every cell that a spreadsheet would read as a formula (starting = + - @, tab or carriage return)
  prefixed with an apostrophe.
- Excel: openpyxl; a title row naming the plan, the period and what the figures are, a bold frozen header row with
  an autofilter, column widths; figures as numbers (Decimal becomes float only at the cell) with a number format
  at the specification's decimal places and unit; RAG as its word on its colour (colour is never the only signal).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from indicators.choices import RAG_STYLE
from reporting.scorecard import COLUMNS, RAG, Scorecard, number_format

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def guard(text: str) -> str:
    """Formula-injection guard for a spreadsheet cell: a leading apostrophe where it would start a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# -- CSV --------------------------------------------------------------------------------------------------------

def scorecard_csv(card: Scorecard) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([c.heading for c in COLUMNS])
    for row in card.rows:
        writer.writerow([guard(text) for text in row.file_texts()])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# -- Excel ------------------------------------------------------------------------------------------------------

def _text_cell(ws, row: int, column: int, text: str):
    """A text cell that Excel never evaluates: openpyxl reads a string starting with '=' as a formula, so the
    type is set to string explicitly."""
    cell = ws.cell(row=row, column=column)
    cell.value = text
    cell.data_type = "s"
    return cell


def scorecard_xlsx(card: Scorecard) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Scorecard"
    title = _text_cell(ws, 1, 1, f"{card.title}. {card.basis}.")
    title.font = Font(bold=True, size=13)
    header_row = 2
    for index, column in enumerate(COLUMNS, start=1):
        cell = _text_cell(ws, header_row, index, column.heading)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(index)].width = column.width
    white_bold = Font(bold=True, color="FFFFFF")
    for r, row in enumerate(card.rows, start=header_row + 1):
        spec = row.spec
        for index, column in enumerate(COLUMNS, start=1):
            number = row.cell_number(column.key)
            if number is not None:
                cell = ws.cell(row=r, column=index, value=float(Decimal(number)))
                cell.number_format = number_format(spec)
                continue
            cell = _text_cell(ws, r, index, row.file_text(column.key))
            if column.kind == RAG:
                colour = RAG_STYLE[row.rag]["hex"].lstrip("#").upper()
                cell.fill = PatternFill(fill_type="solid", start_color=colour, end_color=colour)
                cell.font = white_bold
            elif column.key in ("comments", "indicator", "data_source"):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    last_column = get_column_letter(len(COLUMNS))
    last_row = header_row + max(len(card.rows), 1)
    ws.auto_filter.ref = f"A{header_row}:{last_column}{last_row}"
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
