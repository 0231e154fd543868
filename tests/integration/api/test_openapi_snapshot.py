"""The served OpenAPI document is a contract: any change to it must be deliberate.

The snapshot in ``tests/snapshots/openapi.json`` holds the exact bytes the app serves. A refactoring must leave it
byte-identical; a deliberate API change rewrites it with ``NEXO_UPDATE_SNAPSHOTS=1`` and the diff is reviewed.
"""

from __future__ import annotations

import os
from pathlib import Path

from litestar import Litestar
from litestar.testing import AsyncTestClient

SNAPSHOT = Path(__file__).resolve().parents[2] / "snapshots" / "openapi.json"


async def test_openapi_document_matches_snapshot(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/api/schema/openapi.json")
    assert response.status_code == 200
    if os.environ.get("NEXO_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_bytes(response.content)
    assert response.content == SNAPSHOT.read_bytes(), "OpenAPI changed: review, then NEXO_UPDATE_SNAPSHOTS=1"
