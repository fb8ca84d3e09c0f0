"""A pack as a PDF for committee papers (WeasyPrint over ``templates/reporting/pack/pdf.html``, which shares the
section partials with the web body). A4, the scorecards on landscape pages, a cover, contents with page numbers,
"Page X of Y" in the footer, one page per exception. Nothing is fetched: the only URLs allowed are ``data:`` URIs;
fonts are the system's."""

from __future__ import annotations

import io

from django.template.loader import render_to_string
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from reporting.rendering.web import body_context

PDF_TEMPLATE = "reporting/pack/pdf.html"
PDF_CONTENT_TYPE = "application/pdf"


def _url_fetcher():
    """WeasyPrint's fetcher for packs: ``data:`` URIs only, never the network or the file system."""
    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False)


def render_pdf_html(snapshot: dict, *, draft: bool = False) -> str:
    """The HTML that becomes the PDF (for debugging a layout in a browser)."""
    context = body_context(snapshot, for_pdf=True)
    context["draft"] = draft
    return render_to_string(PDF_TEMPLATE, context)


def render_pdf(snapshot: dict, *, draft: bool = False) -> bytes:
    """The pack as a PDF for committee papers; ``draft`` marks every page "DRAFT"."""
    html = render_pdf_html(snapshot, draft=draft)
    return HTML(string=html, base_url=None, url_fetcher=_url_fetcher()).write_pdf()


def count_pdf_pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)
