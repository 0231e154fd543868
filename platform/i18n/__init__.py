"""Language and locale: gettext catalogs, the request's language and locale, formats and parsing of typed input."""
