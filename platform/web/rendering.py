"""One handler renders either the full page or, for an htmx request, only the fragment that changed."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request
from litestar.response import Template


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    """An htmx request that wants a fragment (boosted navigation wants the whole page)."""
    return request.headers.get("hx-request") == "true" and request.headers.get("hx-boosted") != "true"


def render(
    request: Request[Any, Any, Any],
    template: str,
    context: dict[str, Any] | None = None,
    *,
    partial: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Template:
    """Render ``template`` for a full load, or ``partial`` (a fragment template) for an htmx request.

    The media type is set here, not left to the route: a handler annotated ``-> Any`` (a redirect or a page) would
    otherwise send its re-rendered form as ``application/json`` and the browser would show the HTML source."""
    name = partial if partial and is_htmx(request) else template
    media_type = MediaType.HTML if name.endswith(".html") else None
    return Template(
        template_name=name, context=context or {}, status_code=status_code, headers=headers, media_type=media_type
    )
