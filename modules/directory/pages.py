"""Directory pages: people list with search, create, detail."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.directory.forms import person_form
from nexo.modules.directory.models import Person
from nexo.modules.directory.services import PersonService
from nexo.platform.tenancy.context import TenantContext
from nexo.platform.web.kit import FormData, get_or_404
from nexo.platform.web.rendering import render

PAGE_SIZE = 50


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
        people, total = await PersonService(db_session).search(q, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        context = {"people": people, "total": total, "q": q, "page": page, "pages": max(1, -(-total // PAGE_SIZE))}
        return render(request, "directory/people.html", context, partial="directory/_people_table.html")

    @get("/new", name="directory.people.new")
    async def new_person(self, request: Request[Any, Any, Any], tenant: TenantContext) -> Template:
        return render(request, "directory/person_form.html", {"data": {}, "errors": {}})

    @post("/new", name="directory.people.create")
    async def create_person(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession, data: FormData
    ) -> Any:
        form = person_form(data)
        if form.errors:
            context = {"data": form.data, "errors": form.errors}
            return render(request, "directory/person_form.html", context, status_code=400)
        person = await PersonService(db_session).create(form.person)
        return Redirect(f"/w/{tenant.slug}/directory/people/{person.id}", status_code=303)

    @get("/{person_id:int}", name="directory.people.detail")
    async def person_detail(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession, person_id: int
    ) -> Template:
        person = await get_or_404(db_session, Person, person_id, "person")
        return render(request, "directory/person_detail.html", {"person": person})
