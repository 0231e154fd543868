"""Language and locale through the real app: Accept-Language for visitors, the header switch, the account page,
the workspace default for members who never chose, formats from the workspace locale, typed numbers read the
locale's way, translated problem details on the API, and e-mails in the recipient's language (real SMTP)."""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.modules.erp.inventory.models import Product
from nexo.platform.accounts.models import User
from nexo.platform.tenancy.context import Role
from nexo.tenants.models import Tenant
from nexo.tests.factories import WebClient, Workspace, add_member, make_user, make_workspace, tenant_session
from nexo.tests.integration.admin.helpers import htmx
from nexo.tests.mailbox import Mailbox

SPANISH = {"accept-language": "es-ES,es;q=0.9,en;q=0.8"}
NBSP = "\u00a0"
HTML_LANG = re.compile(r'<html lang="(\w+)">')


def lang_of(html: str) -> str:
    match = HTML_LANG.search(html)
    assert match, html[:200]
    return match.group(1)


async def set_language(sessions: async_sessionmaker[AsyncSession], **changes: object) -> None:
    """Set ``users.language`` (``user_id=..., language=...``) or a workspace's language and locale."""
    async with sessions() as session:
        if "user_id" in changes:
            await session.execute(
                update(User).where(User.id == changes["user_id"]).values(language=changes["language"])
            )
        else:
            values = {k: v for k, v in changes.items() if k in {"language", "locale", "timezone"}}
            await session.execute(update(Tenant).where(Tenant.id == changes["tenant_id"]).values(**values))
        await session.commit()


async def test_a_spanish_visitor_gets_spanish_signup_and_login(web: WebClient) -> None:
    for path, words in (("/login", ("Iniciar sesión", "¿Has olvidado tu contraseña?")), ("/signup", ("Crea",))):
        page = await web.get(path, headers=SPANISH)
        assert page.status_code == 200
        assert lang_of(page.text) == "es"
        for word in words:
            assert word in page.text
        assert "Sign in" not in page.text and "Forgot your password" not in page.text
        assert 'value="en"' in page.text  # the switch offers English
    english = await web.get("/login")
    assert lang_of(english.text) == "en" and "Sign in" in english.text


async def test_the_header_switch_sets_a_cookie_for_visitors(web: WebClient) -> None:
    await web.get("/login", headers=SPANISH)
    switched = await web.post("/language", {"language": "en", "next": "/login?next=/w/x/"})
    assert switched.status_code == 303 and switched.headers["location"] == "/login?next=/w/x/"
    page = await web.get("/login", headers=SPANISH)  # the choice beats Accept-Language
    assert lang_of(page.text) == "en" and "Sign in" in page.text
    back = await web.post("/language", {"language": "es", "next": "//evil.example/"})
    assert back.headers["location"] == "/"  # no open redirect
    assert lang_of((await web.get("/login")).text) == "es"
    unknown = await web.post("/language", {"language": "xx", "next": "/login"})
    assert unknown.status_code == 303 and lang_of((await web.get("/login")).text) == "es"
    refused = await web.client.post("/language", data={"language": "en"})  # no CSRF token
    assert refused.status_code == 403


async def test_signup_in_spanish_makes_a_spanish_workspace_and_account(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace
) -> None:
    await web.get("/signup", headers=SPANISH)
    response = await web.post(
        "/signup",
        {
            "company_name": "Panadería Peña",
            "slug": f"pena-{tenant_a.tenant.id}",
            "owner_name": "José Álvarez",
            "email": f"jose-{tenant_a.tenant.id}@example.com",
            "password": "Un4-contraseña-larga",
        },
        headers=SPANISH,
    )
    assert response.status_code == 303, response.text
    async with sessions() as session:
        tenant = await session.scalar(select(Tenant).where(Tenant.slug == f"pena-{tenant_a.tenant.id}"))
        user = await session.scalar(select(User).where(User.email == f"jose-{tenant_a.tenant.id}@example.com"))
    assert tenant is not None and (tenant.language, tenant.locale) == ("es", "es-ES")
    assert user is not None and user.language == "es"
    home = await web.get(response.headers["location"])  # no Accept-Language now: the account's language wins
    assert lang_of(home.text) == "es" and "Ajustes" in home.text and "Inicio" in home.text
    assert (tenant_a.tenant.language, tenant_a.tenant.locale) == ("en", "en-US")  # the other workspace unchanged


async def test_members_who_never_chose_read_the_workspace_language(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace
) -> None:
    await set_language(sessions, tenant_id=tenant_a.tenant.id, language="es", locale="es-ES")
    member = await make_user(sessions)
    await add_member(sessions, tenant_a, member, Role.MEMBER)
    await add_member(sessions, tenant_b, member, Role.MEMBER)
    await web.login(member.email)
    assert lang_of((await web.get(f"/w/{tenant_a.slug}/")).text) == "es"
    assert lang_of((await web.get(f"/w/{tenant_b.slug}/")).text) == "en"  # each workspace its own default
    await web.post("/account", {"full_name": member.full_name, "language": "en"})
    assert lang_of((await web.get(f"/w/{tenant_a.slug}/")).text) == "en"  # the member's choice wins
    page = await web.get("/account")
    assert 'value="en" lang="en" selected' in page.text
    bad = await web.post("/account", {"full_name": "", "language": "xx"})
    assert bad.status_code == 400 and "Enter your name." in bad.text and "Choose a language" in bad.text


async def test_workspace_settings_choose_language_and_formats(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace
) -> None:
    await set_language(sessions, user_id=tenant_a.owner.id, language=None)
    await web.login(tenant_a.owner.email)
    url = f"/w/{tenant_a.slug}/settings/workspace"
    form = {"name": tenant_a.tenant.name, "slug": tenant_a.slug, "currency": "EUR", "timezone": "Europe/Madrid"}
    bad = await web.post(url, {**form, "language": "fr", "locale": "fr-FR"})
    assert bad.status_code == 400 and "Choose a language" in bad.text and "Choose a format" in bad.text
    saved = await web.post(url, {**form, "language": "es", "locale": "es-MX"})
    assert saved.status_code in (200, 303)
    async with sessions() as session:
        tenant = await session.get(Tenant, tenant_a.tenant.id)
        other = await session.get(Tenant, tenant_b.tenant.id)
    assert tenant is not None and (tenant.language, tenant.locale, tenant.timezone) == ("es", "es-MX", "Europe/Madrid")
    assert other is not None and (other.language, other.locale) == ("en", "en-US")
    page = await web.get(url)
    assert lang_of(page.text) == "es" and "Idioma predeterminado" in page.text


async def test_prices_typed_and_shown_the_locale_way(
    web: WebClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    spanish = await make_workspace(sessions, modules=("erp.inventory",))
    english = await make_workspace(sessions, modules=("erp.inventory",))
    await set_language(sessions, tenant_id=spanish.tenant.id, language="es", locale="es-ES")
    await set_language(sessions, user_id=spanish.owner.id, language=None)
    await web.login(spanish.owner.email)
    new = f"/w/{spanish.slug}/erp/inventory/products/new"
    product = {"sku": "PAN-1", "name": "Pan", "unit": "pcs", "cost": "1234,5", "tax_rate": "10,5"}
    ambiguous = await web.post(new, {**product, "sale_price": "1234.567"})
    assert ambiguous.status_code == 400 and "ambiguo" in ambiguous.text
    created = await web.post(new, {**product, "sale_price": "1.234,56"})
    assert created.status_code == 303, created.text
    listing = await web.get(f"/w/{spanish.slug}/erp/inventory/products")
    assert f"1.234,56{NBSP}€" in listing.text and f"10,5{NBSP}%" in listing.text
    session = await tenant_session(sessions, spanish)
    async with session:
        saved = await session.scalar(select(Product).where(Product.sku == "PAN-1"))
    assert saved is not None
    assert (saved.sale_price, saved.cost, saved.tax_rate) == (Decimal("1234.56"), Decimal("1234.5"), Decimal("0.105"))

    await web.post("/account", {"full_name": "Owner", "language": "en"})  # same data, read in English
    assert "€1,234.56" in (await web.get(f"/w/{spanish.slug}/erp/inventory/products")).text
    await web.login(english.owner.email)
    assert "PAN-1" not in (await web.get(f"/w/{english.slug}/erp/inventory/products")).text


async def test_api_problems_keep_english_type_and_title_with_a_translated_detail(
    web: WebClient, tenant_a: Workspace
) -> None:
    plain = await web.client.get("/api/v1/crm/contacts")
    spanish = await web.client.get("/api/v1/crm/contacts", headers=SPANISH)
    assert plain.status_code == spanish.status_code == 401
    assert plain.json()["type"] == spanish.json()["type"]
    assert plain.json()["title"] == spanish.json()["title"]
    assert plain.json()["detail"] != spanish.json()["detail"]
    assert "token" in spanish.json()["detail"] and "Envía" in spanish.json()["detail"]


async def test_password_reset_mail_in_the_account_language(
    web: WebClient,
    mailbox: Mailbox,
    sessions: async_sessionmaker[AsyncSession],
    tenant_a: Workspace,
    tenant_b: Workspace,
) -> None:
    await set_language(sessions, user_id=tenant_a.owner.id, language="es")
    await web.post("/password/forgot", {"email": tenant_a.owner.email})  # asked from an English page
    message = mailbox.last_to(tenant_a.owner.email)
    assert str(message["Subject"]) == "Restablece tu contraseña de Nexo"
    text = mailbox.body(message)
    assert "Alguien ha pedido restablecer la contraseña" in text
    html = message.get_body(preferencelist=("html",))
    assert html is not None and '<html lang="es">' in str(html.get_content())
    assert "Elige una contraseña nueva" in str(html.get_content())
    await set_language(sessions, user_id=tenant_b.owner.id, language=None)
    await web.post("/password/forgot", {"email": tenant_b.owner.email}, headers=SPANISH)  # never chose: the page's
    assert str(mailbox.last_to(tenant_b.owner.email)["Subject"]) == "Restablece tu contraseña de Nexo"
    await web.post("/password/forgot", {"email": tenant_b.owner.email})
    assert str(mailbox.last_to(tenant_b.owner.email)["Subject"]) == "Reset your Nexo password"


async def test_invitation_mail_in_the_invitee_or_workspace_language(
    web: WebClient,
    mailbox: Mailbox,
    sessions: async_sessionmaker[AsyncSession],
    tenant_a: Workspace,
    tenant_b: Workspace,
) -> None:
    await set_language(sessions, tenant_id=tenant_a.tenant.id, language="es", locale="es-ES")
    await set_language(sessions, user_id=tenant_a.owner.id, language="en")  # the inviter reads English
    await web.login(tenant_a.owner.email)
    stranger = f"nuevo-{tenant_a.tenant.id}@example.com"
    invited = await web.post(
        f"/w/{tenant_a.slug}/settings/members/invite", {"email": stranger, "role": "admin"}, headers=htmx()
    )
    assert invited.status_code == 200 and f"Invitation sent to {stranger}" in invited.text
    message = mailbox.last_to(stranger)
    assert str(message["Subject"]) == f"Únete a {tenant_a.tenant.name} en Nexo"
    assert "te invita a unirte" in mailbox.body(message) and "como administrador" in mailbox.body(message)

    english_user = await make_user(sessions)
    await set_language(sessions, user_id=english_user.id, language="en")
    await web.post(
        f"/w/{tenant_a.slug}/settings/members/invite", {"email": english_user.email, "role": "member"}, headers=htmx()
    )
    message = mailbox.last_to(english_user.email)
    assert str(message["Subject"]) == f"Join {tenant_a.tenant.name} on Nexo"
    assert mailbox.to(tenant_b.owner.email) == []


async def test_seed_data_is_written_in_the_workspace_language(
    web: WebClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    from sqlalchemy import text

    from nexo.platform.accounts.services import create_user
    from nexo.tenants.provisioning import provision_tenant
    from nexo.tests.factories import DEFAULT_PASSWORD, unique_email, unique_slug

    modules = ("crm", "erp.accounting")
    english = await make_workspace(sessions, modules=modules)
    async with sessions() as session:
        owner = await create_user(session, email=unique_email(), full_name="Owner", password=DEFAULT_PASSWORD)
        owner.language = "en"  # the first reader reads English: the seed data still follows the workspace
        spanish = await provision_tenant(
            session, name="Taller", slug=unique_slug(), owner=owner, modules=modules, language="es", locale="es-ES"
        )
        await session.commit()
    async with sessions() as session:
        names = {}
        for tenant in (spanish, english.tenant):
            rows = await session.execute(text(f'SELECT code, name FROM "{tenant.schema_name}".erp_accounts'))  # noqa: S608 (a schema name the test created)
            names[tenant.slug] = dict(rows.tuples().all())
    assert names[spanish.slug]["1000"] == "Caja" and names[spanish.slug]["2200"] == "Hacienda Pública, IVA repercutido"
    assert names[english.tenant.slug]["1000"] == "Cash" and names[english.tenant.slug]["2200"] == "VAT collected"

    await web.login(owner.email)
    board = await web.get(f"/w/{spanish.slug}/crm/pipeline")
    assert board.status_code == 200 and lang_of(board.text) == "en"
    assert "Cualificación" in board.text and "Negociación" in board.text and "Qualification" not in board.text


async def test_erp_form_errors_refusals_charts_and_exports_in_the_reader_language(
    web: WebClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    spanish = await make_workspace(sessions, modules=("erp.inventory", "erp.accounting"))
    english = await make_workspace(sessions, modules=("erp.inventory", "erp.accounting"))
    await set_language(sessions, tenant_id=spanish.tenant.id, language="es", locale="es-ES")
    await set_language(sessions, user_id=spanish.owner.id, language=None)
    product = {"sku": "PAN-1", "name": "Pan", "unit": "pcs", "sale_price": "2", "tax_rate": "10"}
    for workspace, below, taken, aging, header in (
        (
            spanish,
            "El valor de «coste» no puede ser inferior a 0.",
            "La referencia PAN-1 ya la usa otro producto.",
            "Cuentas a cobrar",
            "producto;nombre;ingresos;coste;margen;moneda",
        ),
        (
            english,
            "The cost cannot be below 0.",
            "The SKU PAN-1 is already used by another product.",
            "Receivables",
            "product,label,revenue,cost,margin,currency",
        ),
    ):
        await web.login(workspace.owner.email)
        new = f"/w/{workspace.slug}/erp/inventory/products/new"
        negative = await web.post(new, {**product, "cost": "-1"})
        assert negative.status_code == 400 and below in negative.text.replace("&laquo;", "«").replace("&raquo;", "»")
        assert (await web.post(new, {**product, "cost": "1"})).status_code == 303
        duplicate = await web.post(new, {**product, "cost": "1"})
        assert duplicate.status_code == 400 and taken in duplicate.text
        chart = (await web.get(f"/w/{workspace.slug}/erp/reports/data.json?chart=aging")).json()
        assert chart["datasets"][0]["label"] == aging
        fmt = "&format=excel-es" if workspace is spanish else ""
        export = await web.get(f"/w/{workspace.slug}/erp/reports/profitability.csv?group_by=product{fmt}")
        assert export.content.decode("utf-8-sig").splitlines()[0] == header


async def test_crm_form_errors_and_home_cards_in_the_reader_language(
    web: WebClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    spanish = await make_workspace(sessions, modules=("crm",))
    english = await make_workspace(sessions, modules=("crm",))
    await set_language(sessions, tenant_id=spanish.tenant.id, language="es", locale="es-ES")
    await set_language(sessions, user_id=spanish.owner.id, language=None)
    contact = {"first_name": "Ana", "last_name": "", "phone": "call me", "lifecycle_stage": "lead"}
    for workspace, missing, phone, cards, absent in (
        (
            spanish,
            "Rellena el campo «apellidos».",
            "Usa solo cifras, espacios y + ( ) - . /",
            ("Embudo de ventas", "Mis tareas", "Oportunidades abiertas", "Incidencias de soporte"),
            ("Open deals", "My tasks", "Enter the last name."),
        ),
        (
            english,
            "Enter the last name.",
            "Use digits, spaces and + ( ) - . / only.",
            ("Pipeline", "My tasks", "Open deals", "Support cases"),
            ("Embudo de ventas", "Mis tareas", "Rellena el campo"),
        ),
    ):
        await web.login(workspace.owner.email)
        refused = await web.post(f"/w/{workspace.slug}/crm/contacts/new", contact)
        text = refused.text.replace("&laquo;", "«").replace("&raquo;", "»").replace("&#43;", "+")
        assert refused.status_code == 400 and missing in text and phone in text, text[-3000:]
        home = (await web.get(f"/w/{workspace.slug}/")).text
        for label in cards:
            assert label in home
        for label in absent:
            assert label not in home and label not in text
