"""Billing state rules: which state the provider's subscriptions imply, and the tenant status each state leads to."""

from __future__ import annotations

import datetime

import pytest

from nexo.billing.accounts import derive_state
from nexo.billing.models import BillingAccount, BillingState
from nexo.billing.transitions import status_for
from nexo.tenants.models import TenantStatus

NOW = datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC)


def account(state: BillingState, trial_days_left: int) -> BillingAccount:
    return BillingAccount(state=state, trial_ends_at=NOW + datetime.timedelta(days=trial_days_left))


@pytest.mark.parametrize(
    ("state", "statuses", "trial_days_left", "expected"),
    [
        (BillingState.TRIALING, [], 10, BillingState.TRIALING),
        (BillingState.TRIALING, [], -1, BillingState.ACTIVE),
        (BillingState.TRIALING, ["trialing"], 10, BillingState.TRIALING),
        (BillingState.ACTIVE, ["active", "active"], -1, BillingState.ACTIVE),
        (BillingState.ACTIVE, ["active", "past_due"], -1, BillingState.PAST_DUE),
        (BillingState.ACTIVE, ["unpaid"], -1, BillingState.PAST_DUE),
        (BillingState.PAST_DUE, ["active", "canceled"], -1, BillingState.CANCELED),
        (BillingState.CANCELED, ["active"], -1, BillingState.CANCELED),  # canceled stays canceled
    ],
)
def test_derive_state(state: BillingState, statuses: list[str], trial_days_left: int, expected: BillingState) -> None:
    assert derive_state(account(state, trial_days_left), statuses, NOW) is expected


@pytest.mark.parametrize(
    ("state", "current", "expected"),
    [
        (BillingState.CANCELED, TenantStatus.ACTIVE, TenantStatus.CANCELED),
        (BillingState.PAST_DUE, TenantStatus.ACTIVE, TenantStatus.ACTIVE),  # read-only only after the grace period
        (BillingState.PAST_DUE, TenantStatus.READ_ONLY, TenantStatus.READ_ONLY),
        (BillingState.ACTIVE, TenantStatus.READ_ONLY, TenantStatus.ACTIVE),  # a payment restores the workspace
        (BillingState.TRIALING, TenantStatus.CANCELED, TenantStatus.ACTIVE),
    ],
)
def test_status_for(state: BillingState, current: TenantStatus, expected: TenantStatus) -> None:
    assert status_for(state, current) is expected
