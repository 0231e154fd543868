"""Schema parity (built equals migrated) on Citus: every test of tests/integration/tenants/test_schema_parity.py, against the coordinator."""

from nexo.tests.integration.tenants.test_schema_parity import *  # noqa: F403
