"""Uploaded files checked by what they contain, not by their name (issue 11).

Every file the product accepts (evidence on a return, a report's Word template, a case study's picture) goes
through ``check(upload, rules)`` before it is stored:

- its type is decided from its first bytes (a table of magic numbers below, exact for the few kinds we accept
  and for the hostile ones we name: programs, archives, web pages) and must be one the upload allows, and the
  name's extension must agree with it (a PDF's bytes named .pdf, a PNG's named .png ...);
- plain text and CSV decode as UTF-8 (or Windows cp1252), hold no NUL bytes and are not a web page;
- Word and Excel files are opened as ZIP packages with limits (what they expand to in all, the number of parts,
  how tightly one part is compressed), no part named outside the package (an absolute path or ``..``), no
  password, no macros, the Office content types present and saying the same kind as the extension (a .docx a
  Word document, a .xlsx a spreadsheet), and every XML part parsed with defusedxml, which refuses entity
  declarations (the "billion laughs") and external references; old-style .doc / .xls files are not accepted;
- images are opened with Pillow, in the format their bytes say, within a limit on pixels (a small file that
  would decompress into gigabytes is refused from its header, before any pixel is decoded);
- the name is cleaned (no folders, no control or invisible characters, Unicode normalised, a length limit) and
  keeps an extension of the type found.

Every refusal is a ``ValidationError`` saying in plain words which rule the file broke. The limits are settings
(``UPLOAD_MAX_EXPANDED_BYTES``, ``UPLOAD_MAX_ARCHIVE_ENTRIES``, ``UPLOAD_MAX_COMPRESSION_RATIO``,
``UPLOAD_MAX_IMAGE_PIXELS``); a file's own size limit belongs to the upload (``Rules.max_bytes``).
"""

from __future__ import annotations

import os
import posixpath
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from defusedxml import DefusedXmlException, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml import ElementTree as SafeET
from defusedxml.expatreader import DefusedExpatParser
from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image

MB = 1024 * 1024
CHUNK = 64 * 1024
NAME_LIMIT = 100  # characters of a stored name, extension included
RATIO_GRACE_BYTES = MB  # parts expanding to less than this are not held to the compression-ratio limit


@dataclass(frozen=True)
class Kind:
    """A type of file we accept somewhere: its key, what people call it, its extensions (the first is the one
    a stored name gets when there is a choice), its MIME type."""

    key: str
    label: str
    extensions: tuple[str, ...]
    content_type: str
    family: str  # "pdf", "image", "text", "office"
    noun: str = "file"  # "this spreadsheet expands to ..."


KINDS: dict[str, Kind] = {k.key: k for k in (
    Kind("pdf", "PDF", (".pdf",), "application/pdf", "pdf"),
    Kind("png", "PNG image", (".png",), "image/png", "image", "image"),
    Kind("jpeg", "JPEG image", (".jpg", ".jpeg"), "image/jpeg", "image", "image"),
    Kind("gif", "GIF image", (".gif",), "image/gif", "image", "image"),
    Kind("webp", "WebP image", (".webp",), "image/webp", "image", "image"),
    Kind("csv", "CSV file", (".csv",), "text/csv", "text"),
    Kind("txt", "text file", (".txt",), "text/plain", "text"),
    Kind("xlsx", "Excel spreadsheet", (".xlsx",),
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "office", "spreadsheet"),
    Kind("docx", "Word document", (".docx",),
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "office", "document"),
)}
PILLOW_FORMATS = {"png": "PNG", "jpeg": "JPEG", "gif": "GIF", "webp": "WEBP"}

# What a file's first bytes say it is: (offset, signature, what it is, the kind key when it is one we accept).
# Longest and most specific first; the first match wins.
SIGNATURES: tuple[tuple[int, bytes, str, str], ...] = (
    (0, b"%PDF-", "a PDF", "pdf"),
    (0, b"\x89PNG\r\n\x1a\n", "a PNG image", "png"),
    (0, b"\xff\xd8\xff", "a JPEG image", "jpeg"),
    (0, b"GIF87a", "a GIF image", "gif"),
    (0, b"GIF89a", "a GIF image", "gif"),
    (8, b"WEBP", "a WebP image", "webp"),  # after "RIFF" and a length: checked with the prefix below
    (0, b"PK\x03\x04", "a ZIP archive", "zip"),
    (0, b"PK\x05\x06", "an empty ZIP archive", ""),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
     "an old-style Office file (.doc or .xls) or a password-protected one", ""),
    (0, b"MZ", "a Windows program", ""),
    (0, b"\x7fELF", "a Linux program", ""),
    (0, b"\xfe\xed\xfa\xce", "a Mac program", ""),
    (0, b"\xfe\xed\xfa\xcf", "a Mac program", ""),
    (0, b"\xce\xfa\xed\xfe", "a Mac program", ""),
    (0, b"\xcf\xfa\xed\xfe", "a Mac program", ""),
    (0, b"\xca\xfe\xba\xbe", "a program (Mac or Java)", ""),
    (0, b"\x00asm", "a program (WebAssembly)", ""),
    (0, b"#!", "a script (a program)", ""),
    (0, b"Rar!\x1a\x07", "a RAR archive", ""),
    (0, b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", ""),
    (0, b"\x1f\x8b", "a compressed (gzip) archive", ""),
    (0, b"\xfd7zXZ\x00", "a compressed (xz) archive", ""),
    (0, b"{\\rtf", "an RTF document", ""),
    (0, b"II*\x00", "a TIFF image", ""),
    (0, b"MM\x00*", "a TIFF image", ""),
    (0, b"\x00\x00\x01\x00", "an icon", ""),
    (0, b"8BPS", "a Photoshop image", ""),
)

# Office content types: the main part says which application the package is for.
OFFICE_MAIN_TYPES: dict[str, tuple[str, str]] = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": ("a Word document", "docx"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": ("a Word document", "docx"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": ("an Excel spreadsheet", "xlsx"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": ("an Excel spreadsheet",
                                                                                     "xlsx"),
    "application/vnd.ms-word.document.macroEnabled.main+xml": ("a Word document with macros (.docm)", ""),
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml": ("a Word template with macros (.dotm)", ""),
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml": ("an Excel workbook with macros (.xlsm)", ""),
    "application/vnd.ms-excel.template.macroEnabled.main+xml": ("an Excel template with macros (.xltm)", ""),
    "application/vnd.ms-excel.addin.macroEnabled.main+xml": ("an Excel add-in with macros (.xlam)", ""),
    "application/vnd.ms-excel.sheet.binary.macroEnabled.main": ("an Excel binary workbook (.xlsb)", ""),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml":
        ("a PowerPoint presentation", ""),
    "application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml":
        ("a PowerPoint presentation", ""),
    "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml":
        ("a PowerPoint template", ""),
    "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml":
        ("a PowerPoint presentation with macros (.pptm)", ""),
}
MACRO_PART_TYPES = {"application/vnd.ms-office.vbaProject", "application/vnd.ms-excel.macroSheet+xml",
                    "application/vnd.ms-office.activeX+xml", "application/vnd.ms-office.activeX"}

# How a web page begins (the browsers' own sniffing list), and tags that make text active content anywhere in it.
_HTML_START = re.compile(
    rb"\s*<(?:!doctype\s+html|html|head|body|script|iframe|h1|div|font|table|a|style|title|b|br|p|svg|\?xml"
    rb"|!--)[\s>/]", re.IGNORECASE)
_ACTIVE = re.compile(rb"<(?:script|html|iframe|object|embed|svg)[\s>/]", re.IGNORECASE)
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                     *(f"lpt{i}" for i in range(1, 10))}
_UNSAFE_IN_NAME = re.compile(r'[<>:"/\\|?*]')


@dataclass(frozen=True)
class Rules:
    """What one upload accepts: the kinds (keys of ``KINDS``) and the largest file, in bytes."""

    kinds: frozenset[str]
    max_bytes: int

    @classmethod
    def of(cls, kinds: Iterable[str], *, max_bytes: int) -> Rules:
        unknown = set(kinds) - set(KINDS)
        if unknown:
            raise ValueError(f"Unknown upload kinds: {sorted(unknown)}")
        return cls(frozenset(kinds), max_bytes)

    @property
    def extensions(self) -> list[str]:
        return sorted(ext for key in self.kinds for ext in KINDS[key].extensions)

    def kind_for(self, extension: str) -> Kind | None:
        return next((KINDS[k] for k in self.kinds if extension in KINDS[k].extensions), None)


@dataclass(frozen=True)
class Checked:
    """A file that passed: its kind, the name to store it under, its MIME type and size."""

    kind: Kind
    name: str
    content_type: str
    size: int


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


# -- Names ----------------------------------------------------------------------------------------------------

def clean_name(name: str, *, extension: str | None = None) -> str:
    """A name safe to store and show: the last part of any path, Unicode normalised (NFKC: look-alike and
    full-width characters to their plain form), without control, invisible or direction-changing characters or
    those Windows refuses, without leading dots, at most ``NAME_LIMIT`` characters with the extension kept.
    ``extension`` (".pdf") replaces whatever extension the name had."""
    name = unicodedata.normalize("NFKC", str(name or ""))
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] not in "CZ" or ch == " ")
    name = _UNSAFE_IN_NAME.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    stem, ext = os.path.splitext(name)
    ext = (extension if extension is not None else ext).lower()
    if not re.fullmatch(r"(\.[a-z0-9]{1,8})?", ext):
        ext = ""
    stem = stem.strip(" .") or "file"
    if stem.split(".")[0].lower() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    return stem[:NAME_LIMIT - len(ext)].rstrip(" .") + ext


# -- What the bytes are -------------------------------------------------------------------------------------

def sniff(head: bytes) -> tuple[str, str]:
    """What a file's first bytes say it is: (a description for messages, the kind key, "zip", or "")."""
    for offset, signature, what, key in SIGNATURES:
        if key == "webp":
            if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
                return what, key
            continue
        if head[offset:offset + len(signature)] == signature:
            if signature == b"MZ" and b"\x00" not in head[:64]:
                continue  # text that happens to begin "MZ": a program's header always holds NUL bytes
            return what, key
    text = head.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte-order mark, skipped as browsers skip it
    if _HTML_START.match(text):
        return ("an XML document" if text.lstrip()[:5].lower() == b"<?xml" else "a web page (HTML)"), ""
    return "", ""


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _not_real(kind: Kind, what: str) -> ValidationError:
    if what:
        return _refuse(f"This file is not a real {kind.label}: its contents are {what}.", "content_mismatch")
    return _refuse(f"This file is not a real {kind.label}: it cannot be opened as {kind.extensions[0]}.",
                   "content_unknown")


def check(upload, rules: Rules) -> Checked:
    """Check an upload against ``rules`` by its content; return what it is and the name to store it under, or
    raise ``ValidationError`` naming the rule it broke. The upload's ``name`` becomes the cleaned name. A second
    call with the same rules returns the first answer (a form and the service behind it both check)."""
    done = getattr(upload, "_pmf_upload_check", None)
    if done is not None and done[0] == rules:
        return done[1]
    raw_name = getattr(upload, "name", "") or ""
    shown = clean_name(raw_name)
    extension = os.path.splitext(shown)[1].lower()
    kind = rules.kind_for(extension)
    if kind is None:
        raise _refuse(f"“{shown}” is not an accepted type. Accepted: {', '.join(rules.extensions)}.", "type")
    size = upload.size
    if size > rules.max_bytes:
        raise _refuse(f"“{shown}” is {size / MB:.1f} MB; the limit is {rules.max_bytes // MB} MB.", "size")
    if size == 0:
        raise _refuse(f"“{shown}” is empty.", "empty")
    try:
        upload.seek(0)
        head = upload.read(8192)
        what, found = sniff(head)
        if kind.family == "text":
            if what:
                raise _not_real(kind, what)
            _check_text(upload, kind)
        elif kind.family == "office":
            if found != "zip":
                raise _not_real(kind, what)
            _check_office(upload, kind)
        else:
            if found != kind.key:
                raise _not_real(kind, what)
            if kind.family == "image":
                _check_image(upload, kind)
    finally:
        upload.seek(0)
    result = Checked(kind=kind, name=clean_name(shown, extension=extension), content_type=kind.content_type,
                     size=size)
    upload.name = result.name
    upload._pmf_upload_check = (rules, result)
    return result


# -- Text ---------------------------------------------------------------------------------------------------

def _check_text(upload, kind: Kind) -> None:
    upload.seek(0)
    data = upload.read()
    if b"\x00" in data:
        raise _refuse(f"This file is not a real {kind.label}: it contains NUL bytes, so it is a program or other "
                      "binary file (or text saved as UTF-16: save it as UTF-8).", "text_nul")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            data.decode("cp1252")
        except UnicodeDecodeError:
            raise _refuse(f"This file is not a real {kind.label}: its characters are neither UTF-8 nor Windows "
                          "(cp1252) text. Save it as UTF-8.", "text_encoding") from None
    if _ACTIVE.search(data):
        raise _refuse(f"This file is not a real {kind.label}: its contents are a web page (HTML) or hold a "
                      "script.", "text_active")


# -- Images -------------------------------------------------------------------------------------------------

def _check_image(upload, kind: Kind) -> None:
    max_pixels = _limit("UPLOAD_MAX_IMAGE_PIXELS", 40_000_000)
    upload.seek(0)
    try:
        with Image.open(upload, formats=[PILLOW_FORMATS[kind.key]]) as image:  # reads the header only
            width, height = image.size
            if width * height > max_pixels:
                raise _refuse(f"This image is {width:,} × {height:,} pixels, more than the {max_pixels / 1e6:g} "
                              "million pixels allowed: a picture that large would take the server's memory "
                              "to open. Make it smaller.", "image_pixels")
            image.verify()
    except Image.DecompressionBombError:
        raise _refuse(f"This image has more than the {max_pixels / 1e6:g} million pixels allowed: a picture that "
                      "large would take the server's memory to open. Make it smaller.", "image_pixels") from None
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 - whatever Pillow fails on, the file cannot be read as an image
        raise _refuse(f"This file is not a real {kind.label}: it is damaged and cannot be read as one.",
                      "image_damaged") from None


# -- Word and Excel -----------------------------------------------------------------------------------------

def _bad_part_name(name: str) -> bool:
    if not name or "\x00" in name or name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return True
    return any(part == ".." for part in re.split(r"[/\\]", name))


def _check_office(upload, kind: Kind) -> None:
    max_total = _limit("UPLOAD_MAX_EXPANDED_BYTES", 100 * MB)
    max_entries = _limit("UPLOAD_MAX_ARCHIVE_ENTRIES", 10_000)
    max_ratio = _limit("UPLOAD_MAX_COMPRESSION_RATIO", 100)
    noun = kind.noun
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as package:
            infos = package.infolist()
            if len(infos) > max_entries:
                raise _refuse(f"This {noun} holds more than {max_entries:,} parts inside it: too many to open "
                              "safely.", "zip_entries")
            names: set[str] = set()
            total = 0
            for info in infos:
                if _bad_part_name(info.filename):
                    raise _refuse(f"This {noun} holds a part named “{clean_name(info.filename)}” with a path "
                                  "outside the file (an absolute path or “..”), which could be used to attack "
                                  "the server.", "zip_path")
                if info.filename.lower() in names:
                    raise _refuse(f"This {noun} is damaged: it holds two parts of the same name.", "zip_duplicate")
                names.add(info.filename.lower())
                if info.flag_bits & 0x1:
                    raise _refuse(f"This {noun} is password-protected: remove the password and upload it again.",
                                  "zip_encrypted")
                total += info.file_size
                if total > max_total:
                    raise _refuse(f"This {noun} expands to more than {max_total // MB} MB when opened.",
                                  "zip_expanded")
                if info.file_size > RATIO_GRACE_BYTES and info.file_size > max_ratio * max(info.compress_size, 1):
                    raise _refuse(f"One part of this {noun} expands more than {max_ratio} times when opened, as "
                                  "files made to overload a server do.", "zip_ratio")
            types = _content_types(package, kind, names)
            for info in infos:
                if not info.is_dir():
                    _read_part(package, info, types, noun)
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 - zipfile, zlib and struct fail in many ways on a damaged package
        raise _refuse(f"This file is not a real {kind.label}: it cannot be opened as {kind.extensions[0]} (the "
                      "file is damaged).", "zip_damaged") from None


def _xml_refusal(error: Exception, noun: str) -> ValidationError:
    if isinstance(error, ExternalReferenceForbidden) or (
            isinstance(error, EntitiesForbidden) and (error.sysid or error.pubid)):
        why = "external entities, which could read the server's files"
    elif isinstance(error, DefusedXmlException):
        why = "entity expansion"
    else:
        return _refuse(f"This {noun} is damaged: one of its parts is not valid XML.", "xml_invalid")
    return _refuse(f"This file contains XML that could be used to attack the server ({why}).", "xml_attack")


def _content_types(package: zipfile.ZipFile, kind: Kind, names: set[str]) -> dict[str, str]:
    """The package's declared types, by part name (lower case, no leading slash) and by extension (".xml");
    refused unless its main part says the same kind as the extension, with no macros."""
    entry = next((i for i in package.infolist() if i.filename == "[Content_Types].xml"), None)
    if entry is None:
        raise _refuse(f"This file is not a real {kind.label}: it is a ZIP archive without the Office content "
                      "types ([Content_Types].xml).", "office_no_types")
    if entry.file_size > MB:
        raise _refuse(f"This {kind.noun} is damaged: its list of content types is far too large.", "office_types")
    try:
        root = SafeET.fromstring(package.read(entry))
    except (DefusedXmlException, SafeET.ParseError) as error:
        raise _xml_refusal(error, kind.noun) from None
    types: dict[str, str] = {}
    for element in root:
        tag = element.tag.rsplit("}", 1)[-1]
        content_type = (element.get("ContentType") or "").strip()
        if tag == "Default" and element.get("Extension"):
            types["." + element.get("Extension", "").lower()] = content_type
        elif tag == "Override" and element.get("PartName"):
            types[element.get("PartName", "").lstrip("/").lower()] = content_type
    found = [(part, OFFICE_MAIN_TYPES[t]) for part, t in types.items() if t in OFFICE_MAIN_TYPES]
    if not found:
        raise _refuse(f"This file is not a real {kind.label}: its Office content types name no Word document or "
                      "spreadsheet.", "office_kind")
    part, (what, key) = found[0]
    if key != kind.key:
        raise _refuse(f"This file is not a real {kind.label}: its contents are {what}.", "office_kind")
    if not part.startswith(".") and part not in names:
        raise _refuse(f"This {kind.noun} is damaged: its main part is missing.", "office_main")
    if any(t in MACRO_PART_TYPES for t in types.values()) or any(n.endswith("vbaproject.bin") for n in names):
        raise _refuse(f"This {kind.noun} contains macros (a program inside the file): save it without macros and "
                      "upload it again.", "office_macros")
    return types


class _XmlChecker(DefusedExpatParser):
    """defusedxml's expat reader (entity declarations and external references refused) that only checks: the
    per-element callbacks are removed, so expat parses at its own speed (about 4 times faster) and builds
    nothing."""

    QUIET = ("StartElementHandler", "EndElementHandler", "CharacterDataHandler", "ProcessingInstructionHandler",
             "StartNamespaceDeclHandler", "EndNamespaceDeclHandler")

    def reset(self):
        super().reset()  # the SAX reader's handlers, then defusedxml's refusals
        for handler in self.QUIET:
            setattr(self._parser, handler, None)


def _read_part(package: zipfile.ZipFile, info: zipfile.ZipInfo, types: dict[str, str], noun: str) -> None:
    """Read a part to its end (its CRC checked by zipfile, never more than its declared size); an XML part is
    parsed as it streams by defusedxml's expat reader (no tree is built), any other is searched for entity
    declarations."""
    name = info.filename.lower()
    declared = types.get(name) or types.get(posixpath.splitext(name)[1], "")
    is_xml = name.endswith((".xml", ".rels")) or declared.endswith("xml")
    parser = None
    if is_xml:
        parser = _XmlChecker()  # its content handler is SAX's default, which does nothing
    tail = b""
    with package.open(info) as stream:  # zipfile's errors (a bad CRC, a damaged stream) are the caller's
        while chunk := stream.read(CHUNK):
            if parser is not None:
                _parse(parser.feed, chunk, noun)
            else:
                window = (tail + chunk).upper()
                if b"<!ENTITY" in window:
                    raise _xml_refusal(EntitiesForbidden(None, None, None, None, None, None), noun)
                tail = window[-8:]
    if parser is not None and info.file_size:  # an empty part is let be
        _parse(parser.feed, b"", noun, final=True)


def _parse(feed, chunk: bytes, noun: str, *, final: bool = False) -> None:
    try:
        feed(chunk, final) if final else feed(chunk)
    except Exception as error:  # noqa: BLE001 - defusedxml's refusals, or SAX's "not well-formed"
        raise _xml_refusal(error, noun) from None
