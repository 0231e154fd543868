"""Signed webhooks to partner installations, delivered through the job queue."""
