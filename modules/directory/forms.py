"""Directory input rules: the page form's parsing into the services' typed inputs, and the field limits the API's
request structs share (the CRM's contact and company structs use them too)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated

import msgspec
from email_validator import EmailNotValidError, validate_email

from nexo.modules.directory.services import PersonInput
from nexo.platform.api.resource import field_problem
from nexo.platform.i18n.catalog import N_, gettext

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
OrgName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Email = Annotated[str, msgspec.Meta(max_length=320)]
Phone = Annotated[str, msgspec.Meta(max_length=50)]
Url = Annotated[str, msgspec.Meta(max_length=300)]
Notes = Annotated[str, msgspec.Meta(max_length=10_000)]


@dataclass
class PersonForm:
    """The page's "add a person" form: the fields as sent (stripped, for re-rendering), the errors per field, and
    the service's input when there are none."""

    data: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def person(self) -> PersonInput:
        return PersonInput(
            first_name=self.data["first_name"],
            last_name=self.data["last_name"],
            email=self.data.get("email") or None,
            phone=self.data.get("phone") or None,
            notes=self.data.get("notes") or None,
        )


def person_form(raw: Mapping[str, str]) -> PersonForm:
    form = PersonForm({key: value.strip() for key, value in raw.items()})
    data, errors = form.data, form.errors
    for name, label, limit in (("first_name", N_("first name"), 100), ("last_name", N_("last name"), 100)):
        value = data.get(name, "").strip()
        if not value:
            errors[name] = gettext("Enter the %(label)s.", label=gettext(label))
        elif len(value) > limit:
            errors[name] = gettext("Use at most %(max)s characters.", max=limit)
    email = data.get("email", "").strip()
    if email:
        try:
            data["email"] = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError as exc:
            errors["email"] = gettext("This e-mail address is not valid: %(exc)s", exc=exc)
    if len(data.get("phone", "")) > 50:
        errors["phone"] = gettext("Use at most %(max)s characters.", max=50)
    return form


def normalized_email(value: str | None) -> str | None:
    """An API body's e-mail, normalized; a 400 problem naming the field when it is not an address."""
    if not value or not value.strip():
        return None
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise field_problem("email", f"not a valid e-mail address ({exc})") from exc
