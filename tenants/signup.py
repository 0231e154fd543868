"""Signup: validate everything first, then create the owner, the workspace and its schema in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.platform.accounts.models import User
from nexo.platform.accounts.passwords import hash_password_off_loop, password_problem
from nexo.platform.modules.registry import get_registry
from nexo.tenants.models import SlugRedirect, Tenant
from nexo.tenants.provisioning import provision_tenant
from nexo.tenants.slugs import slug_problem

MAX_NAME = 200
MAX_EMAIL = 320


@dataclass
class SignupForm:
    company_name: str = ""
    slug: str = ""
    owner_name: str = ""
    email: str = ""
    password: str = ""
    modules: list[str] = field(default_factory=list)

    @classmethod
    def from_data(cls, data: dict[str, object]) -> SignupForm:
        def text_of(key: str) -> str:
            value = data.get(key, "")
            return value.strip() if isinstance(value, str) else ""

        raw_modules = data.get("modules", [])
        modules = [raw_modules] if isinstance(raw_modules, str) else list(raw_modules or [])  # type: ignore[call-overload]
        return cls(
            company_name=text_of("company_name"),
            slug=text_of("slug").lower(),
            owner_name=text_of("owner_name"),
            email=text_of("email").lower(),
            password=data.get("password", "") if isinstance(data.get("password"), str) else "",  # type: ignore[arg-type]
            modules=[str(m) for m in modules if str(m)],
        )


@dataclass
class SignupResult:
    errors: dict[str, str]
    tenant: Tenant | None = None
    user: User | None = None


async def slugs_in_use(session: AsyncSession, slugs: list[str]) -> set[str]:
    """Which of ``slugs`` belong to a workspace, now or as a former address that still redirects to it (a new
    workspace there would capture the old links, bookmarks and partner callbacks of the other one)."""
    current = await session.scalars(select(Tenant.slug).where(Tenant.slug.in_(slugs)))
    former = await session.scalars(select(SlugRedirect.old_slug).where(SlugRedirect.old_slug.in_(slugs)))
    return set(current) | set(former)


async def slug_in_use(session: AsyncSession, slug: str) -> bool:
    return bool(await slugs_in_use(session, [slug]))


async def validate_signup(session: AsyncSession, form: SignupForm, *, existing_user: User | None) -> dict[str, str]:
    """Field name -> message, for everything wrong with ``form``."""
    errors: dict[str, str] = {}
    if not form.company_name:
        errors["company_name"] = "Enter your company name."
    elif len(form.company_name) > MAX_NAME:
        errors["company_name"] = f"Use at most {MAX_NAME} characters."
    problem = slug_problem(form.slug)
    if problem:
        errors["slug"] = problem
    elif await slug_in_use(session, form.slug):
        errors["slug"] = "This address is taken. Choose another one."
    registry = get_registry()
    unknown = [m for m in form.modules if m not in registry or registry.get(m).always_on]
    if unknown:
        errors["modules"] = f"Unknown module: {', '.join(unknown)}."
    if existing_user is None:
        errors.update(await _validate_owner(session, form))
    return errors


async def _validate_owner(session: AsyncSession, form: SignupForm) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not form.owner_name:
        errors["owner_name"] = "Enter your name."
    elif len(form.owner_name) > MAX_NAME:
        errors["owner_name"] = f"Use at most {MAX_NAME} characters."
    if not form.email:
        errors["email"] = "Enter your e-mail address."
    elif len(form.email) > MAX_EMAIL:
        errors["email"] = f"Use at most {MAX_EMAIL} characters."
    else:
        try:
            form.email = validate_email(form.email, check_deliverability=False).normalized.lower()
        except EmailNotValidError as exc:
            errors["email"] = f"This e-mail address is not valid: {exc}"
        else:
            if await session.scalar(select(func.count()).select_from(User).where(User.email == form.email)):
                errors["email"] = "An account with this e-mail exists. Sign in, then create the workspace."
    problem = password_problem(form.password, email=form.email, name=form.owner_name)
    if problem:
        errors["password"] = problem
    return errors


async def sign_up(session: AsyncSession, form: SignupForm, *, existing_user: User | None = None) -> SignupResult:
    """Create the workspace (and the owner account unless signed in). The caller commits or rolls back."""
    errors = await validate_signup(session, form, existing_user=existing_user)
    if errors:
        return SignupResult(errors=errors)
    user = existing_user
    if user is None:
        user = User(
            email=form.email, full_name=form.owner_name, password_hash=await hash_password_off_loop(form.password)
        )
        session.add(user)
        await session.flush()
    tenant = await provision_tenant(session, name=form.company_name, slug=form.slug, owner=user, modules=form.modules)
    return SignupResult(errors={}, tenant=tenant, user=user)
