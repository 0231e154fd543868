"""ERP schema on Citus: tests/integration/erp/test_schema.py (the journal balance check refuses on shard tables)."""

from nexo.tests.integration.erp.conftest import erp_a, erp_b
from nexo.tests.integration.erp.test_schema import *  # noqa: F403

__all__ = ["erp_a", "erp_b"]
