"""The REST API on Citus: the tests of tests/integration/api/test_api.py."""

from nexo.tests.integration.api.conftest import token_for
from nexo.tests.integration.api.test_api import *  # noqa: F403

__all__ = ["token_for"]
