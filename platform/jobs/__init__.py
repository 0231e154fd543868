"""Background jobs on procrastinate (a PostgreSQL-backed queue): partner webhooks, Stripe events, mail, imports.

Tasks are declared on ``jobs`` (``@jobs.task(queue=..., retry=...)``) in modules listed in ``TASK_MODULES``: the
kernel's own here, the features' registered by the composition root (``nexo.platform.composition``).
The web app opens ``jobs`` at start-up so handlers can ``await some_task.defer_async(...)``; ``nexo worker`` runs
them. The queue's tables live in the public schema (created by a public migration).
"""

from __future__ import annotations

from procrastinate import App, PsycopgConnector

# Modules whose import registers tasks on ``jobs`` (the worker imports them at start).
TASK_MODULES: list[str] = ["nexo.platform.jobs.builtin"]

jobs = App(connector=PsycopgConnector(), import_paths=TASK_MODULES)


def register_task_modules(*dotted: str) -> None:
    """Add task modules for the worker to import; idempotent."""
    for name in dotted:
        if name not in TASK_MODULES:
            TASK_MODULES.append(name)


__all__ = ["TASK_MODULES", "jobs", "register_task_modules"]
