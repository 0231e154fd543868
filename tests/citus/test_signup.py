"""Signup (every module; failures leave nothing) on Citus: the tests of tests/integration/tenants/test_signup.py."""

from nexo.tests.integration.tenants.test_signup import *  # noqa: F403
