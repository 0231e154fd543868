"""Business-rule violations raised by ERP services; pages show them next to the field, the API as a 4xx."""

from __future__ import annotations


class ErpError(ValueError):
    """A rule refused the change; ``field`` names the form field the message belongs to (if any)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFoundError(ErpError):
    """A referenced document does not exist in this workspace."""
