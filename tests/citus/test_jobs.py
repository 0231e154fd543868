"""The job queue on Citus: every test of tests/integration/platform/test_jobs.py, against the coordinator."""

from nexo.tests.integration.platform.test_jobs import *  # noqa: F403
