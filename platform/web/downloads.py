"""File downloads from pages: the CSV export format a link asks for, and the attachment response."""

from __future__ import annotations

from litestar import Response

from nexo.platform.csvkit import MEDIA_TYPE, CsvFormat, CsvFormatError, csv_format
from nexo.platform.web.errors import ProblemError


def requested_csv_format(value: str | None) -> CsvFormat:
    """The ``format`` query parameter of an export link (``csv`` or ``excel-es``); an unknown one is a 400."""
    try:
        return csv_format(value)
    except CsvFormatError as exc:
        raise ProblemError(400, str(exc), "bad-export-format") from None


def attachment(body: bytes, media_type: str, filename: str) -> Response[bytes]:
    return Response(body, media_type=media_type, headers={"content-disposition": f'attachment; filename="{filename}"'})


def csv_download(body: bytes, filename: str) -> Response[bytes]:
    return attachment(body, MEDIA_TYPE, filename)
