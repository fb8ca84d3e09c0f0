"""One way of reading, checking and reporting rows from a spreadsheet (issue 12): the council workbook, bulk
returns and later imports all read through here.

A sheet is declared as data (``Sheet``: its columns, each a ``Column`` with its type, whether it is required, the
values allowed, help text and an example). ``read_book`` opens an upload (an Excel workbook, a CSV file, or a ZIP
of CSV files, one per sheet) after the content checks of ``pmf.uploads``; ``read_sheet`` turns its raw rows into
typed rows, or problems, each naming the sheet, the row, the column, the rule broken and a plain message. The
parsing is pure (``parse_value``); nothing here touches the database. ``stash_upload`` and ``take_upload`` keep a
checked upload in the server's storage between its dry run and the person confirming its import.
"""

from __future__ import annotations

import csv
import io
import os
import secrets
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from pmf import uploads

MB = 1024 * 1024
MAX_IMPORT_BYTES = 50 * MB
#: What an import accepts: an Excel workbook or one CSV file (a ZIP of CSV files is checked below, each file in it
#: as a CSV upload).
IMPORT_FILES = uploads.Rules.of(["xlsx", "csv"], max_bytes=MAX_IMPORT_BYTES)
CSV_FILE = uploads.Rules.of(["csv"], max_bytes=MAX_IMPORT_BYTES)

TYPES = {
    "text": "Text",
    "int": "Whole number",
    "decimal": "Number (decimals allowed)",
    "date": "Date (YYYY-MM-DD)",
    "datetime": "Date and time (YYYY-MM-DD HH:MM:SS, UTC)",
    "bool": "yes or no",
    "year": "Financial year (2025/26, or 2025)",
    "list": "A list separated by semicolons (;)",
}
TRUE = {"yes", "y", "true", "1", "x"}
FALSE = {"no", "n", "false", "0", ""}


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "text"
    required: bool = False
    allowed: tuple[str, ...] = ()
    help: str = ""
    example: str = ""
    max_length: int | None = None
    aliases: tuple[str, ...] = ()  # other headings accepted for the column (another system's names)

    def __post_init__(self):
        if self.type not in TYPES:
            raise ValueError(f"Unknown column type {self.type!r}")


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]
    help: str = ""
    key: tuple[str, ...] = ()  # the columns that identify a row: two rows with the same key are refused

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None  # the row number as the spreadsheet shows it (the header is row 1)
    column: str
    rule: str
    message: str

    def __str__(self) -> str:
        where = self.sheet + (f", row {self.row}" if self.row else "") + (f", column “{self.column}”"
                                                                           if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class Row:
    sheet: str
    number: int
    values: dict = field(default_factory=dict)

    def __getitem__(self, name):
        return self.values.get(name)

    def get(self, name, default=None):
        value = self.values.get(name)
        return default if value is None else value


class Problems(list):
    """The problems found so far; ``add`` takes the parts of one."""

    def add(self, sheet: str, row: int | None, column: str, rule: str, message: str) -> None:
        self.append(Problem(sheet, row, column, rule, message))

    def at(self, row: Row, column: str, rule: str, message: str) -> None:
        self.append(Problem(row.sheet, row.number, column, rule, message))


# -- Values -----------------------------------------------------------------------------------------------------

class BadValue(ValueError):
    """A cell that is not of its column's type: the message says what was expected."""


def _text(raw) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime):
        return raw.isoformat(sep=" ")
    return str(raw).strip()


def parse_value(column: Column, raw):
    """The typed value of a cell (None when empty), or ``BadValue`` saying what was expected."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return [] if column.type == "list" else None
    kind = column.type
    if kind == "text":
        value = _text(raw)
        if column.max_length and len(value) > column.max_length:
            raise BadValue(f"is {len(value)} characters long; at most {column.max_length} are allowed")
        return value
    if kind == "list":
        return [part.strip() for part in _text(raw).split(";") if part.strip()]
    if kind == "bool":
        text = _text(raw).lower()
        if isinstance(raw, bool):
            return raw
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise BadValue(f"“{_text(raw)}” is not yes or no")
    if kind == "int":
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation:
            raise BadValue(f"“{_text(raw)}” is not a whole number") from None
        if number != number.to_integral_value():
            raise BadValue(f"“{_text(raw)}” is not a whole number")
        return int(number)
    if kind == "decimal":
        if isinstance(raw, bool):
            raise BadValue(f"“{raw}” is not a number")
        try:
            number = Decimal(repr(raw) if isinstance(raw, float) else str(raw).strip().replace(",", ""))
        except InvalidOperation:
            raise BadValue(f"“{_text(raw)}” is not a number") from None
        if not number.is_finite():
            raise BadValue(f"“{_text(raw)}” is not a number")
        if abs(number) >= Decimal(10) ** 12:
            raise BadValue(f"{_text(raw)} is too large (at most 12 digits before the decimal point)")
        return number.quantize(Decimal("0.000001")) if number.as_tuple().exponent < -6 else number
    if kind == "year":
        text = _text(raw)
        try:
            if "/" in text or (len(text) in (7, 9) and text[4] == "-"):
                first, second = text.replace("-", "/", 1).split("/", 1)
                year = int(first)
                if int(second) % 100 != (year + 1) % 100:
                    raise ValueError
            else:
                year = int(text)
        except ValueError:
            raise BadValue(f"“{text}” is not a financial year such as 2025/26 (or 2025-26)") from None
        if not 2000 <= year <= 2100:
            raise BadValue(f"{text} is outside the years 2000 to 2100")
        return year
    if kind == "date":
        if isinstance(raw, datetime):
            return raw.date()
        if isinstance(raw, date):
            return raw
        try:
            return date.fromisoformat(_text(raw)[:10])
        except ValueError:
            raise BadValue(f"“{_text(raw)}” is not a date in the form YYYY-MM-DD") from None
    if kind == "datetime":
        if isinstance(raw, datetime):
            value = raw
        elif isinstance(raw, date):
            value = datetime.combine(raw, time())
        else:
            try:
                value = datetime.fromisoformat(_text(raw))
            except ValueError:
                raise BadValue(f"“{_text(raw)}” is not a date and time in the form YYYY-MM-DD HH:MM:SS") from None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value
    raise AssertionError(kind)


def show_value(column: Column, value):
    """A typed value as it is written to a sheet (the inverse of ``parse_value``)."""
    if value is None:
        return None
    if isinstance(value, str) and column.type != "list":
        return value  # written as given (a template's example, or a figure typed as text)
    if column.type == "list":
        return "; ".join(str(v) for v in value) or None
    if column.type == "bool":
        return "yes" if value else "no"
    if column.type == "year":
        return f"{value}/{(value + 1) % 100:02d}"
    if column.type == "datetime":
        value = value if value.tzinfo else value.replace(tzinfo=UTC)
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    if column.type == "date":
        return (value.date() if isinstance(value, datetime) else value).isoformat()
    if column.type == "decimal" and not isinstance(value, Decimal):
        return value
    if column.type == "decimal":
        return float(value) if value == value.quantize(Decimal("0.000001")) and abs(value) < 10 ** 9 else str(value)
    return value


# -- Reading a sheet --------------------------------------------------------------------------------------------

def _header_name(raw) -> str:
    return " ".join(_text(raw).split()).lower()


def read_sheet(sheet: Sheet, raw_rows: Iterable[tuple] | None, problems: Problems, *,
               sheet_required: bool = True, ignored: list[str] | None = None) -> list[Row]:
    """Typed rows of one sheet. ``raw_rows``: the header, then the rows, as tuples of cells (None: the sheet
    is not in the file, a problem when ``sheet_required``). Every problem is added to ``problems``; rows with a
    problem are left out. ``ignored``: for a file exported by another system, which carries columns of its own, a
    column that is not the sheet's is noted there (its heading) and skipped, rather than a problem."""
    if raw_rows is None:
        if sheet_required:
            problems.add(sheet.name, None, "", "sheet missing", f"The file has no sheet “{sheet.name}”.")
        return []
    iterator = iter(raw_rows)
    header = next(iterator, None)
    if header is None:
        return []
    by_name = {c.name.lower(): c for c in sheet.columns}
    by_name |= {alias.lower(): c for c in sheet.columns for alias in c.aliases}
    positions: dict[int, Column] = {}
    for index, raw in enumerate(header):
        name = _header_name(raw)
        if not name:
            continue
        column = by_name.get(name)
        if column is None and ignored is not None:
            ignored.append(_text(raw))
        elif column is None:
            problems.add(sheet.name, 1, _text(raw), "unknown column",
                         f"“{_text(raw)}” is not a column of this sheet. Its columns are: {', '.join(sheet.names)}.")
        elif column in positions.values():
            problems.add(sheet.name, 1, column.name, "duplicate column", f"The column “{column.name}” is there twice.")
        else:
            positions[index] = column
    missing = [c.name for c in sheet.columns if c.required and c not in positions.values()]
    for name in missing:
        problems.add(sheet.name, 1, name, "column missing", f"The required column “{name}” is missing.")
    if missing:
        return []
    rows: list[Row] = []
    seen: dict[tuple, int] = {}
    for number, raw in enumerate(iterator, start=2):
        if raw is None or all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in raw):
            continue
        row = Row(sheet.name, number)
        ok = True  # False: a required cell is unusable, so the row is left out; other bad cells are left empty,
        #            so that the rest of the row is still checked (every problem is listed, not the first)
        for index, column in positions.items():
            cell = raw[index] if index < len(raw) else None
            try:
                value = parse_value(column, cell)
            except BadValue as bad:
                problems.at(row, column.name, "wrong type", f"{column.name} {bad}.")
                ok = ok and not column.required
                continue
            if value in (None, []) and column.required:
                problems.at(row, column.name, "required", f"{column.name} is required.")
                ok = False
                continue
            if column.allowed and value not in (None, []):
                values = value if isinstance(value, list) else [value]
                bad_values = [v for v in values if str(v) not in column.allowed]
                if bad_values:
                    problems.at(row, column.name, "not allowed",
                                f"“{bad_values[0]}” is not allowed here. Allowed: {', '.join(column.allowed)}.")
                    ok = ok and not column.required
                    continue
            row.values[column.name] = value
        for column in sheet.columns:
            row.values.setdefault(column.name, [] if column.type == "list" else None)
        if sheet.key and ok:
            key = tuple(str(row.values.get(name) or "").lower() for name in sheet.key)
            if key in seen:
                problems.at(row, sheet.key[0], "duplicate row",
                            f"This row repeats row {seen[key]} ({', '.join(sheet.key)}: "
                            f"{', '.join(str(row.values.get(n) or '') for n in sheet.key)}).")
                ok = False
            else:
                seen[key] = number
        if ok:
            rows.append(row)
    return rows


# -- Opening a file ---------------------------------------------------------------------------------------------

@dataclass
class Book:
    """The raw sheets of an uploaded file, by name (lower case): each a list of tuples, the header first."""

    name: str
    sheets: dict[str, list[tuple]]

    def rows(self, sheet: str) -> list[tuple] | None:
        return self.sheets.get(sheet.lower())


def _csv_rows(data: bytes) -> list[tuple]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    return [tuple(r) for r in csv.reader(io.StringIO(text, newline=""))]


def read_book(upload, *, default_sheet: str = "") -> Book:
    """The sheets of an uploaded workbook (.xlsx), CSV file (one sheet: ``default_sheet``, else the sheet the file
    is named after, "Risks.csv" the sheet "Risks") or ZIP of CSV files (one per sheet, each named after its sheet).
    Refused (``ValidationError``) by the content checks of ``pmf.uploads``, or when the ZIP is not a safe archive
    of CSV files."""
    name = uploads.clean_name(getattr(upload, "name", "") or "")
    if name.lower().endswith(".zip"):
        return _read_zip(upload, name)
    checked = uploads.check(upload, IMPORT_FILES)
    upload.seek(0)
    if checked.kind.key == "csv":
        sheet = default_sheet or os.path.splitext(checked.name)[0]
        return Book(checked.name, {sheet.strip().lower(): _csv_rows(upload.read())})
    return _read_xlsx(upload, checked.name)


def _read_xlsx(upload, name: str) -> Book:
    from openpyxl import load_workbook

    try:
        book = load_workbook(upload, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl fails in many ways on a damaged workbook
        raise ValidationError("This Excel file cannot be read: it is damaged or not a workbook.",
                              code="xlsx_damaged") from None
    try:
        sheets = {ws.title.strip().lower(): [tuple(r) for r in ws.iter_rows(values_only=True)]
                  for ws in book.worksheets}
    finally:
        book.close()
    return Book(name, sheets)


def _read_zip(upload, name: str) -> Book:
    """A ZIP of CSV files, one per sheet: checked as an archive (size, number of files, how tightly each is
    compressed, no paths outside it, no password), then each file as a CSV upload."""
    max_total = int(getattr(settings, "UPLOAD_MAX_EXPANDED_BYTES", 100 * MB))
    max_entries = int(getattr(settings, "UPLOAD_MAX_ARCHIVE_ENTRIES", 10_000))
    max_ratio = int(getattr(settings, "UPLOAD_MAX_COMPRESSION_RATIO", 100))
    if upload.size > MAX_IMPORT_BYTES:
        raise ValidationError(f"“{name}” is {upload.size / MB:.1f} MB; the limit is {MAX_IMPORT_BYTES // MB} MB.",
                              code="size")
    upload.seek(0)
    if upload.read(4) != b"PK\x03\x04":
        raise ValidationError(f"“{name}” is not a real ZIP archive.", code="zip_damaged")
    upload.seek(0)
    sheets: dict[str, list[tuple]] = {}
    try:
        with zipfile.ZipFile(upload) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
            if len(infos) > min(max_entries, 100):
                raise ValidationError("This ZIP holds too many files: one CSV file per sheet is expected.",
                                      code="zip_entries")
            total = 0
            for info in infos:
                member = info.filename
                if (not member or member.startswith(("/", "\\")) or ".." in member.replace("\\", "/").split("/")
                        or "\x00" in member):
                    raise ValidationError(f"This ZIP holds a file named “{uploads.clean_name(member)}” with a path "
                                          "outside the archive.", code="zip_path")
                if info.flag_bits & 0x1:
                    raise ValidationError("This ZIP is password-protected: remove the password.",
                                          code="zip_encrypted")
                total += info.file_size
                if total > max_total:
                    raise ValidationError(f"This ZIP expands to more than {max_total // MB} MB.", code="zip_expanded")
                if info.file_size > MB and info.file_size > max_ratio * max(info.compress_size, 1):
                    raise ValidationError(f"A file in this ZIP expands more than {max_ratio} times, as files made "
                                          "to overload a server do.", code="zip_ratio")
                base = os.path.basename(member.replace("\\", "/"))
                if base.startswith((".", "__")) or not base:
                    continue  # folders' metadata (macOS)
                if not base.lower().endswith(".csv"):
                    raise ValidationError(f"“{uploads.clean_name(base)}” in the ZIP is not a CSV file: the ZIP "
                                          "holds one CSV file per sheet.", code="zip_member")
                data = archive.read(info)
                try:
                    uploads.check(ContentFile(data, name=base), CSV_FILE)
                except ValidationError as error:
                    raise ValidationError(f"“{uploads.clean_name(base)}” in the ZIP: {' '.join(error.messages)}",
                                          code="zip_member") from None
                sheets[base[:-4].strip().lower()] = _csv_rows(data)
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 - zipfile and zlib fail in many ways on a damaged archive
        raise ValidationError(f"“{name}” cannot be opened as a ZIP archive (the file is damaged).",
                              code="zip_damaged") from None
    return Book(name, sheets)


# -- An upload waiting between its check and its import ----------------------------------------------------------

#: The extensions an upload keeps while it waits (anything else waits without one).
WAITING_EXTENSIONS = (".xlsx", ".csv", ".zip")


class NotWaiting(Exception):
    """No checked file waits under the token sent back (or it has gone from storage): the message says so."""


@dataclass(frozen=True)
class Waiting:
    """A checked upload, taken back for its import: its name as uploaded and its bytes."""

    name: str
    data: bytes

    def book(self, *, default_sheet: str = "") -> Book:
        return read_book(ContentFile(self.data, name=self.name), default_sheet=default_sheet)


def stash_upload(request, key: str, council_id: int, upload, name: str, *, prefix: str = "") -> str:
    """Keep an upload whose dry run found no problems until the person confirms its import: in the server's
    storage under a random name, that name in their session under ``key`` (replacing, and deleting, any upload
    waiting there). Returns the token the confirm form sends back. Nothing is stored in the database."""
    token = secrets.token_hex(16)
    extension = os.path.splitext(name)[1].lower()
    path = f"imports/{council_id}/{prefix}{token}{extension if extension in WAITING_EXTENSIONS else ''}"
    upload.seek(0)
    default_storage.save(path, ContentFile(upload.read()))
    previous = request.session.get(key)
    if previous:
        default_storage.delete(previous["path"])
    request.session[key] = {"token": token, "path": path, "council": council_id, "name": name}
    return token


def take_upload(request, key: str, council_id: int, *, what: str = "file") -> Waiting:
    """The upload waiting under ``key`` for the token the confirm form sent (``request.POST``: ``token``, and
    ``confirm`` = "yes"), removed from storage and the session as it is taken, so it is imported once.
    ``NotWaiting`` (saying what to do) when it is not confirmed, not this council's, or no longer there."""
    waiting = request.session.get(key)
    token = request.POST.get("token")
    if (not waiting or not token or waiting.get("token") != token or waiting.get("council") != council_id
            or request.POST.get("confirm") != "yes"):
        raise NotWaiting(f"There is no checked {what} waiting to be imported: upload it again.")
    path = waiting["path"]
    request.session.pop(key, None)
    try:
        with default_storage.open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        raise NotWaiting(f"The checked {what} is no longer on the server: upload it again.") from None
    default_storage.delete(path)
    return Waiting(waiting["name"], data)


# -- Writing ----------------------------------------------------------------------------------------------------

def guidance_rows(sheets: Iterable[Sheet]) -> Iterator[tuple]:
    yield ("Sheet", "Column", "Meaning", "Type", "Required", "Allowed values", "Example")
    for sheet in sheets:
        yield (sheet.name, "", sheet.help, "", "", "", "")
        for c in sheet.columns:
            yield (sheet.name, c.name, c.help, TYPES[c.type], "yes" if c.required else "no",
                   ", ".join(c.allowed), c.example)


def write_xlsx(tables: Iterable[tuple[Sheet, Iterable[dict]]], *, guidance: str = "") -> bytes:
    """A workbook: a guidance sheet first (when ``guidance`` is given, its text above every sheet's columns), then
    one sheet per table, its header the column names and each row's values written as their column says."""
    from openpyxl import Workbook

    tables = list(tables)
    book = Workbook(write_only=True)
    if guidance:
        ws = book.create_sheet("Guidance")
        for line in guidance.strip().splitlines():
            ws.append([line])
        ws.append([])
        for row in guidance_rows(sheet for sheet, _ in tables):
            ws.append(list(row))
    for sheet, rows in tables:
        ws = book.create_sheet(sheet.name[:31])
        ws.append(sheet.names)
        for row in rows:
            ws.append([show_value(c, row.get(c.name)) for c in sheet.columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_csv_zip(tables: Iterable[tuple[Sheet, Iterable[dict]]]) -> bytes:
    """The same tables as CSV files in a ZIP, one per sheet, named after the sheet."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for sheet, rows in tables:
            text = io.StringIO(newline="")
            writer = csv.writer(text)
            writer.writerow(sheet.names)
            for row in rows:
                writer.writerow(["" if (v := show_value(c, row.get(c.name))) is None else v for c in sheet.columns])
            archive.writestr(f"{sheet.name}.csv", text.getvalue().encode("utf-8"))
    return out.getvalue()
