"""Migration fan-out (no-op, additive, failure, resume) on Citus: the tests of tests/integration/db/test_upgrade.py."""

from nexo.tests.integration.db.conftest import scratch
from nexo.tests.integration.db.test_upgrade import *  # noqa: F403

__all__ = ["scratch"]
