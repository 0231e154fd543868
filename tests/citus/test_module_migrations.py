"""Per-branch tenant migrations on Citus: every test of tests/integration/admin/test_module_migrations.py, against the coordinator."""

from nexo.tests.integration.admin.test_module_migrations import *  # noqa: F403
