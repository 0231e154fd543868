"""Partner webhooks on Citus: the tests of tests/integration/api/test_webhooks.py."""

from nexo.tests.integration.api.conftest import token_for
from nexo.tests.integration.api.test_webhooks import *  # noqa: F403

__all__ = ["token_for"]
