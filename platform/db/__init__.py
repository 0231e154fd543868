"""Database: declarative bases, the one engine, tenant-bound sessions, the embedded server."""
