"""Directory pages: people list with search, create, detail."""

from __future__ import annotations

from typing import Annotated, Any

from email_validator import EmailNotValidError, validate_email
from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.directory.models import Person
from nexo.modules.directory.services import PersonService, add_person
from nexo.platform.tenancy.context import TenantContext
from nexo.platform.web.rendering import render

FormData = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
PAGE_SIZE = 50


def person_errors(data: dict[str, str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for field, label, limit in (("first_name", "first name", 100), ("last_name", "last name", 100)):
        value = data.get(field, "").strip()
        if not value:
            errors[field] = f"Enter the {label}."
        elif len(value) > limit:
            errors[field] = f"Use at most {limit} characters."
    email = data.get("email", "").strip()
    if email:
        try:
            data["email"] = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError as exc:
            errors["email"] = f"This e-mail address is not valid: {exc}"
    if len(data.get("phone", "")) > 50:
        errors["phone"] = "Use at most 50 characters."
    return errors


class PeoplePages(Controller):
    path = "/directory/people"

    @get("/", name="directory.people")
    async def list_people(
        self,
        request: Request[Any, Any, Any],
        tenant: TenantContext,
        db_session: AsyncSession,
        q: str = "",
        page: int = 1,
    ) -> Template:
        page = max(page, 1)
        people, total = await PersonService(session=db_session).search(
            q, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
        context = {"people": people, "total": total, "q": q, "page": page, "pages": max(1, -(-total // PAGE_SIZE))}
        return render(request, "directory/people.html", context, partial="directory/_people_table.html")

    @get("/new", name="directory.people.new")
    async def new_person(self, request: Request[Any, Any, Any], tenant: TenantContext) -> Template:
        return render(request, "directory/person_form.html", {"data": {}, "errors": {}})

    @post("/new", name="directory.people.create")
    async def create_person(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession, data: FormData
    ) -> Any:
        data = {k: v.strip() for k, v in data.items()}
        errors = person_errors(data)
        if errors:
            return render(request, "directory/person_form.html", {"data": data, "errors": errors}, status_code=400)
        person = Person(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data.get("email") or None,
            phone=data.get("phone") or None,
            notes=data.get("notes") or None,
        )
        await add_person(db_session, person)
        return Redirect(f"/w/{tenant.slug}/directory/people/{person.id}", status_code=303)

    @get("/{person_id:int}", name="directory.people.detail")
    async def person_detail(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession, person_id: int
    ) -> Template:
        person = await db_session.get(Person, person_id)
        if person is None:
            raise NotFoundException("No such person in this workspace.")
        return render(request, "directory/person_detail.html", {"person": person})
