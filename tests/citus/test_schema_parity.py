"""Schema parity (built equals migrated) on Citus: the tests of tests/integration/tenants/test_schema_parity.py."""

from nexo.tests.integration.tenants.test_schema_parity import *  # noqa: F403
