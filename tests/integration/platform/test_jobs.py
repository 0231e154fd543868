"""The job queue round-trips through PostgreSQL: defer from the app's open queue, run with a worker."""

from __future__ import annotations

from procrastinate.jobs import Status

from nexo.platform.jobs.builtin import ping
from nexo.platform.jobs.runtime import open_jobs
from nexo.platform.settings import Settings


async def test_deferred_job_runs_in_a_worker(settings: Settings, engine: object) -> None:
    async with open_jobs(settings) as app:
        job_id = await ping.defer_async(message="hello")
        await app.run_worker_async(queues=["default"], wait=False, install_signal_handlers=False)
        status = await app.job_manager.get_job_status_async(job_id)
    assert status is Status.SUCCEEDED
