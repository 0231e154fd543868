"""Signup, the workspace switcher and the workspace home."""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.platform.accounts.models import User
from nexo.platform.accounts.pages import sign_in
from nexo.platform.metrics import SIGNUPS
from nexo.platform.modules.registry import get_registry
from nexo.platform.web.kit import MultiFormData
from nexo.platform.web.rendering import render
from nexo.tenants.models import Membership, Tenant
from nexo.tenants.signup import SignupForm, SignupResult, sign_up, slug_in_use, slugs_in_use
from nexo.tenants.slugs import MAX_SLUG_LENGTH, slug_problem, suggest_slug


def current_user(request: Request[Any, Any, Any]) -> User | None:
    user = request.scope.get("user")
    return user if isinstance(user, User) else None


def signup_context(form: SignupForm, errors: dict[str, str], user: User | None, slug_auto: str = "") -> dict[str, Any]:
    optional = [m for m in get_registry() if not m.always_on]
    return {"form": form, "errors": errors, "user": user, "modules": optional, "slug_auto": slug_auto}


class SignupController(Controller):
    path = "/signup"
    opt = {"exclude_from_auth": True}

    @get("/", name="signup")
    async def signup_page(self, request: Request[Any, Any, Any]) -> Template:
        return render(request, "tenants/signup.html", signup_context(SignupForm(), {}, current_user(request)))

    @post("/", name="signup.submit", opt={"rate_limit": "signup"}, media_type=MediaType.HTML)
    async def signup(self, request: Request[Any, Any, Any], db_session: AsyncSession, data: MultiFormData) -> Any:
        raw = await _form_multi(request, data)
        form = SignupForm.from_data(raw)
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
            if user is not None:  # the rollback expired it; the page still shows who is signed in
                await db_session.refresh(user)
            context = signup_context(form, errors, user, str(raw.get("slug_auto", "")))
            return render(request, "tenants/signup.html", context, partial="tenants/_signup_form.html", status_code=400)
        await db_session.commit()
        SIGNUPS.inc()
        if user is None:
            sign_in(request, result.user)
        target = f"/w/{result.tenant.slug}/"
        if request.headers.get("hx-request") == "true":
            return Template(template_name="partials/empty.html", headers={"hx-redirect": target})
        return Redirect(target, status_code=303)

    @get("/slug", name="signup.slug")
    async def slug_check(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        company_name: str = "",
        slug: str = "",
        slug_auto: str = "",
    ) -> Template:
        """htmx: suggest an address from the company name (until the visitor types their own) and check it."""
        typed = slug.strip().lower()
        if request.headers.get("hx-trigger") == "slug":  # typing in the address itself: only its status changes
            error = await slug_error(db_session, typed) if typed else None
            context = {"slug": typed, "error": error, "checked": bool(typed)}
            return render(request, "tenants/_slug_status.html", context)
        if typed and typed != slug_auto:  # the visitor chose their own address: keep it
            value, auto = typed, slug_auto
        else:
            value = await free_suggestion(db_session, company_name)
            auto = value
        error = await slug_error(db_session, value) if value else None
        context = {"slug": value, "slug_auto": auto, "error": error, "checked": bool(value)}
        return render(request, "tenants/_slug_field.html", context)


async def slug_error(session: AsyncSession, slug: str) -> str | None:
    """Why ``slug`` cannot be used (format, reserved or taken), or ``None``."""
    problem = slug_problem(slug)
    if problem is None and await slug_in_use(session, slug):
        problem = "This address is taken. Choose another one."
    return problem


async def free_suggestion(session: AsyncSession, company_name: str) -> str:
    """The address suggested for ``company_name``; if taken, the first free ``-2`` … ``-9`` variant."""
    base = suggest_slug(company_name)
    if not base or slug_problem(base):
        return base
    candidates = [base] + [f"{base[: MAX_SLUG_LENGTH - 2]}-{n}" for n in range(2, 10)]
    taken = await slugs_in_use(session, candidates)
    return next((c for c in candidates if c not in taken), base)


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


def root_redirect(request: Request[Any, Any, Any]) -> Redirect:
    return Redirect("/workspaces" if current_user(request) else "/login")


@get("/", name="root", opt={"exclude_from_auth": True}, include_in_schema=False, sync_to_thread=False)
def root(request: Request[Any, Any, Any]) -> Redirect:
    return root_redirect(request)
