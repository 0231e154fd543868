"""The composition root's wiring that is not the web app itself: which feature packages own models and jobs.

The kernel (migrations, jobs) knows no feature package by name; the app factory, the CLI, the test suite and the
benchmarks call ``register_models`` (and the worker ``register_tasks``) before they migrate, build schemas or run jobs.
"""

from __future__ import annotations

from nexo.platform.jobs import register_task_modules
from nexo.platform.migrations.config import register_model_modules

MODEL_MODULES = (
    "nexo.platform.accounts.models",
    "nexo.platform.api.models",
    "nexo.platform.oauth.models",
    "nexo.platform.webhooks.models",
    "nexo.tenants.models",
    "nexo.tenants.audit",
    "nexo.billing.models",
)
TASK_MODULES = ("nexo.platform.webhooks.tasks", "nexo.billing.tasks")


def register_models() -> None:
    """Every model module outside the enabled modules (those come from the module registry); idempotent."""
    register_model_modules(*MODEL_MODULES)
    register_task_modules(*TASK_MODULES)
