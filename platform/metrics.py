"""``/metrics`` for Prometheus: what the operator watches.

- **Requests**: ``nexo_requests_total`` and the ``nexo_request_duration_seconds`` histogram per method, route
  template (``/w/{workspace}/crm/contacts``, never the raw path, so tenants do not explode the label set) and
  the status actually sent; recorded by Litestar's Prometheus middleware (routes only: an unmatched path is not a
  series).
- **Database pool**: ``nexo_db_pool_in_use`` / ``nexo_db_pool_overflow`` / ``nexo_db_pool_size`` of the one engine,
  refreshed after every request and at each scrape.
- **Read from the database at each scrape** (so every worker process answers alike): job queue depth per queue and
  status and the age of the oldest due job (procrastinate's tables), webhook deliveries by outcome, tenants by
  status, signups (workspaces created).
- ``nexo_signups_total`` counts signups made by this deployment's processes since they started.

**Multiprocess.** With several uvicorn workers set ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder shared by them
(emptied at each start): counters and histograms are then kept in memory-mapped files there and every scrape
aggregates all processes (``MultiProcessCollector``); the pool gauges sum the live processes.

**Protection.** ``/metrics`` answers only with ``NEXO_METRICS_TOKEN`` set, to ``Authorization: Bearer <token>``
(compared in constant time); without the setting it is a 404, with a missing or wrong token a 401.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterable, Iterator
from typing import Any

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.middleware.base import DefineMiddleware
from litestar.plugins.prometheus import PrometheusConfig
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

PREFIX = "nexo"
NOT_MEASURED = ["/metrics", "/static", "/healthz", "/readyz"]

SIGNUPS = Counter(f"{PREFIX}_signups_total", "Workspaces signed up through this deployment's processes")
POOL_IN_USE = Gauge(
    f"{PREFIX}_db_pool_in_use", "Database connections checked out of the pool", multiprocess_mode="livesum"
)
POOL_OVERFLOW = Gauge(
    f"{PREFIX}_db_pool_overflow", "Connections open beyond the pool size (overflow)", multiprocess_mode="livesum"
)
POOL_SIZE = Gauge(f"{PREFIX}_db_pool_size", "Configured pool size per process", multiprocess_mode="livesum")

QUEUE_SQL = text(
    """
    SELECT j.queue_name, j.status::text, count(*),
           COALESCE(EXTRACT(EPOCH FROM now() - min(GREATEST(j.scheduled_at, e.at))), 0)
      FROM procrastinate_jobs j
      LEFT JOIN procrastinate_events e ON e.job_id = j.id AND e.type = 'deferred'
     WHERE j.status IN ('todo', 'doing') AND (j.scheduled_at IS NULL OR j.scheduled_at <= now())
     GROUP BY 1, 2
    """
)
DELIVERIES_SQL = text("SELECT status::text, count(*) FROM public.webhook_deliveries GROUP BY 1")
TENANTS_SQL = text("SELECT status::text, count(*) FROM public.tenants GROUP BY 1")
SIGNUPS_SQL = text("SELECT count(*) FROM public.tenants")


def request_metrics_middleware() -> DefineMiddleware:
    """Request count and latency per route template and status (``nexo_requests_total``, ...)."""
    config = PrometheusConfig(app_name="nexo", prefix=PREFIX, group_path=True, exclude=NOT_MEASURED)
    return config.middleware


async def observe_pool_after_response(request: Request[Any, Any, Any]) -> None:
    """``after_response`` hook: every process keeps its pool gauges fresh, not only the one scraped."""
    observe_pool(request.app.state["nexo_engine"])


def observe_pool(engine: AsyncEngine) -> None:
    """Copy the pool's state into the gauges (cheap: three attribute reads)."""
    pool: Any = engine.sync_engine.pool
    if not hasattr(pool, "checkedout"):
        return  # NullPool and the like keep no connections
    POOL_IN_USE.set(pool.checkedout())
    POOL_OVERFLOW.set(max(pool.overflow(), 0))
    POOL_SIZE.set(pool.size())


async def database_families(session: AsyncSession) -> list[Metric]:
    """What the database says now: queues, webhook deliveries, tenants, signups."""
    depth = GaugeMetricFamily(f"{PREFIX}_job_queue_depth", "Jobs due per queue and status", labels=["queue", "status"])
    age = GaugeMetricFamily(
        f"{PREFIX}_job_queue_oldest_age_seconds", "Seconds the oldest due job of a queue has waited", labels=["queue"]
    )
    oldest: dict[str, float] = {}
    for queue, status, count, seconds in await session.execute(QUEUE_SQL):
        depth.add_metric([queue, status], count)
        if status == "todo":
            oldest[queue] = float(seconds)
    for queue, seconds in sorted(oldest.items()):
        age.add_metric([queue], seconds)
    deliveries = GaugeMetricFamily(
        f"{PREFIX}_webhook_deliveries", "Partner webhook deliveries by outcome", labels=["outcome"]
    )
    for status, count in await session.execute(DELIVERIES_SQL):
        deliveries.add_metric([status], count)
    tenants = GaugeMetricFamily(f"{PREFIX}_tenants", "Workspaces by status", labels=["status"])
    for status, count in await session.execute(TENANTS_SQL):
        tenants.add_metric([status], count)
    created = GaugeMetricFamily(f"{PREFIX}_workspaces_created", "Workspaces that exist (signups, all time)")
    created.add_metric([], int(await session.scalar(SIGNUPS_SQL) or 0))
    return [depth, age, deliveries, tenants, created]


class _Families:
    """A collector that yields families built beforehand (the async database reads)."""

    def __init__(self, families: Iterable[Metric]) -> None:
        self.families = list(families)

    def collect(self) -> Iterator[Metric]:
        yield from self.families


def exposition(families: Iterable[Metric]) -> bytes:
    """The text format: this process's (or, in multiprocess mode, every process's) metrics plus ``families``."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        processes = generate_latest(registry)
    else:
        processes = generate_latest(REGISTRY)
    extra = CollectorRegistry()
    extra.register(_Families(families))
    return processes + generate_latest(extra)


def token_accepted(request: Request[Any, Any, Any], token: str) -> bool:
    """Is ``Authorization: Bearer <token>`` there? (Constant-time comparison.) A 404 when no token is configured:
    nothing tells a scanner that the endpoint exists."""
    if not token:
        raise NotFoundException()
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(), token.encode())


@get(
    "/metrics",
    opt={"exclude_from_auth": True, "nexo_no_user_loading": True},
    include_in_schema=False,
    media_type=CONTENT_TYPE_LATEST,
)
async def metrics(request: Request[Any, Any, Any], db_session: AsyncSession) -> Response[bytes]:
    state = request.app.state
    if not token_accepted(request, state["nexo_settings"].app.metrics_token):
        # An explicit response: a 401 raised from a page path would be turned into the sign-in redirect.
        return Response(
            b"A bearer token (NEXO_METRICS_TOKEN) is required.\n",
            status_code=401,
            media_type="text/plain; charset=utf-8",
            headers={"www-authenticate": 'Bearer realm="metrics"'},
        )
    observe_pool(state["nexo_engine"])
    body = exposition(await database_families(db_session))
    return Response(body, media_type=CONTENT_TYPE_LATEST)
