"""ERP lead-to-cash and procure-to-pay on Citus: the tests of tests/integration/erp/test_processes.py."""

from nexo.tests.integration.erp.conftest import erp_a, erp_b, session_a, session_b
from nexo.tests.integration.erp.test_processes import *  # noqa: F403

__all__ = ["erp_a", "erp_b", "session_a", "session_b"]
