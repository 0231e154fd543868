"""The job queue on Citus: the tests of tests/integration/platform/test_jobs.py."""

from nexo.tests.integration.platform.test_jobs import *  # noqa: F403
