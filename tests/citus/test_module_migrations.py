"""Per-branch tenant migrations on Citus: the tests of tests/integration/admin/test_module_migrations.py."""

from nexo.tests.integration.admin.test_module_migrations import *  # noqa: F403
