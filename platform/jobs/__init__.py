"""Background jobs on procrastinate (a PostgreSQL-backed queue): partner webhooks, Stripe events, mail, imports.

Tasks are declared on ``jobs`` (``@jobs.task(queue=..., retry=...)``) in modules listed in ``TASK_MODULES``.
The web app opens ``jobs`` at start-up so handlers can ``await some_task.defer_async(...)``; ``nexo worker`` runs
them. The queue's tables live in the public schema (created by a public migration).
"""

from __future__ import annotations

from procrastinate import App, PsycopgConnector

# Modules whose import registers tasks on ``jobs``; add yours here.
TASK_MODULES: list[str] = [
    "nexo.platform.jobs.builtin",
    "nexo.platform.webhooks.tasks",
    "nexo.billing.tasks",
]

jobs = App(connector=PsycopgConnector(), import_paths=TASK_MODULES)

__all__ = ["TASK_MODULES", "jobs"]
