"""Signup (every module; failures leave nothing) on Citus: every test of tests/integration/tenants/test_signup.py, against the coordinator."""

from nexo.tests.integration.tenants.test_signup import *  # noqa: F403
