"""HR forms: the decision buttons of a leave request (employees and leave types are entered through the API)."""

from __future__ import annotations

APPROVE = "approve"


def approves(decision: str) -> bool:
    """The leave page's buttons post ``approve`` or ``reject``; anything but ``approve`` refuses the request."""
    return decision == APPROVE
