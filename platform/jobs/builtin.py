"""Platform-wide tasks."""

from __future__ import annotations

import structlog

from nexo.platform.jobs import jobs

logger = structlog.get_logger("nexo.jobs")


@jobs.task(name="nexo.ping", queue="default")
async def ping(message: str = "pong") -> str:
    """A no-op task operators can defer to check that a worker is consuming (`nexo jobs ping`)."""
    logger.info("job ping", message=message)
    return message
