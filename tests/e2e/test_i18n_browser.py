"""In headless Chromium, a Spanish visitor (browser locale es-ES): signs up, reads only Spanish on the pages passed
(no English msgid of the catalog shows up), creates a product priced ``1.234,56`` and sees ``1.234,56 €`` on the
list; one click on the header switch shows the same list in English (``€1,234.56``)."""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

import pytest

from nexo.platform.i18n.catalog import translations
from nexo.platform.i18n.tool import POT, _read
from nexo.tests.e2e.htmx import htmx_idle
from nexo.tests.factories import unique_email, unique_slug

pytestmark = pytest.mark.e2e
PASSWORD = "Caf3-con-leche-largo"
SCREENSHOTS = os.environ.get("NEXO_E2E_SCREENSHOTS")  # a folder to keep screenshots in (1280 and 390 px wide)
if SCREENSHOTS:
    Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
WIDTHS = (1280, 390)


@cache
def english_phrases() -> tuple[re.Pattern[str], ...]:
    """The catalog's English messages that Spanish never writes the same way: any of them on a page is a leak."""
    spanish = translations("es")
    pairs = [(m.id, spanish.ugettext(m.id)) for m in _read(POT) if isinstance(m.id, str) and m.id]
    every_translation = " ".join(translated for _, translated in pairs)
    phrases = []
    for english, translated in pairs:
        text = english.split("%(")[0].strip(" .:,·—(")
        if len(text) < 4 or translated == english or text in every_translation or not re.search("[a-z]", text):
            continue
        phrases.append(re.compile(rf"(?<![\w-]){re.escape(text)}(?![\w-])"))
    return tuple(phrases)


async def assert_spanish(page: object, what: str) -> None:
    body = await page.inner_text("body")  # type: ignore[attr-defined]
    assert await page.get_attribute("html", "lang") == "es", what  # type: ignore[attr-defined]
    leaks = sorted({p.pattern for p in english_phrases() if p.search(body)})
    assert leaks == [], f"English on the {what} page: {leaks}"


async def screenshots(page: object, name: str) -> None:
    if not SCREENSHOTS:
        return
    for width in WIDTHS:
        await page.set_viewport_size({"width": width, "height": 800})  # type: ignore[attr-defined]
        await page.screenshot(path=str(Path(SCREENSHOTS) / f"es-{name}-{width}.png"), full_page=True)  # type: ignore[attr-defined]
    await page.set_viewport_size({"width": 1280, "height": 800})  # type: ignore[attr-defined]


async def test_a_spanish_visitor_signs_up_prices_a_product_and_switches_to_english(
    browser: object, live_server: str
) -> None:
    from playwright.async_api import Browser, expect

    assert isinstance(browser, Browser)
    context = await browser.new_context(base_url=live_server, locale="es-ES", viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        email, slug = unique_email("es"), unique_slug("es")
        await page.goto("/signup")
        await expect(page.get_by_role("heading", name="Crea tu espacio de trabajo")).to_be_visible()
        await assert_spanish(page, "signup")
        await screenshots(page, "signup")
        await page.get_by_label("Nombre de la empresa").press_sequentially("Panadería Peña", delay=20)
        await expect(page.locator("#slug")).to_have_value("panaderia-pena")
        await htmx_idle(page)
        await page.locator("#slug").fill(slug)
        await expect(page.locator("#slug-status")).to_have_text(f"/w/{slug}/ está libre.")
        await page.get_by_label("Tu nombre").fill("José Álvarez")
        await page.get_by_label("Correo electrónico del trabajo").fill(email)
        await page.get_by_label("Contraseña").fill(PASSWORD)
        inventory = page.locator('input[name=modules][value="erp.inventory"]')
        await inventory.focus()  # from the keyboard, as the form allows
        await page.keyboard.press("Space")
        await expect(inventory).to_be_checked()
        await page.get_by_role("button", name="Crear espacio de trabajo").click()
        await page.wait_for_url(re.compile(rf"/w/{slug}/$"))
        await expect(page.get_by_role("heading", name="Te damos la bienvenida a Panadería Peña")).to_be_visible()
        await assert_spanish(page, "home")
        await screenshots(page, "home")

        await page.goto(f"/w/{slug}/erp/inventory/products/new")
        await assert_spanish(page, "new product")
        await page.get_by_label("Referencia (SKU)").fill("PAN-1")
        await page.get_by_label("Nombre", exact=True).fill("Pan de pueblo")
        await page.get_by_label("Precio de venta").fill("1.234,56")
        await page.get_by_role("button", name="Guardar producto").click()
        await expect(page.locator("#products-table")).to_be_visible()  # htmx follows the redirect to the list
        await page.goto(f"/w/{slug}/erp/inventory/products")
        price = page.locator("#products-table td.price").first
        await expect(price).to_have_text(re.compile(r"^1\.234,56\s€$"))
        await assert_spanish(page, "product list")
        await screenshots(page, "products")

        await page.locator("#switch-en").click()  # one click, back to the same page
        await page.wait_for_url(re.compile(rf"/w/{slug}/erp/inventory/products$"))
        await expect(page.locator("html")).to_have_attribute("lang", "en")
        await expect(page.locator("#products-table td.price").first).to_have_text("€1,234.56")
        await expect(page.get_by_role("link", name="Products")).to_be_visible()
        assert errors == []
    finally:
        await context.close()
