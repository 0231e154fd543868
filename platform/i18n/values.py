"""The words of record states and kinds as people read them (``open`` → ``abierta``), for ``{{ x.status | value }}``.

States and kinds are stored and sent over the API as stable English codes (a contract); pages show them through
the ``value`` filter, which looks each one up in the catalog under the ``value`` context (so ``open`` as a state
is translated apart from any other ``open``). Codes with underscores read with spaces (``partially_delivered``).
"""

from __future__ import annotations

import enum
from typing import Any

from nexo.platform.i18n.catalog import pgettext

CONTEXT = "value"


def NP_(context: str, message: str) -> str:  # noqa: N802 - the conventional pgettext-noop name
    """Mark ``message`` for the catalog under ``context`` without translating it."""
    return message


# Every state and kind a page shows, marked for extraction.
VALUES = (
    # CRM
    NP_("value", "call"),
    NP_("value", "meeting"),
    NP_("value", "email"),
    NP_("value", "note"),
    NP_("value", "task"),
    NP_("value", "planned"),
    NP_("value", "active"),
    NP_("value", "completed"),
    NP_("value", "cancelled"),
    NP_("value", "low"),
    NP_("value", "normal"),
    NP_("value", "high"),
    NP_("value", "urgent"),
    NP_("value", "open"),
    NP_("value", "pending"),
    NP_("value", "resolved"),
    NP_("value", "closed"),
    NP_("value", "new"),
    NP_("value", "contacted"),
    NP_("value", "qualified"),
    NP_("value", "disqualified"),
    NP_("value", "subscriber"),
    NP_("value", "lead"),
    NP_("value", "prospect"),
    NP_("value", "customer"),
    NP_("value", "former"),
    NP_("value", "won"),
    NP_("value", "lost"),
    # directory
    NP_("value", "work"),
    NP_("value", "home"),
    NP_("value", "other"),
    NP_("value", "mobile"),
    NP_("value", "fax"),
    NP_("value", "billing"),
    NP_("value", "shipping"),
    NP_("value", "office"),
    # ERP
    NP_("value", "draft"),
    NP_("value", "sent"),
    NP_("value", "accepted"),
    NP_("value", "declined"),
    NP_("value", "partially delivered"),
    NP_("value", "delivered"),
    NP_("value", "approved"),
    NP_("value", "rejected"),
    NP_("value", "asset"),
    NP_("value", "liability"),
    NP_("value", "equity"),
    NP_("value", "income"),
    NP_("value", "expense"),
    NP_("value", "customer invoice"),
    NP_("value", "customer credit note"),
    NP_("value", "supplier bill"),
    NP_("value", "supplier credit note"),
    NP_("value", "paid"),
    NP_("value", "receipt"),
    NP_("value", "delivery"),
    NP_("value", "transfer"),
    NP_("value", "adjustment"),
    NP_("value", "consumption"),
    NP_("value", "production"),
    NP_("value", "done"),
    NP_("value", "partially received"),
    NP_("value", "received"),
    NP_("value", "product"),
    NP_("value", "month"),
    # webhooks and billing
    NP_("value", "succeeded"),
    NP_("value", "failed"),
    NP_("value", "trialing"),
    NP_("value", "past due"),
    NP_("value", "read only"),
    NP_("value", "canceled"),
    NP_("value", "incomplete"),
)


def value_label(code: Any) -> str:
    """The state or kind ``code`` (a string or an enum member) in the current language."""
    if code is None or code == "":
        return ""
    text = str(code.value if isinstance(code, enum.Enum) else code).replace("_", " ")
    return pgettext(CONTEXT, text)
