"""Files people download (evidence, report packs, exports): sent as attachments with their own name, never kept by
a shared cache unless they are public and never change."""

from __future__ import annotations

from django.http import FileResponse, HttpResponse

PRIVATE = "private, no-store"


def file_download(handle, *, filename: str, content_type: str, cache_control: str = PRIVATE) -> FileResponse:
    """A stored file (an open handle) as a download."""
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["Cache-Control"] = cache_control
    return response


def content_download(content: bytes, *, filename: str, content_type: str, cache_control: str = PRIVATE) -> HttpResponse:
    """Content made for this request (a CSV or Excel export) as a download."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = cache_control
    return response
