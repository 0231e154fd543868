"""ERP lead-to-cash and procure-to-pay on Citus: every test of tests/integration/erp/test_processes.py, against the coordinator."""

from nexo.tests.integration.erp.test_processes import *  # noqa: F403
from nexo.tests.integration.erp.conftest import erp_a, erp_b, session_a, session_b

__all__ = ["erp_a", "erp_b", "session_a", "session_b"]
