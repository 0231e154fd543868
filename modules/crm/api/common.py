"""What the CRM's API controllers share: the tag list type, the CRM's input rules applied to a body (refusals as a
``validation-error`` problem), and the membership check of owners and assignees."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import Annotated, Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.crm.forms import Cleaned
from nexo.modules.crm.services.members import member_ids
from nexo.platform.api.principal import ApiPrincipal
from nexo.platform.api.resource import field_problem
from nexo.platform.web.errors import ProblemError

Tag = Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
Tags = Annotated[list[Tag], msgspec.Meta(max_length=50)]


def _as_text(value: Any) -> str:
    if value is None or value is msgspec.UNSET:
        return ""
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, list | tuple | set | frozenset):
        return ",".join(str(item) for item in value)
    return str(value)


def form_values(form: Callable[..., Cleaned], body: Mapping[str, Any], **context: Any) -> dict[str, Any]:
    """Validate an API body with the CRM's own input rules (``forms.*_form``, shared with the pages and the CSV
    import): clean values, or a 400 ``validation-error`` listing every field the rules refuse."""
    cleaned = form({key: _as_text(value) for key, value in body.items()}, **context)
    if cleaned.ok:
        return cleaned.values
    error = ProblemError(400, "Some fields are not valid: " + ", ".join(sorted(cleaned.errors)), "validation-error")
    error.extra = [
        {"key": key, "message": message, "source": "body"} for key, message in sorted(cleaned.errors.items())
    ]
    raise error


async def check_member(session: AsyncSession, principal: ApiPrincipal, user_id: int | None, field: str) -> None:
    """An owner or assignee must be a member of the workspace."""
    if user_id is not None and user_id not in await member_ids(session, principal.tenant_id):
        raise field_problem(field, "no such member in this workspace")
