"""Tenant isolation on Citus: every test of tests/integration/tenants/test_isolation.py, against the coordinator."""

from nexo.tests.integration.tenants.test_isolation import *  # noqa: F403
