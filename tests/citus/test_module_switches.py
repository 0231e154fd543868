"""Module switches on Citus: the tests of tests/integration/admin/test_module_switches.py."""

from nexo.tests.integration.admin.test_module_switches import *  # noqa: F403
