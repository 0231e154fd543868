"""Tenant isolation on Citus through PgBouncer (transaction mode): tests/integration/tenants/test_isolation.py."""

from nexo.tests.integration.tenants.test_isolation import *  # noqa: F403
