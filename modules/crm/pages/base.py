"""The base of every CRM page controller."""

from __future__ import annotations

from typing import Any

from litestar import Controller


class CrmController(Controller):
    """Tags every handler with ``opt["module"] = "crm"`` so the workspace guard answers 403 while CRM is off.

    core.py adds the same tag, but declaring it here keeps the guard's input explicit where the pages live.
    """

    opt: dict[str, Any] = {"module": "crm"}
