"""REST API infrastructure under ``/api/v1``: bearer authentication, problems, pagination, idempotency, rate limits."""
