"""Uploads checked by their content, not their name (issue 11, pmf/uploads.py): hostile files, built here, are
refused through the real pages (the return entry form as the demo service lead, the report set-up page, the case
study page) with a message naming the rule, and nothing is saved: no return, no evidence, no file on disk.
Genuine files of every accepted kind are stored under a clean name with the type their bytes say."""

from __future__ import annotations

import html
import io
import struct
import zipfile
import zlib

import docx
import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfWriter

from indicators.models import Evidence, Indicator, Return
from pmf import uploads
from pmf.models import AuditEntry, Council, Period
from reporting.models import CaseStudy, ReportDefinition

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


# -- Files, genuine and hostile, made here --------------------------------------------------------------------

def real_xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["Month", "Tonnes collected"])
    book.active.append(["October", 1234])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def real_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("Crew rota for October.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def real_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def real_png(size=(60, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (0, 112, 60)).save(out, "PNG")
    return out.getvalue()


def repacked(package: bytes, *, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    """An Office package with some parts replaced or added (the rest copied as they are)."""
    replace, out = replace or {}, io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy_:
        assert set(replace) <= set(source.namelist()), "only parts the package has are replaced"
        for info in source.infolist():
            copy_.writestr(info.filename, replace.get(info.filename, source.read(info)))
        for name, data in (add or {}).items():
            copy_.writestr(name, data)
    return out.getvalue()


def zip_bomb_xlsx(expanded_mb: int) -> bytes:
    """A real spreadsheet with one more part: a run of zeros, written in chunks so the test stays light."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(real_xlsx())) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as copy_:
        for info in source.infolist():
            copy_.writestr(info.filename, source.read(info))
        with copy_.open("xl/media/padding.bin", "w") as part:
            chunk = bytes(MB)
            for _ in range(expanded_mb):
                part.write(chunk)
    return out.getvalue()


def lying_zip_bomb_xlsx() -> bytes:
    """A spreadsheet whose extra part says it expands to 1,000 bytes and really expands to 5 MB."""
    package = bytearray(zip_bomb_xlsx(5))
    with zipfile.ZipFile(io.BytesIO(bytes(package))) as archive:
        info = archive.getinfo("xl/media/padding.bin")
    struct.pack_into("<I", package, info.header_offset + 22, 1000)  # the local header's size
    central = 0
    while True:  # the central directory's entry for that part
        central = package.index(b"PK\x01\x02", central)
        name_length = struct.unpack_from("<H", package, central + 28)[0]
        if package[central + 46:central + 46 + name_length] == b"xl/media/padding.bin":
            struct.pack_into("<I", package, central + 24, 1000)
            return bytes(package)
        central += 46


LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE sst [\n<!ENTITY lol "lol">\n'
          + b"".join(b'<!ENTITY lol%d "%s">\n' % (i, b"".join(b"&lol%s;" % (b"" if i == 1 else b"%d" % (i - 1))
                                                                  for _ in range(10))) for i in range(1, 10))
          + b']>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
            b"<si><t>&lol9;</t></si></sst>")
EXTERNAL = (b'<?xml version="1.0"?>\n<!DOCTYPE sst [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&secret;</t></si></sst>')


def png_bomb(width: int, height: int) -> bytes:
    """A real PNG of one-bit black pixels, small on disk and huge once decoded, compressed in chunks."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    squeeze, data, row = zlib.compressobj(9), bytearray(), bytes(1 + (width + 7) // 8)
    rows = row * 512
    for _ in range(height // 512):
        data += squeeze.compress(rows)
    data += squeeze.compress(row * (height % 512)) + squeeze.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", bytes(data)) + chunk(b"IEND", b"")


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("figures.csv", "Month,Tonnes\n")
    return out.getvalue()


ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(56) + b"%PDF-1.4 hidden"
PE = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(52) + b"\x80\x00\x00\x00" + bytes(64) + b"PE\x00\x00" + bytes(200)

HOSTILE = {
    "elf_named_pdf": ("report.pdf", lambda: ELF, "This file is not a real PDF: its contents are a Linux program."),
    "exe_named_pdf": ("report.pdf", lambda: PE, "This file is not a real PDF: its contents are a Windows program."),
    "zip_bomb": ("figures.xlsx", lambda: zip_bomb_xlsx(101),
                 "This spreadsheet expands to more than 100 MB when opened."),
    "tightly_packed": ("figures.xlsx", lambda: zip_bomb_xlsx(5),
                       "One part of this spreadsheet expands more than 100 times when opened"),
    "lying_sizes": ("figures.xlsx", lying_zip_bomb_xlsx,
                    "This file is not a real Excel spreadsheet: it cannot be opened as .xlsx (the file is damaged)."),
    "billion_laughs": ("figures.xlsx", lambda: repacked(real_xlsx(), replace={"xl/worksheets/sheet1.xml": LAUGHS}),
                       "This file contains XML that could be used to attack the server (entity expansion)."),
    "external_entity": ("figures.xlsx", lambda: repacked(real_xlsx(), replace={"xl/worksheets/sheet1.xml": EXTERNAL}),
                        "This file contains XML that could be used to attack the server (external entities"),
    "docx_named_xlsx": ("figures.xlsx", real_docx,
                        "This file is not a real Excel spreadsheet: its contents are a Word document."),
    "dot_dot_path": ("figures.xlsx", lambda: repacked(real_xlsx(), add={"../../etc/cron.d/evil": b"* * * * * x"}),
                     "with a path outside the file (an absolute path or “..”)"),
    "absolute_path": ("rota.docx", lambda: repacked(real_docx(), add={"/tmp/evil.sh": b"x"}),
                      "with a path outside the file (an absolute path or “..”)"),
    "macros": ("rota.docx", lambda: repacked(real_docx(), add={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"}),
               "This document contains macros"),
    "plain_zip": ("figures.xlsx", plain_zip, "it is a ZIP archive without the Office content types"),
    "png_bomb": ("chart.png", lambda: png_bomb(8000, 8000),
                 "This image is 8,000 × 8,000 pixels, more than the 40 million pixels allowed"),
    "huge_png_bomb": ("chart.png", lambda: png_bomb(20000, 20000),
                      "This image has more than the 40 million pixels allowed"),
    "png_named_jpg": ("chart.jpg", real_png, "This file is not a real JPEG image: its contents are a PNG image."),
    "nul_bytes": ("notes.txt", lambda: b"Collected on time\x00\x00\x01\x02",
                  "This file is not a real text file: it contains NUL bytes"),
    "html_named_csv": ("figures.csv", lambda: b"<!DOCTYPE html>\n<html><body><script>alert(1)</script></body></html>",
                       "This file is not a real CSV file: its contents are a web page (HTML)."),
    "script_in_csv": ("figures.csv", lambda: b"Month,Tonnes\nOctober,<script>alert(1)</script>\n",
                      "This file is not a real CSV file: its contents are a web page (HTML) or hold a script."),
    "legacy_xls": ("figures.xlsx", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
                   "its contents are an old-style Office file (.doc or .xls) or a password-protected one."),
    "unaccepted_type": ("run.exe", lambda: PE, "“run.exe” is not an accepted type. Accepted: .csv, .docx"),
}


GENUINE = {
    "xlsx": ("Tonnage October.xlsx", real_xlsx,
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "docx": ("Crew rota.docx", real_docx,
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "pdf": ("Weighbridge tickets.pdf", real_pdf, "application/pdf"),
    "png": ("Chart.PNG", real_png, "image/png"),
    "csv": ("figures.csv", lambda: "Month,Tonnes\nOctober,1234\nCafé run,12\n".encode(), "text/csv"),
    "csv_cp1252": ("figures.csv", lambda: "Month,Tonnes\nCafé run,12\n".encode("cp1252"), "text/csv"),
}


# -- Through the return entry page, as the demo service lead ------------------------------------------------

@pytest.fixture
def stc03():
    return Indicator.objects.select_related("current_spec", "council").get(ref="STC03")


@pytest.fixture
def october(stc03):
    return Period.objects.get(financial_year_id=2026, frequency=stc03.current_spec.frequency, number=7)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def lead(client):
    response = client.post(reverse("login"), {"username": "tom.ashworth", "password": "harrowdale-demo"})
    assert response.status_code == 302, "the demo service lead signs in"
    return client


def _post_return(lead, stc03, october, name: str, content: bytes):
    return lead.post(reverse("indicators:return", args=[stc03.pk, october.pk]), {
        "numerator": "95", "denominator": "100", "commentary": "On track.", "submit": "1",
        "evidence": SimpleUploadedFile(name, content, content_type="application/octet-stream")})


@pytest.mark.parametrize("case", HOSTILE)
def test_a_hostile_file_is_refused_on_the_return_form_with_its_rule_and_nothing_is_saved(
        case, lead, stc03, october, media):
    name, make, message = HOSTILE[case]
    audit_before = AuditEntry.objects.count()
    response = _post_return(lead, stc03, october, name, make())
    assert response.status_code == 400
    assert message in html.unescape(response.text)
    assert not Return.objects.filter(indicator=stc03, period=october).exists()
    assert not Evidence.objects.filter(ret__indicator=stc03, ret__period=october).exists()
    assert AuditEntry.objects.count() == audit_before
    assert not list(media.rglob("*")), "no file written to MEDIA_ROOT"


@pytest.mark.parametrize("case", GENUINE)
def test_a_genuine_file_is_stored_with_its_type_from_its_bytes(case, lead, stc03, october, media):
    name, make, content_type = GENUINE[case]
    content = make()
    response = _post_return(lead, stc03, october, name, content)
    assert response.status_code == 302, html.unescape(response.text)[:3000]
    [evidence] = Evidence.objects.filter(ret__indicator=stc03, ret__period=october)
    stem, _, extension = name.rpartition(".")
    name = f"{stem}.{extension.lower()}"  # the stored name's extension in lower case
    assert (evidence.original_name, evidence.content_type, evidence.size) == (name, content_type, len(content))
    assert (media / evidence.file.name).read_bytes() == content
    download = lead.get(reverse("indicators:evidence", args=[evidence.pk]))
    assert download["Content-Type"] == content_type and name in download["Content-Disposition"]


def test_the_evidence_name_is_cleaned_before_it_is_stored(lead, stc03, october, media):
    response = _post_return(lead, stc03, october, "..\\..\\secret/\u202eFdp.\x07Tonnage\u200b  ＯＣＴ.pdf", real_pdf())
    assert response.status_code == 302
    [evidence] = Evidence.objects.filter(ret__indicator=stc03, ret__period=october)
    assert evidence.original_name == "Fdp.Tonnage OCT.pdf"
    assert evidence.file.name.startswith(f"evidence/{stc03.council_id}/") and evidence.file.name.endswith(".pdf")
    assert [p.name for p in media.rglob("*") if p.is_file()] == [evidence.file.name.rsplit("/", 1)[1]]


def test_the_size_limit_and_its_message_are_kept(lead, stc03, october, media):
    response = _post_return(lead, stc03, october, "big.pdf", b"%PDF-1.4" + bytes(10 * MB))
    assert response.status_code == 400 and "“big.pdf” is 10.0 MB; the limit is 10 MB." in response.text
    assert not list(media.rglob("*"))


# -- The limits are settings ---------------------------------------------------------------------------------

def test_the_limits_on_parts_and_expansion_are_settings(settings):
    rules = uploads.Rules.of(["xlsx"], max_bytes=10 * MB)
    settings.UPLOAD_MAX_ARCHIVE_ENTRIES = 20
    many = repacked(real_xlsx(), add={f"xl/extra/{i}.txt": b"x" for i in range(20)})
    with pytest.raises(ValidationError, match="holds more than 20 parts inside it"):
        uploads.check(SimpleUploadedFile("many.xlsx", many), rules)
    settings.UPLOAD_MAX_ARCHIVE_ENTRIES = 10_000
    settings.UPLOAD_MAX_EXPANDED_BYTES = 4 * 1024
    with pytest.raises(ValidationError, match="expands to more than 0 MB"):
        uploads.check(SimpleUploadedFile("figures.xlsx", real_xlsx()), rules)


def test_clean_name():
    assert uploads.clean_name("C:\\Users\\tom\\Desktop\\rota.DOCX") == "rota.docx"
    assert uploads.clean_name("../../etc/passwd") == "passwd"
    assert uploads.clean_name("report\u202etxt.exe") == "reporttxt.exe"  # a right-to-left override removed
    assert uploads.clean_name("ｒｅｐｏｒｔ.pdf") == "report.pdf"  # full-width letters normalised
    assert uploads.clean_name("CON.txt") == "_CON.txt"
    assert uploads.clean_name('a<b>:"c|?*.csv') == "a_b___c___.csv"
    assert uploads.clean_name("...") == "file"
    long = uploads.clean_name("x" * 300 + ".xlsx")
    assert len(long) == uploads.NAME_LIMIT and long.endswith(".xlsx")
    assert uploads.clean_name("figures.csv", extension=".txt") == "figures.txt"


def test_what_the_first_bytes_say():
    assert uploads.sniff(ELF)[0] == "a Linux program" and uploads.sniff(PE)[0] == "a Windows program"
    assert uploads.sniff(b"MZ,Mozambique\n") == ("", "")  # text beginning "MZ" is not a program
    assert uploads.sniff(b"\xef\xbb\xbf <!doctype html><p>hi")[0] == "a web page (HTML)"
    assert uploads.sniff(real_png())[1] == "png" and uploads.sniff(real_xlsx())[1] == "zip"
    rules = uploads.Rules.of(["csv"], max_bytes=MB)
    checked = uploads.check(SimpleUploadedFile("countries.csv", b"\xef\xbb\xbfMZ,Mozambique\n"), rules)
    assert (checked.name, checked.content_type) == ("countries.csv", "text/csv")


# -- The Word template of a report, and a case study's picture ---------------------------------------------

@pytest.fixture
def perf(client):
    from pmf.models import User

    client.force_login(User.objects.get(username="helen.marsh"))
    return client


def _post_definition(perf, name: str, content: bytes):
    council = Council.objects.get(slug="harrowdale")
    return perf.post(reverse("reporting:definition_add"), {
        "name": "Adults portfolio", "report_type": "portfolio", "scope": "portfolio",
        "portfolio": council.portfolios.first().pk, "sections": ["overview"],
        "word_template": SimpleUploadedFile(name, content, content_type="application/octet-stream")})


@pytest.mark.parametrize(("name", "make", "message"), [
    ("template.docx", real_xlsx, "This file is not a real Word document: its contents are an Excel spreadsheet."),
    ("template.docx", lambda: repacked(real_docx(), replace={"word/document.xml": LAUGHS}),
     "This file contains XML that could be used to attack the server (entity expansion)."),
    ("template.docx", lambda: PE, "This file is not a real Word document: its contents are a Windows program."),
    ("template.doc", real_docx, "The Word template must be a .docx file (Word 2007 or later)."),
])
def test_a_hostile_word_template_is_refused(perf, media, name, make, message):
    response = _post_definition(perf, name, make())
    assert response.status_code == 400 and message in html.unescape(response.text)
    assert not ReportDefinition.objects.filter(name="Adults portfolio").exists()
    assert not list(media.rglob("*"))


def test_a_genuine_word_template_is_stored(perf, media):
    response = _post_definition(perf, "Council style.docx", real_docx())
    assert response.status_code == 302
    made = ReportDefinition.objects.get(name="Adults portfolio")
    assert made.word_template.name.endswith(".docx") and (media / made.word_template.name).is_file()


def _post_case_study(lead, name: str, content: bytes):
    return lead.post(reverse("reporting:case_study_add"), {
        "title": "Bins for every flat", "story": "Crews visited every block.", "financial_year": "2026",
        "picture": SimpleUploadedFile(name, content, content_type="image/png"), "picture_alt": "A crew"})


@pytest.mark.parametrize(("name", "make", "message"), [
    ("crew.png", lambda: png_bomb(8000, 8000), "This image is 8,000 × 8,000 pixels, more than the 40 million"),
    ("crew.png", lambda: PE, "This file is not a real PNG image: its contents are a Windows program."),
    ("crew.jpg", real_png, "This file is not a real JPEG image: its contents are a PNG image."),
    ("crew.svg", lambda: b"<svg onload='alert(1)'/>", "“crew.svg” is not an accepted type."),
])
def test_a_hostile_picture_is_refused(lead, media, name, make, message):
    response = _post_case_study(lead, name, make())
    assert response.status_code == 400 and message in html.unescape(response.text)
    assert not CaseStudy.objects.filter(title="Bins for every flat").exists()
    assert not list(media.rglob("*"))


def test_a_genuine_picture_is_stored(lead, media):
    response = _post_case_study(lead, "Crew at Elm Court.png", real_png())
    assert response.status_code == 302
    study = CaseStudy.objects.get(title="Bins for every flat")
    assert study.picture.name.endswith("Crew_at_Elm_Court.png") and (media / study.picture.name).is_file()
