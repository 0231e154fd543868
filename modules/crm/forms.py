"""The CRM's input rules (page forms, CSV rows, API bodies): each ``*_form`` returns clean values and per-field
errors, and ``as_input`` turns clean values into the services' typed inputs (``as_input(ContactInput,
with_points(values))``). The module imports no service: the services (CSV import, duplicates) use its rules.

Pages show the errors next to their fields (400, nothing written); the CSV import reports them per row; the API
answers a ``validation-error`` problem listing them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from email_validator import EmailNotValidError, validate_email

from nexo.modules.crm.models import (
    ActivityKind,
    CampaignStatus,
    CasePriority,
    CaseStatus,
    LifecycleStage,
)
from nexo.modules.directory.models import ADDRESS_KINDS, EMAIL_KINDS, PHONE_KINDS
from nexo.modules.directory.services import AddressInput, ContactPoints, TypedValue
from nexo.platform.i18n.catalog import N_, gettext
from nexo.platform.i18n.parsing import ParseError, parse_date, parse_decimal

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    InputT = TypeVar("InputT", bound=DataclassInstance)

TAG = re.compile(r"^[\w][\w .&+/-]{0,59}$", re.UNICODE)
PHONE = re.compile(r"^\+?[0-9 ().\-/]{3,50}$")
EXTRA_ROWS = 3  # typed e-mail/phone/address rows offered by the forms


@dataclass
class Cleaned:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    return str(value).strip() if value is not None else ""


def required_text(out: Cleaned, data: Mapping[str, Any], name: str, label: str, limit: int) -> None:
    value = text(data, name)
    if not value:
        out.errors[name] = gettext("Enter the %(label)s.", label=gettext(label))
    elif len(value) > limit:
        out.errors[name] = gettext("Use at most %(max)s characters.", max=limit)
    out.values[name] = value


def optional_text(out: Cleaned, data: Mapping[str, Any], name: str, limit: int) -> None:
    value = text(data, name)
    if len(value) > limit:
        out.errors[name] = gettext("Use at most %(max)s characters.", max=limit)
    out.values[name] = value or None


PLAIN_EMAIL = re.compile(
    r"^(?P<local>[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*)"
    r"@(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})$"
)


def clean_email(value: str) -> str:
    """The normalized address, or ``ValueError`` with a message a person understands.

    Plain ASCII addresses (nearly all of them) take a fast path: the local part is checked by a strict pattern and
    the domain by email-validator once per domain (cached), which keeps a 10,000-row import quick.
    """
    plain = PLAIN_EMAIL.match(value)
    if plain and len(value) <= 254 and len(plain["local"]) <= 64:
        return f"{plain['local']}@{_clean_domain(plain['domain'].lower())}"
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(gettext("This e-mail address is not valid: %(exc)s", exc=exc)) from None


@functools.lru_cache(maxsize=4096)
def _clean_domain(domain: str) -> str:
    try:
        return validate_email(f"postmaster@{domain}", check_deliverability=False).domain
    except EmailNotValidError as exc:
        raise ValueError(gettext("This e-mail address is not valid: %(exc)s", exc=exc)) from None


def optional_email(out: Cleaned, data: Mapping[str, Any], name: str) -> None:
    value = text(data, name)
    out.values[name] = None
    if value:
        try:
            out.values[name] = clean_email(value)
        except ValueError as exc:
            out.errors[name] = str(exc)


def optional_phone(out: Cleaned, data: Mapping[str, Any], name: str) -> None:
    value = text(data, name)
    out.values[name] = value or None
    if value and not PHONE.match(value):
        out.errors[name] = gettext("Use digits, spaces and + ( ) - . / only.")


def normalize_phone(value: str) -> str:
    """Digits only, a leading + kept: "+33 (1) 23-45" and "+33123 45" compare equal."""
    digits = re.sub(r"\D", "", value)
    return ("+" if value.strip().startswith("+") else "") + digits


def parse_tags(value: str) -> list[str]:
    tags: list[str] = []
    for raw in re.split(r"[,;]", value):
        tag = raw.strip().lower()
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def tags_field(out: Cleaned, data: Mapping[str, Any], name: str = "tags") -> None:
    tags = parse_tags(text(data, name))
    bad = [t for t in tags if not TAG.match(t)]
    if bad:
        out.errors[name] = gettext(
            "Tags are up to 60 letters, digits, spaces or . & + / -: %(tags)s", tags=", ".join(bad)
        )
    if len(tags) > 20:
        out.errors[name] = gettext("Use at most 20 tags.")
    out.values[name] = tags


def choice(out: Cleaned, data: Mapping[str, Any], name: str, allowed: Any, default: str | None = None) -> None:
    value = text(data, name) or (default or "")
    options = [str(getattr(v, "value", v)) for v in allowed]
    if value not in options:
        out.errors[name] = gettext("Choose one of: %(options)s.", options=", ".join(options))
    out.values[name] = value


def optional_id(out: Cleaned, data: Mapping[str, Any], name: str, allowed: set[int] | None = None) -> None:
    value = text(data, name)
    out.values[name] = None
    if not value:
        return
    if not value.isdigit():
        out.errors[name] = gettext("Choose an entry from the list.")
        return
    number = int(value)
    if allowed is not None and number not in allowed:
        out.errors[name] = gettext("Choose an entry from the list.")
        return
    out.values[name] = number


def optional_date(out: Cleaned, data: Mapping[str, Any], name: str) -> None:
    value = text(data, name)
    out.values[name] = None
    if value:
        try:
            out.values[name] = parse_date(value)
        except ParseError as exc:
            out.errors[name] = str(exc)


def amount_field(out: Cleaned, data: Mapping[str, Any], name: str = "amount") -> None:
    value = text(data, name) or "0"
    try:
        amount = parse_decimal(value)
    except ParseError as exc:
        out.errors[name] = str(exc)
        return
    if not amount.is_finite() or amount < 0:
        out.errors[name] = gettext("Enter an amount of zero or more.")
    elif amount >= Decimal("1e12"):
        out.errors[name] = gettext("This amount is too large.")
    elif amount != amount.quantize(Decimal("0.01")):
        out.errors[name] = gettext("Use at most two decimals.")
    out.values[name] = amount if name not in out.errors else Decimal(0)


def percent_field(out: Cleaned, data: Mapping[str, Any], name: str, default: int | None = None) -> None:
    value = text(data, name)
    if not value and default is not None:
        out.values[name] = default
        return
    if not value.isdigit() or not 0 <= int(value) <= 100:
        out.errors[name] = gettext("Enter a whole number from 0 to 100.")
        out.values[name] = default or 0
        return
    out.values[name] = int(value)


def typed_rows(data: Mapping[str, Any], prefix: str, kinds: tuple[str, ...], out: Cleaned) -> list[dict[str, str]]:
    """``email_1`` / ``email_1_kind`` ... rows from a form; blank rows are dropped, bad ones get an error."""
    rows: list[dict[str, str]] = []
    for index in range(1, EXTRA_ROWS + 1):
        name = f"{prefix}_{index}"
        value = text(data, name)
        kind = text(data, f"{name}_kind") or kinds[0]
        if not value:
            continue
        if kind not in kinds:
            out.errors[f"{name}_kind"] = gettext("Choose one of: %(options)s.", options=", ".join(kinds))
        if prefix == "email":
            try:
                value = clean_email(value)
            except ValueError as exc:
                out.errors[name] = str(exc)
        elif prefix == "phone" and not PHONE.match(value):
            out.errors[name] = gettext("Use digits, spaces and + ( ) - . / only.")
        rows.append({"kind": kind, "value": value})
    return rows


def address_rows(data: Mapping[str, Any], out: Cleaned) -> list[dict[str, str | None]]:
    rows: list[dict[str, str | None]] = []
    for index in range(1, 3):
        parts = {
            key: text(data, f"address_{index}_{key}")
            for key in ("line1", "line2", "postal_code", "city", "region", "country")
        }
        if not any(parts.values()):
            continue
        kind = text(data, f"address_{index}_kind") or ADDRESS_KINDS[0]
        if kind not in ADDRESS_KINDS:
            out.errors[f"address_{index}_kind"] = gettext(
                "Choose one of: %(options)s.", options=", ".join(ADDRESS_KINDS)
            )
        if not parts["line1"] and not parts["city"]:
            out.errors[f"address_{index}_line1"] = gettext("Enter a street or a city.")
        country = parts["country"].upper()
        if country and not re.fullmatch(r"[A-Z]{2}", country):
            out.errors[f"address_{index}_country"] = gettext("Use the two-letter country code (FR, DE, US, ...).")
        for key, limit in (("line1", 200), ("line2", 200), ("postal_code", 20), ("city", 100), ("region", 100)):
            if len(parts[key]) > limit:
                out.errors[f"address_{index}_{key}"] = gettext("Use at most %(max)s characters.", max=limit)
        rows.append({"kind": kind, **{k: (v or None) for k, v in parts.items()}, "country": country or None})
    return rows


def contact_form(data: Mapping[str, Any], *, owners: set[int], organizations: set[int] | None = None) -> Cleaned:
    """A contact (directory person + CRM profile)."""
    out = Cleaned()
    required_text(out, data, "first_name", N_("first name"), 100)
    required_text(out, data, "last_name", N_("last name"), 100)
    optional_text(out, data, "job_title", 150)
    optional_email(out, data, "email")
    optional_phone(out, data, "phone")
    optional_id(out, data, "organization_id", organizations)
    optional_id(out, data, "owner_id", owners)
    tags_field(out, data)
    choice(out, data, "lifecycle_stage", LifecycleStage, LifecycleStage.LEAD)
    optional_text(out, data, "source", 100)
    optional_text(out, data, "notes", 10_000)
    out.values["emails"] = typed_rows(data, "email", EMAIL_KINDS, out)
    out.values["phones"] = typed_rows(data, "phone", PHONE_KINDS, out)
    out.values["addresses"] = address_rows(data, out)
    return out


def company_form(data: Mapping[str, Any], *, owners: set[int]) -> Cleaned:
    out = Cleaned()
    required_text(out, data, "name", N_("company name"), 200)
    optional_email(out, data, "email")
    optional_phone(out, data, "phone")
    optional_text(out, data, "website", 300)
    optional_id(out, data, "owner_id", owners)
    tags_field(out, data)
    choice(out, data, "lifecycle_stage", LifecycleStage, LifecycleStage.LEAD)
    optional_text(out, data, "industry", 100)
    optional_text(out, data, "notes", 10_000)
    out.values["emails"] = typed_rows(data, "email", EMAIL_KINDS, out)
    out.values["phones"] = typed_rows(data, "phone", PHONE_KINDS, out)
    out.values["addresses"] = address_rows(data, out)
    return out


def lead_form(data: Mapping[str, Any], *, owners: set[int], campaigns: set[int]) -> Cleaned:
    out = Cleaned()
    required_text(out, data, "title", N_("title"), 200)
    optional_text(out, data, "first_name", 100)
    optional_text(out, data, "last_name", 100)
    optional_email(out, data, "email")
    optional_phone(out, data, "phone")
    optional_text(out, data, "company_name", 200)
    optional_text(out, data, "source", 100)
    optional_id(out, data, "owner_id", owners)
    optional_id(out, data, "campaign_id", campaigns)
    optional_text(out, data, "notes", 10_000)
    if not (out.values.get("last_name") or out.values.get("email") or out.values.get("company_name")):
        out.errors.setdefault("last_name", gettext("Enter a name, an e-mail or a company so the lead can be reached."))
    return out


def opportunity_form(data: Mapping[str, Any], *, stages: set[int], owners: set[int]) -> Cleaned:
    out = Cleaned()
    required_text(out, data, "title", N_("title"), 200)
    optional_id(out, data, "stage_id", stages)
    if out.values["stage_id"] is None and "stage_id" not in out.errors:
        out.errors["stage_id"] = gettext("Choose a stage.")
    amount_field(out, data)
    optional_date(out, data, "expected_close_date")
    if text(data, "probability"):
        percent_field(out, data, "probability")
    else:
        out.values["probability"] = None  # the stage's default
    optional_id(out, data, "owner_id", owners)
    optional_id(out, data, "person_id")
    optional_id(out, data, "organization_id")
    optional_text(out, data, "notes", 10_000)
    return out


def activity_form(data: Mapping[str, Any], *, owners: set[int]) -> Cleaned:
    out = Cleaned()
    choice(out, data, "kind", ActivityKind, ActivityKind.NOTE)
    required_text(out, data, "subject", N_("subject"), 200)
    optional_text(out, data, "body", 20_000)
    optional_date(out, data, "due_date")
    optional_id(out, data, "assignee_id", owners)
    return out


def case_form(data: Mapping[str, Any], *, owners: set[int]) -> Cleaned:
    out = Cleaned()
    required_text(out, data, "subject", N_("subject"), 200)
    optional_text(out, data, "description", 20_000)
    choice(out, data, "status", CaseStatus, CaseStatus.OPEN)
    choice(out, data, "priority", CasePriority, CasePriority.NORMAL)
    optional_id(out, data, "assignee_id", owners)
    optional_date(out, data, "due_date")
    optional_id(out, data, "person_id")
    optional_id(out, data, "organization_id")
    if not out.values.get("person_id") and not out.values.get("organization_id") and "person_id" not in out.errors:
        out.errors["person_id"] = gettext("Choose the customer: a contact or a company.")
    return out


def campaign_form(data: Mapping[str, Any], *, saved_filters: set[int]) -> Cleaned:
    out = Cleaned()
    required_text(out, data, "name", N_("campaign name"), 150)
    choice(out, data, "status", CampaignStatus, CampaignStatus.PLANNED)
    optional_text(out, data, "description", 10_000)
    tags_field(out, data, "target_tags")
    optional_id(out, data, "saved_filter_id", saved_filters)
    optional_date(out, data, "starts_on")
    optional_date(out, data, "ends_on")
    starts, ends = out.values.get("starts_on"), out.values.get("ends_on")
    if starts and ends and ends < starts:
        out.errors["ends_on"] = gettext("The end date is before the start date.")
    return out


def as_input(kind: type[InputT], values: Mapping[str, Any]) -> InputT:
    """A service's typed input from clean values: the fields it names (a form may clean more, such as a CSV
    row's company name)."""
    names = {f.name for f in fields(kind)}
    return kind(**{name: value for name, value in values.items() if name in names})


def contact_points(values: Mapping[str, Any]) -> ContactPoints:
    """The primary e-mail and phone, the typed rows, and the addresses (kept as they are when not given)."""
    addresses = values.get("addresses")
    return ContactPoints(
        email=values.get("email"),
        phone=values.get("phone"),
        emails=tuple(TypedValue(row["kind"], row["value"]) for row in values.get("emails", [])),
        phones=tuple(TypedValue(row["kind"], row["value"]) for row in values.get("phones", [])),
        addresses=None if addresses is None else tuple(AddressInput(**row) for row in addresses),
    )


def with_points(values: Mapping[str, Any]) -> dict[str, Any]:
    """Clean contact or company values with their ``points`` (what ``ContactInput`` and ``CompanyInput`` take)."""
    return {**values, "points": contact_points(values)}
