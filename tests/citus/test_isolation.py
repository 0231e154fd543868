"""Tenant isolation on Citus: the tests of tests/integration/tenants/test_isolation.py."""

from nexo.tests.integration.tenants.test_isolation import *  # noqa: F403
