"""Module switches on Citus: every test of tests/integration/admin/test_module_switches.py, against the coordinator."""

from nexo.tests.integration.admin.test_module_switches import *  # noqa: F403
