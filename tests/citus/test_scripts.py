"""Scripts one statement per query on Citus: the tests of tests/integration/db/test_scripts.py."""

from nexo.tests.integration.db.test_scripts import *  # noqa: F403
