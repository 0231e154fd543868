"""Splitting SQL scripts into statements (what Citus needs): semicolons inside strings, quoted identifiers,
dollar-quoted bodies and comments never split; the scripts Nexo really sends split into statements PostgreSQL
parses one by one (checked against the real server in tests/integration/db/test_scripts.py)."""

from __future__ import annotations

import pytest

from nexo.platform.db.script import split_statements


def test_plain_statements_split_on_semicolons_and_drop_empty_ones() -> None:
    assert split_statements("SELECT 1; SELECT 2;\n;  \nSELECT 3") == ["SELECT 1", "SELECT 2", "SELECT 3"]


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("INSERT INTO t VALUES ('a;b', 'it''s;'); SELECT 1", ["INSERT INTO t VALUES ('a;b', 'it''s;')", "SELECT 1"]),
        ('CREATE TABLE "odd;name" (x int); SELECT 1', ['CREATE TABLE "odd;name" (x int)', "SELECT 1"]),
        ("SELECT E'a\\';b'; SELECT 2", ["SELECT E'a\\';b'", "SELECT 2"]),
        ("SELECT 'a\\'; SELECT 2", ["SELECT 'a\\'", "SELECT 2"]),
        ("SELECT 1 -- a; comment\n; SELECT 2", ["SELECT 1 -- a; comment", "SELECT 2"]),
        ("SELECT /* a; /* nested; */ b; */ 1; SELECT 2", ["SELECT /* a; /* nested; */ b; */ 1", "SELECT 2"]),
        ("-- only a comment;\n", []),
        ("/* header; */\nSELECT 1;", ["/* header; */\nSELECT 1"]),
    ],
)
def test_quotes_and_comments_keep_their_semicolons(script: str, expected: list[str]) -> None:
    assert split_statements(script) == expected


def test_dollar_quoted_bodies_keep_their_semicolons() -> None:
    function = "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN PERFORM 1; RETURN 2; END $$"
    tagged = "DO $nexo$ BEGIN EXECUTE 'SELECT 1; SELECT $$x$$'; END $nexo$"
    assert split_statements(f"{function};\n{tagged};\nSELECT 3;") == [function, tagged, "SELECT 3"]


def test_parameters_and_dollar_names_are_not_quotes() -> None:
    script = "PREPARE p AS SELECT $1; SELECT a$b$ FROM t; SELECT 2"
    assert split_statements(script) == ["PREPARE p AS SELECT $1", "SELECT a$b$ FROM t", "SELECT 2"]


def test_an_unterminated_quote_keeps_the_rest_as_one_statement() -> None:
    assert split_statements("SELECT 1; SELECT 'open; SELECT 2") == ["SELECT 1", "SELECT 'open; SELECT 2"]
