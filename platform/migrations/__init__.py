"""Alembic trees: ``public`` (one schema) and ``tenant`` (every tenant schema, one branch per module)."""
