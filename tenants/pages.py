"""Signup, the workspace switcher and the workspace home."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.platform.accounts.models import User
from nexo.platform.accounts.sessions import rotate_session
from nexo.platform.modules.registry import get_registry
from nexo.platform.web.rendering import render
from nexo.tenants.models import Membership, Tenant
from nexo.tenants.resolution import TenantContext
from nexo.tenants.signup import SignupForm, SignupResult, sign_up
from nexo.tenants.slugs import slug_problem, suggest_slug

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


def current_user(request: Request[Any, Any, Any]) -> User | None:
    user = request.scope.get("user")
    return user if isinstance(user, User) else None


def signup_context(form: SignupForm, errors: dict[str, str], user: User | None) -> dict[str, Any]:
    optional = [m for m in get_registry() if not m.always_on]
    return {"form": form, "errors": errors, "user": user, "modules": optional}


class SignupController(Controller):
    path = "/signup"
    opt = {"exclude_from_auth": True}

    @get("/", name="signup")
    async def signup_page(self, request: Request[Any, Any, Any]) -> Template:
        return render(request, "tenants/signup.html", signup_context(SignupForm(), {}, current_user(request)))

    @post("/", name="signup.submit", opt={"rate_limit": "signup"})
    async def signup(self, request: Request[Any, Any, Any], db_session: AsyncSession, data: FormData) -> Any:
        form = SignupForm.from_data(await _form_multi(request, data))
        user = current_user(request)
        result: SignupResult | None
        try:
            result = await sign_up(db_session, form, existing_user=user)
            errors = result.errors
        except IntegrityError:  # a concurrent signup took the slug or e-mail between check and insert
            result = None
            errors = {"slug": "This address or e-mail was just taken. Choose another one."}
        if result is None or result.tenant is None or result.user is None:
            await db_session.rollback()
            context = signup_context(form, errors, user)
            return render(request, "tenants/signup.html", context, partial="tenants/_signup_form.html", status_code=400)
        await db_session.commit()
        if user is None:
            rotate_session(request)
            request.set_session({"user_id": result.user.id})
        target = f"/w/{result.tenant.slug}/"
        if request.headers.get("hx-request") == "true":
            return Template(template_name="partials/empty.html", headers={"hx-redirect": target})
        return Redirect(target, status_code=303)

    @get("/slug", name="signup.slug")
    async def slug_check(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, company_name: str = "", slug: str = ""
    ) -> Template:
        """htmx: suggest a slug from the company name, or say whether the typed one is free."""
        value = slug.strip().lower() or suggest_slug(company_name)
        problem = slug_problem(value) if value else None
        if value and not problem and await db_session.scalar(select(Tenant.id).where(Tenant.slug == value)):
            problem = "This address is taken. Choose another one."
        return render(request, "tenants/_slug_field.html", {"slug": value, "error": problem, "checked": bool(value)})


async def _form_multi(request: Request[Any, Any, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Keep repeated fields (module checkboxes) as lists."""
    form = await request.form()
    merged = dict(data)
    merged["modules"] = form.getall("modules") if "modules" in form else []
    return merged


class WorkspacesController(Controller):
    path = "/workspaces"

    @get("/", name="workspaces")
    async def list_workspaces(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        user = current_user(request)
        assert user is not None
        rows = (
            await db_session.execute(
                select(Tenant, Membership.role)
                .join(Membership, Membership.tenant_id == Tenant.id)
                .where(Membership.user_id == user.id)
                .order_by(Tenant.name)
            )
        ).all()
        return render(request, "tenants/workspaces.html", {"workspaces": rows, "user": user})


class WorkspaceHomeController(Controller):
    path = "/"

    @get("/", name="workspace.home")
    async def home(self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession) -> Template:
        from nexo.modules.directory.services import directory_counts

        counts = await directory_counts(db_session)
        return render(request, "tenants/home.html", {"counts": counts})


def root_redirect(request: Request[Any, Any, Any]) -> Redirect:
    return Redirect("/workspaces" if current_user(request) else "/login")


@get("/", name="root", opt={"exclude_from_auth": True}, include_in_schema=False, sync_to_thread=False)
def root(request: Request[Any, Any, Any]) -> Redirect:
    return root_redirect(request)
