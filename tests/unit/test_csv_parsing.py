"""CSV import parsing: delimiter and BOM detection, and clear refusals for files that cannot be read."""

from __future__ import annotations

import pytest

from nexo.modules.crm.services.csv_import import ImportFileError, guess_mapping, parse_csv
from nexo.platform.i18n.catalog import use_language


def test_semicolon_file_with_bom_from_spanish_excel() -> None:
    parsed = parse_csv("\ufeffNombre;Email\nAna Núñez;ana@example.com\n;\n".encode())
    assert parsed.headers == ["Nombre", "Email"]
    assert parsed.rows == [["Ana Núñez", "ana@example.com"]]  # the blank row is skipped


def test_comma_file_with_quoted_delimiters() -> None:
    parsed = parse_csv(b'name,notes\n"Acme, S.L.","says ""hi"""\n')
    assert parsed.rows == [["Acme, S.L.", 'says "hi"']]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b",,\nx,y,z\n", "name the columns"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(data: bytes, message: str) -> None:
    with pytest.raises(ImportFileError, match=message):
        parse_csv(data)


def test_guess_mapping_ignores_unknown_headers() -> None:
    mapping = guess_mapping(["Email", "Something else"], "contacts")
    assert 1 not in mapping


def test_guess_mapping_reads_the_field_labels_in_english_and_in_the_readers_language() -> None:
    """A header row written with the mapping step's labels maps back, in English always and in the reader's
    language; the export's own field names still map whatever the language."""
    spanish = ["Nombre", "Apellidos", "Correo electrónico", "Teléfono", "Cargo", "Nombre de la empresa"]
    english = ["First name", "Last name", "E-mail", "Phone", "Job title", "Company name"]
    export = ["first_name", "last_name", "email", "phone", "job_title", "company"]
    expected = dict(enumerate(export))
    with use_language("es"):
        assert guess_mapping(spanish, "contacts") == expected
        assert guess_mapping(english, "contacts") == expected
        assert guess_mapping(export, "contacts") == expected
        assert guess_mapping(["Nombre de la empresa", "Teléfono"], "companies") == {0: "name", 1: "phone"}
    with use_language("en"):
        assert guess_mapping(english, "contacts") == expected
        assert guess_mapping(spanish[1:4], "contacts") == {}
