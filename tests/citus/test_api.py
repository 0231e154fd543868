"""The REST API on Citus: every test of tests/integration/api/test_api.py, against the coordinator."""

from nexo.tests.integration.api.test_api import *  # noqa: F403
from nexo.tests.integration.api.conftest import token_for

__all__ = ["token_for"]
