"""Tenant resolution on Citus through PgBouncer (transaction mode): tests/integration/tenants/test_resolution.py."""

from nexo.tests.integration.tenants.test_resolution import *  # noqa: F403
