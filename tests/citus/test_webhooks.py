"""Partner webhooks on Citus: every test of tests/integration/api/test_webhooks.py, against the coordinator."""

from nexo.tests.integration.api.test_webhooks import *  # noqa: F403
from nexo.tests.integration.api.conftest import token_for

__all__ = ["token_for"]
