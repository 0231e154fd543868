"""Splitting a SQL script into its statements, for servers that take one statement per query (Citus).

Citus forwards a DDL command's raw query string to the worker that holds the table, so a multi-statement script
sent in one query fails there ("cannot insert multiple commands into a prepared statement"). The scripts Nexo runs
(compiled metadata DDL, Alembic's offline SQL, procrastinate's schema) contain quoted strings, quoted identifiers,
dollar-quoted function bodies and comments, so a semicolon ends a statement only outside all of those.
"""

from __future__ import annotations

import re

# A dollar-quote opening tag: $$ or $tag$ (a tag is an identifier without dollars; not a $1 parameter).
_DOLLAR_TAG = re.compile(r"\$(?:[A-Za-z_\x80-\uffff][A-Za-z0-9_\x80-\uffff]*)?\$")


def split_statements(script: str) -> list[str]:
    """The statements of ``script``, without their final semicolons; empty ones and bare comments are dropped."""
    statements: list[str] = []
    start = 0
    position = 0
    length = len(script)
    while position < length:
        char = script[position]
        if char == ";":
            _keep(statements, script[start:position])
            start = position + 1
            position += 1
        elif char in "'\"":
            position = _after_quoted(script, position, char)
        elif char == "-" and script.startswith("--", position):
            newline = script.find("\n", position)
            position = length if newline < 0 else newline + 1
        elif char == "/" and script.startswith("/*", position):
            position = _after_block_comment(script, position)
        elif char == "$" and (tag := _DOLLAR_TAG.match(script, position)) and not _in_identifier(script, position):
            end = script.find(tag.group(), tag.end())
            position = length if end < 0 else end + len(tag.group())
        else:
            position += 1
    _keep(statements, script[start:])
    return statements


def _keep(statements: list[str], text: str) -> None:
    statement = text.strip()
    if statement and not _only_comments(statement):
        statements.append(statement)


def _only_comments(statement: str) -> bool:
    without = re.sub(r"/\*.*?\*/", "", statement, flags=re.DOTALL)
    return all(not line.strip() or line.strip().startswith("--") for line in without.splitlines())


def _after_quoted(script: str, position: int, quote: str) -> int:
    """The index after the string or identifier opened at ``position`` (a doubled quote stays inside; an
    ``E'...'`` string also escapes with a backslash)."""
    escapes = (
        quote == "'" and position > 0 and script[position - 1] in "eE" and not _in_identifier(script, position - 1)
    )
    index = position + 1
    while index < len(script):
        char = script[index]
        if escapes and char == "\\":
            index += 2
            continue
        if char == quote:
            if script.startswith(quote * 2, index):
                index += 2
                continue
            return index + 1
        index += 1
    return len(script)


def _after_block_comment(script: str, position: int) -> int:
    """The index after the (possibly nested) ``/* */`` comment opened at ``position``."""
    depth = 0
    index = position
    while index < len(script):
        if script.startswith("/*", index):
            depth += 1
            index += 2
        elif script.startswith("*/", index):
            depth -= 1
            index += 2
            if depth == 0:
                return index
        else:
            index += 1
    return len(script)


def _in_identifier(script: str, position: int) -> bool:
    """Whether the character before ``position`` continues an identifier (``a$b$`` is a name, not a quote)."""
    return position > 0 and (script[position - 1].isalnum() or script[position - 1] in "_$")
