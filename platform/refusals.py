"""Service refusals: the one way a service says "no" to a change, whoever asked (a page, the API, a job).

A service checks its rules and raises a ``RefusalError`` subclass naming what went wrong; it never knows whether a
person or a partner is on the other side. The two kits translate it, each in one place:

* pages: ``with form_refusals(errors, ...)`` (``nexo.platform.web.kit``) puts the message next to the form field
  the refusal names, and the page answers 400 with the form;
* the API: ``exception_handlers = REFUSAL_HANDLERS`` on a controller (``nexo.platform.api.resource``) answers an
  RFC 9457 problem whose status and ``type`` come from the refusal's class.

* ``BusinessRuleError`` (the default): 422 ``business-rule``, a rule refuses the values (not enough stock);
* ``InvalidStateError``: 409 ``invalid-state``, the record's state forbids it (already posted, delivered);
* ``ConflictError``: 409 ``conflict``, the change conflicts with other records (a duplicate, a stage in use);
* ``UnknownReferenceError``: 400 ``validation-error``, a referenced record is not in this workspace;
* ``ModuleOffError``: 403 ``module-disabled``, the change reaches into a module that is off.

``field`` names the input the message belongs to (a form field or a body key; empty when it is about the whole
record). The messages are for people: pages show them as they are.
"""

from __future__ import annotations

from typing import Any, ClassVar

from nexo.platform.tenancy.policy import module_off_error


class RefusalError(ValueError):
    """A service refused a change; nothing was written (the request's transaction rolls back)."""

    status: ClassVar[int] = 422
    problem_type: ClassVar[str] = "business-rule"

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def problem(self) -> tuple[int, str, str, dict[str, Any]]:
        """``(status, problem type, detail, extra members)`` of the problem the API answers for this refusal."""
        error = {"key": self.field or None, "message": self.message, "source": "body"}
        return self.status, self.problem_type, self.message, {"errors": [error]}


class BusinessRuleError(RefusalError):
    """A business rule refuses the values (not enough stock, a total beyond the credit limit...)."""


class InvalidStateError(RefusalError):
    """The record's state does not allow the change (an order already delivered, an invoice already posted)."""

    status = 409
    problem_type = "invalid-state"


class ConflictError(RefusalError):
    """The change conflicts with other records (a duplicate, a stage still in use)."""

    status = 409
    problem_type = "conflict"


class UnknownReferenceError(RefusalError):
    """A referenced record does not exist in this workspace: the caller's input is wrong (400, not 404)."""

    status = 400
    problem_type = "validation-error"


class ModuleOffError(RefusalError):
    """The change reaches into a module that is off in this workspace (invoicing while accounting is off).

    Pages show ``message`` (what to switch on for this action); the API answers the same 403 ``module-disabled``
    problem as a call to the switched-off module itself."""

    status = 403
    problem_type = "module-disabled"

    def __init__(self, message: str, module: str, field: str = "") -> None:
        super().__init__(message, field)
        self.module = module

    def problem(self) -> tuple[int, str, str, dict[str, Any]]:
        off = module_off_error(self.module)
        return self.status, self.problem_type, str(off.detail), {"context": {"module": self.module}}
