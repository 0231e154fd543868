"""Tenant resolution and per-transaction binding on Citus: the tests of tests/integration/tenants/test_resolution.py."""

from nexo.tests.integration.tenants.test_resolution import *  # noqa: F403
