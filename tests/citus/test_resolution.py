"""Tenant resolution and per-transaction binding on Citus: every test of tests/integration/tenants/test_resolution.py, against the coordinator."""

from nexo.tests.integration.tenants.test_resolution import *  # noqa: F403
