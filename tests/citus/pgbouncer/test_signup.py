"""Tenant signup on Citus through PgBouncer (transaction mode): tests/integration/tenants/test_signup.py."""

from nexo.tests.integration.tenants.test_signup import *  # noqa: F403
