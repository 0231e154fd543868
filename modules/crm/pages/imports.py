"""CSV import: upload, preview with column mapping, per-row errors (nothing imported), summary."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.crm.pages.base import CrmController
from nexo.modules.crm.services.csv_import import (
    ENTITIES,
    FIELDS,
    MAX_BYTES,
    ImportFileError,
    ParsedFile,
    check_rows,
    guess_mapping,
    import_rows,
    parse_csv,
    translated_fields,
)
from nexo.platform.csvkit import CsvReadError, decode, read_upload
from nexo.platform.i18n.catalog import gettext
from nexo.platform.tenancy.context import TenantContext
from nexo.platform.web.kit import AnyRequest, MultiFormData
from nexo.platform.web.rendering import render

PREVIEW_ROWS = 10


def mapping_context(
    entity: str, parsed: ParsedFile, content: str, filename: str, mapping: dict[int, str]
) -> dict[str, Any]:
    return {
        "entity": entity,
        "headers": parsed.headers,
        "preview": parsed.rows[:PREVIEW_ROWS],
        "row_count": len(parsed.rows),
        "content": content,
        "filename": filename,
        "mapping": mapping,
        "fields": translated_fields(entity),
    }


class ImportPages(CrmController):
    path = "/crm/import"

    @get("/", name="crm.import")
    async def upload_form(self, request: AnyRequest, entity: str = "contacts") -> Template:
        return render(
            request, "crm/import_upload.html", {"entity": entity if entity in ENTITIES else "contacts", "error": ""}
        )

    @post("/preview", name="crm.import.preview")
    async def preview(
        self, request: AnyRequest, data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
    ) -> Template:
        entity = str(data.get("entity", "contacts"))
        entity = entity if entity in ENTITIES else "contacts"
        upload = data.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return render(
                request,
                "crm/import_upload.html",
                {"entity": entity, "error": gettext("Choose a CSV file.")},
                status_code=400,
            )
        try:
            # Read in chunks up to the cap, then decode once (UTF-8, BOM or Windows-1252 detected); the decoded text
            # travels in the mapping form, so the second step parses UTF-8.
            content, _ = decode(await read_upload(upload, MAX_BYTES))
            parsed = parse_csv(content.encode("utf-8"))
        except (ImportFileError, CsvReadError) as exc:
            return render(request, "crm/import_upload.html", {"entity": entity, "error": str(exc)}, status_code=400)
        context = mapping_context(entity, parsed, content, upload.filename, guess_mapping(parsed.headers, entity))
        return render(request, "crm/import_mapping.html", {**context, "errors": []})

    @post("/run", name="crm.import.run")
    async def run(
        self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession, data: MultiFormData
    ) -> Template:
        entity = str(data.get("entity", "contacts"))
        entity = entity if entity in ENTITIES else "contacts"
        content = str(data.get("content", ""))
        filename = str(data.get("filename", ""))[:200]
        try:
            parsed = parse_csv(content.encode("utf-8"))
        except ImportFileError as exc:
            return render(request, "crm/import_upload.html", {"entity": entity, "error": str(exc)}, status_code=400)
        mapping: dict[int, str] = {}
        for index in range(len(parsed.headers)):
            target = str(data.get(f"column_{index}", ""))
            if target in FIELDS[entity] and target not in mapping.values():
                mapping[index] = target
        checked = check_rows(parsed, mapping, entity)
        if checked.errors:
            context = mapping_context(entity, parsed, content, filename, mapping)
            return render(request, "crm/import_mapping.html", {**context, "errors": checked.errors}, status_code=400)
        summary = await import_rows(
            db_session, entity, checked.values, owner_id=tenant.user_id, actor=tenant.actor, filename=filename
        )
        return render(request, "crm/import_done.html", {"summary": summary})
