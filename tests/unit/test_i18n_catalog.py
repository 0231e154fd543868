"""The catalogs are complete and current: what `make i18n-check` (and CI) enforces."""

from __future__ import annotations

from nexo.platform.i18n.catalog import translations
from nexo.platform.i18n.tool import extract, problems


def test_catalogs_are_complete_and_up_to_date() -> None:
    assert problems() == []


def test_a_new_untranslated_string_fails_the_check() -> None:
    fresh = extract()
    fresh.add("A brand-new sentence nobody translated yet.", locations=[("templates/new.html", 0)])
    found = problems(fresh)
    assert any("messages.pot lacks 'A brand-new sentence" in problem for problem in found)
    assert any(problem.startswith("es: no entry for 'A brand-new sentence") for problem in found)


def test_spanish_catalog_uses_the_business_terms() -> None:
    spanish = translations("es")
    expected = {
        "Invoice": "Factura",
        "Deliveries": "Albaranes",
        "Quote": "Presupuesto",
        "Order": "Pedido",
        "Supplier": "Proveedor",
        "Entry": "Asiento",
        "Warehouse": "Almacén",
        "Stock": "Existencias",
        "Credit notes": "Facturas rectificativas",
    }
    assert {english: spanish.ugettext(english) for english in expected} == expected
