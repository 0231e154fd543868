"""How scripts reach the server (one statement per query here) on Citus: every test of tests/integration/db/test_scripts.py, against the coordinator."""

from nexo.tests.integration.db.test_scripts import *  # noqa: F403
