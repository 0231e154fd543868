"""Migration fan-out (no-op, additive, failure and resume) on Citus: every test of tests/integration/db/test_upgrade.py, against the coordinator."""

from nexo.tests.integration.db.test_upgrade import *  # noqa: F403
from nexo.tests.integration.db.conftest import scratch

__all__ = ["scratch"]
